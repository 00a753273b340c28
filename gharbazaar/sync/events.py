"""The `sync` socket event: answered by ack and by a `sync:result` event to the caller."""
from flask_socketio import emit

from ..validation import load
from . import models, schemas, service


def sync(conn, payload):
    result = service.changes(conn.actor, load(schemas.SyncRequest, payload))
    emit("sync:result", result)
    return result


HANDLERS = {"sync": sync}


# The AsyncAPI page: event -> (payload schema, ack `data` schema, summary).
CLIENT_DOCS = {
    "sync": (schemas.SyncRequest, models.SyncAnswer,
             "What changed since my last sequence numbers or instant."),
}
# event -> (payload schema, who receives it).
SERVER_DOCS = {
    "sync:result": (models.SyncAnswer, "the asking socket"),
    "sync:required": (models.SyncRequired,
                      "every socket of a process whose Redis subscription was lost, once it is back; every "
                      "socket of the other processes when this one could not publish; every socket after a "
                      "write whose outcome the database never confirmed (docs/sync.md)"),
}
