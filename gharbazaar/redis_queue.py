"""The Socket.IO message queue between processes (Redis), made to degrade and recover gracefully.

python-socketio's RedisManager delivers to this process's own clients before it publishes. This
subclass adds bounded waits, a publisher that stops waiting on a Redis that just failed, a listener
that pings, comes back within seconds and whose state health reports, `sync:required` after an
outage to the sockets that missed events (docs/sync.md), notices between processes, and one message
for an event meant for several namespaces (half the Redis traffic and decoding of one per namespace).
"""
import logging
import time
from contextlib import suppress

import redis
import socketio
from socketio.packet import Packet

from .outages import SINCE_MARGIN_S, SYNC_REQUIRED, since_margin, sync_notice
from .redis_client import publisher, redis_options

log = logging.getLogger(__name__)
CHANNEL = "gharbazaar-socketio"
# A "this changed" notice between processes, for handlers: an emit on a namespace no socket joins
# (a process of an older release, in a rolling deploy, delivers it to nobody).
NOTICE, NOTICE_NAMESPACE = "gharbazaar:notice", "/gharbazaar-notices"
EVERYTHING = None  # the notice after an outage: anything may have changed meanwhile
REASON = "redis_outage"
RETRY_FIRST_S, RETRY_MAX_S = 0.25, 2.0  # the listener's reconnect back-off, bounded


class ResilientRedisManager(socketio.RedisManager):
    """A RedisManager that fails fast, reconnects within seconds and reports its real state."""

    def __init__(self, url, channel=CHANNEL, options=None, namespaces=("/",), since_margin_s=SINCE_MARGIN_S):
        options = dict(options or redis_options({"REDIS_TIMEOUT_MS": 2000}))
        super().__init__(url, channel=channel, redis_options=options)
        self.timeout_s = options["socket_timeout"]
        self.namespaces, self.since_margin_s = tuple(namespaces), since_margin_s
        self.listening = False  # subscribed, and Redis answered within timeout_s
        self.healthy = True  # the last publish went through
        self.failed_at = None  # the first failed publish of the current outage (wall clock)
        self.outages = 0  # publishing outages so far
        self.retry_publish_at = 0.0  # publishes are skipped until then (monotonic)
        self.lost_at = None  # the listener's last sign of life before the current outage
        self.last_alive = None
        self.outage = False
        self.stopped = False
        self.on_notice = None  # called with the topic of a notice from another process

    def status(self):
        """Return "ok" while subscribed and publishing, else "down"."""
        return "ok" if self.listening and self.healthy else "down"

    def stop(self):
        """Let the listener end (tests; a server process just exits)."""
        self.stopped = True

    def emit_to_namespaces(self, event, data, namespaces, room, skip_sid=None):
        """Emit an event on several namespaces: here, and to other processes in one message."""
        if Packet.data_is_binary([data]):  # never ours (JSON payloads); the plain way handles it
            for namespace in namespaces:
                self.emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid)
            return
        self._handle_emit(self._message(event, data, namespaces, room, skip_sid))
        self._publish(self._message(event, data, namespaces, room, skip_sid))

    def _message(self, event, data, namespaces, room, skip_sid=None):
        return {"method": "emit", "event": event, "data": [data], "binary": False,
                "namespace": namespaces[0], "namespaces": list(namespaces), "room": room,
                "skip_sid": skip_sid, "callback": None, "host_id": self.host_id}

    def publish_notice(self, topic):
        """Tell the other processes that what `topic` names changed (their on_notice runs)."""
        self._publish({"method": "emit", "event": NOTICE, "data": [topic], "namespace": NOTICE_NAMESPACE,
                       "namespaces": [], "room": None, "host_id": self.host_id})

    def _handle_emit(self, message):
        if message.get("event") == NOTICE and message.get("namespace") == NOTICE_NAMESPACE:
            self._noticed((message.get("data") or [EVERYTHING])[0])
            return
        for namespace in message.get("namespaces") or [message.get("namespace")]:
            super()._handle_emit(dict(message, namespace=namespace))

    def _redis_connect(self):
        """Connect the publisher through a pool whose callers wait their turn (redis_client.py)."""
        if "sentinel" in self.redis_url.split(":", 1)[0]:
            return super()._redis_connect()
        if self.redis is None:  # one pool for good: its connections reconnect by themselves when used
            self.redis = publisher(self.redis_url, self.redis_options, self.timeout_s, lambda: self.outages)
            self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.connected = True

    def _publish(self, data):
        if not self.healthy and time.monotonic() < self.retry_publish_at:
            return None  # Redis just failed: the listener says when to try again
        try:
            if not self.connected:
                self._redis_connect()
            result = self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as exc:  # redis-py raises several families; all mean "not delivered"
            self.connected = False
            if self.healthy:
                self.failed_at = time.time()
                self.outages += 1
            self.healthy = False
            self.retry_publish_at = time.monotonic() + 5 * RETRY_MAX_S
            self._down(exc)
            return None
        if not self.healthy:
            self._publishing_again()
        return result

    def _publishing_again(self):
        self.healthy = True
        failed_at, self.failed_at = self.failed_at, None
        if failed_at is not None:  # other processes' clients missed what this one could not publish
            notice = sync_notice(REASON, failed_at, self.since_margin_s)
            self._publish(self._message(SYNC_REQUIRED, notice, self.namespaces, None))
            self.publish_notice(EVERYTHING)
        self._maybe_up()

    def _down(self, exc):
        if not self.outage:
            self.outage = True
            log.error("redis unavailable: other processes miss events until it returns",
                      extra={"fields": {"error": type(exc).__name__}})

    def _maybe_up(self):
        if self.outage and self.listening and self.healthy:
            self.outage = False
            log.info("redis available again")

    def _listen(self):
        channel = self.channel.encode("utf-8")
        delay = RETRY_FIRST_S
        while not self.stopped:
            pubsub = None
            try:
                pubsub = self._subscribe()
                for message in self._messages(pubsub):
                    delay = RETRY_FIRST_S
                    if message["type"] == "message" and message["channel"] == channel:
                        yield message["data"]
            except Exception as exc:  # connection refused, reset, timed out: all the same here
                self._lost(exc)
            finally:
                if pubsub is not None:
                    with suppress(Exception):  # closing a dead connection may fail; nothing is left
                        pubsub.close()
            if not self.stopped:
                self.server.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)

    def _subscribe(self):
        client = self._get_redis_module().Redis.from_url(self.redis_url, **self.redis_options)
        pubsub = client.pubsub()
        pubsub.subscribe(self.channel)
        return pubsub

    def _messages(self, pubsub):
        """Yield what Redis sends; ping it when quiet; raise when it stops answering."""
        pinged, subscribed = None, False
        while not self.stopped:
            message = pubsub.get_message(timeout=self.timeout_s / 4)
            if message is None:
                if pinged is None:
                    pubsub.ping()
                    pinged = time.monotonic()
                elif time.monotonic() - pinged > self.timeout_s:
                    raise redis.TimeoutError("Redis did not answer a ping")
                continue
            if message["type"] == "subscribe":
                if subscribed:  # redis-py reconnected by itself: events were lost meanwhile
                    raise redis.ConnectionError("the subscription was silently renewed")
                subscribed = True
            if subscribed:
                pinged = None
                self._alive()
            yield message

    def _alive(self):
        self.last_alive = time.time()
        if not self.listening:
            self.listening = True
            lost_at, self.lost_at = self.lost_at, None
            if lost_at is not None:
                self._tell_own_sockets(lost_at)
        if not self.healthy:
            self._probe_publisher()
        self._maybe_up()

    def _lost(self, exc):
        if self.listening or self.lost_at is None:
            self.lost_at = self.last_alive or time.time()
        self.listening = False
        self._down(exc)

    def _tell_own_sockets(self, lost_at):
        """Ask this process's sockets to resync: they missed what other processes published."""
        notice = sync_notice(REASON, lost_at, self.since_margin_s)
        for namespace in self.namespaces:
            self.emit(SYNC_REQUIRED, notice, namespace=namespace, ignore_queue=True)
        log.info("sockets told to resync after a redis outage", extra={"fields": notice})
        self._noticed(EVERYTHING)

    def _noticed(self, topic):
        if self.on_notice is not None:
            try:
                self.on_notice(topic)
            except Exception:  # one failing handler must not end the listener
                log.exception("notice handler failed", extra={"fields": {"topic": topic}})

    def _probe_publisher(self):
        try:
            if not self.connected:
                self._redis_connect()
            self.redis.ping()
        except Exception:  # still down for publishing; the next sign of life tries again
            self.connected = False
            return
        self._publishing_again()


def client_manager(config, namespaces=("/",)):
    """Return the Socket.IO client manager for the configuration (None: in-process only)."""
    if not config.get("REDIS_URL"):
        return None
    return ResilientRedisManager(config["REDIS_URL"], config.get("REDIS_CHANNEL") or CHANNEL,
                                 redis_options(config), namespaces, since_margin(config))


def start(server):
    """Subscribe now rather than at the first connection, so health is true from the start."""
    if isinstance(server.manager, ResilientRedisManager) and not server.manager_initialized:
        server.manager_initialized = True
        server.manager.initialize()


def stop(app):
    """Let the app's listener end (tests build many apps)."""
    manager = app.extensions["socketio"].server.manager
    if isinstance(manager, ResilientRedisManager):
        manager.stop()


def redis_status(app):
    """Return "ok", "down" or "off" (no REDIS_URL): this process's subscription and publishing."""
    if not app.config.get("REDIS_URL"):
        return "off"
    manager = app.extensions["socketio"].server.manager
    return manager.status() if isinstance(manager, ResilientRedisManager) else "down"
