"""The Socket.IO message queue between processes (Redis), made to degrade and recover gracefully.

python-socketio's RedisManager delivers to this process's own clients before it publishes. This
subclass adds bounded waits (a hung Redis stalled every emit), a publisher that stops waiting on a
Redis that just failed, a listener that pings, comes back within seconds (python-socketio's back-off
grew to a minute) and whose state health reports, and `sync:required` after an outage to the
sockets that missed events (docs/sync.md). It also sends an event meant for several namespaces as
one message, not one per namespace: half the Redis traffic and decoding on every process.
"""
import logging
import time
from contextlib import suppress
from queue import Empty, LifoQueue
from datetime import datetime, timezone

import redis
import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry
from socketio.packet import Packet

from .models import iso

log = logging.getLogger(__name__)
CHANNEL = "gharbazaar-socketio"
SYNC_REQUIRED = "sync:required"
# A "this changed" notice between processes, answered by handlers, never by sockets: an emit that
# python-socketio's listener hands to _handle_emit like any other, on a namespace no socket can
# join (so a process of an older release, as in a rolling deploy, delivers it to nobody).
NOTICE, NOTICE_NAMESPACE = "gharbazaar:notice", "/gharbazaar-notices"
EVERYTHING = None  # the notice after an outage: anything may have changed meanwhile
REASON = "redis_outage"
RETRY_FIRST_S, RETRY_MAX_S = 0.25, 2.0  # the listener's reconnect back-off, bounded
# Connections the publisher opens at most; a burst beyond them waits its turn (within REDIS_TIMEOUT_MS).
PUBLISH_CONNECTIONS = 50
# Clients resync from this long before the last sign of life: a change is stamped before its
# database writes (each up to MONGODB_TIMEOUT_MS) and published after them.
SINCE_MARGIN_S = 10


def since_margin(config):
    """Return how long before its last sign of trouble a client resyncs from (seconds)."""
    return max(SINCE_MARGIN_S, 3 * config["MONGODB_TIMEOUT_MS"] / 1000)


def sync_notice(reason, last_good, margin_s):
    """Return the `sync:required` payload: resync from `margin_s` before `last_good` (epoch seconds)."""
    return {"reason": reason, "since": iso(datetime.fromtimestamp(last_good - margin_s, tz=timezone.utc))}


def redis_options(config):
    """Return redis-py options that bound every wait on Redis to REDIS_TIMEOUT_MS, without retries."""
    timeout = config["REDIS_TIMEOUT_MS"] / 1000
    return {"socket_connect_timeout": timeout, "socket_timeout": timeout, "retry": Retry(NoBackoff(), 0)}


def storage_options(config):
    """Return the rate-limit storage options (bounded waits when the storage is Redis)."""
    return redis_options(config) if config["RATELIMIT_STORAGE_URI"].startswith("redis") else {}


class TurnTakingPool(redis.BlockingConnectionPool):
    """A pool whose callers wait for a free connection, but give up once they have waited half
    their time or the publisher declared Redis unavailable meanwhile: connections come back within
    milliseconds from a Redis that answers, and a hung one should cost a sender one wait, not two
    (a connection handed back by a timed-out publish reconnects, which would wait again)."""

    def __init__(self, *args, outages=lambda: 0, **kwargs):
        pool = self

        class Turns(LifoQueue):
            def get(self, block=True, timeout=None):
                before, since = outages(), time.monotonic()
                item = super().get(block, timeout)
                if outages() != before or time.monotonic() - since > pool.timeout / 2:
                    self.put_nowait(item)
                    raise Empty  # the pool answers "No connection available"
                return item

        super().__init__(*args, queue_class=Turns, **kwargs)


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
        """Connect the publisher through a pool whose callers wait for a connection rather than fail."""
        if "sentinel" in self.redis_url.split(":", 1)[0]:
            return super()._redis_connect()
        # redis-py's default pool refuses a command beyond its 100 connections in use
        # (MaxConnectionsError): a burst of emits, such as a batch of 100 sends settling together,
        # read as a Redis outage, which drops what this process publishes for seconds and asks every
        # socket to resync (the two-process marketplace day: 114 and 131 times in one run).
        pool = TurnTakingPool.from_url(self.redis_url, max_connections=PUBLISH_CONNECTIONS,
                                       timeout=self.timeout_s, outages=lambda: self.outages,
                                       **self.redis_options)
        self.redis = redis.Redis(connection_pool=pool)
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self.connected = True
        return None

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
