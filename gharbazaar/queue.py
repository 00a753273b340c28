"""The Socket.IO message queue between processes (Redis), made to degrade gracefully.

python-socketio's RedisManager already delivers to this process's own clients before it
publishes; what it lacks is a bounded connect time (a blackholed Redis would stall every
emit) and quiet logs (it logs two errors per emit while Redis is down). This subclass adds
both, so that a Redis outage costs cross-process delivery only, logged once. It also sends
an event meant for several namespaces (every chat event is on `/` and `/chat`) as one message,
not one per namespace: half the Redis traffic and decoding on every process.
"""
import logging

import redis
import socketio
from socketio.packet import Packet

log = logging.getLogger(__name__)
CHANNEL = "gharbazaar-socketio"
REDIS_OPTIONS = {"socket_connect_timeout": 2, "health_check_interval": 30}


class ResilientRedisManager(socketio.RedisManager):
    """A RedisManager that fails fast and logs an outage once."""

    def __init__(self, url, channel=CHANNEL):
        super().__init__(url, channel=channel, redis_options=dict(REDIS_OPTIONS))
        self.healthy = True

    def emit_to_namespaces(self, event, data, namespaces, room, skip_sid=None):
        """Emit an event on several namespaces: here, and to other processes in one message."""
        if Packet.data_is_binary([data]):  # never ours (JSON payloads); the plain way handles it
            for namespace in namespaces:
                self.emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid)
            return
        message = {"method": "emit", "event": event, "data": [data], "binary": False,
                   "namespace": namespaces[0], "namespaces": list(namespaces), "room": room,
                   "skip_sid": skip_sid, "callback": None, "host_id": self.host_id}
        self._handle_emit(message)
        self._publish(message)

    def _handle_emit(self, message):
        for namespace in message.get("namespaces") or [message.get("namespace")]:
            super()._handle_emit(dict(message, namespace=namespace))

    def _publish(self, data):
        try:
            if not self.connected:
                self._redis_connect()
            result = self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as exc:  # redis-py raises several families; all mean "not delivered"
            self.connected = False
            if self.healthy:
                log.error("redis unavailable: other processes miss events until it returns",
                          extra={"fields": {"error": type(exc).__name__}})
            self.healthy = False
            return None
        if not self.healthy:
            log.info("redis available again")
            self.healthy = True
        return result


def client_manager(config):
    """Return the Socket.IO client manager for the configuration (None: in-process only)."""
    if not config.get("REDIS_URL"):
        return None
    return ResilientRedisManager(config["REDIS_URL"], config.get("REDIS_CHANNEL") or CHANNEL)


def redis_status(config):
    """Return "ok", "down" or "off" (no REDIS_URL) for health reports."""
    if not config.get("REDIS_URL"):
        return "off"
    try:
        client = redis.Redis.from_url(config["REDIS_URL"], **REDIS_OPTIONS)
        try:
            return "ok" if client.ping() else "down"
        finally:
            client.close()
    except redis.RedisError:
        return "down"
