"""The `sync` socket event: answered by ack and by a `sync:result` event to the caller."""
from flask_socketio import emit

from ..validation import load
from . import schemas, service


def sync(conn, payload):
    result = service.changes(conn.actor, load(schemas.SyncRequest(), payload))
    emit("sync:result", result)
    return result


HANDLERS = {"sync": sync}
