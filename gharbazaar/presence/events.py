"""Presence over Socket.IO: connect/disconnect hooks and the presence:* events."""
import logging

from flask_socketio import emit

from ..apidoc.events import Empty
from .. import sockets
from ..validation import load
from . import models, schemas, service

log = logging.getLogger(__name__)


def update_status(conn, payload):
    return service.update_status(conn.actor, load(schemas.StatusUpdate, payload)["status"])


def get_status(conn, payload):
    users = service.statuses_for(conn.actor, load(schemas.StatusQuery, payload)["userIds"])
    emit("presence:status-response", {"users": users})
    return {"users": users}


def heartbeat(conn, payload):
    return service.heartbeat(conn)


HANDLERS = {
    "presence:update-status": update_status,
    "presence:get-status": get_status,
    "presence:heartbeat": heartbeat,
}


def on_connected(app, conn):
    """Record a new socket and vouch for this process's sockets while it has any."""
    service.record_connected(conn)  # never refuses a connection: retried if the database is away
    _start_sweeper(app)


def on_disconnected(app, conn):
    """Forget a closed socket."""
    try:
        service.disconnected(conn)
    except Exception:  # database away: the sweeper retries it, or the socket would look live for ever
        log.warning("presence not recorded on disconnect: retried by the sweeper", exc_info=True)
        service.forget_later(app, conn)


def _start_sweeper(app):
    """Vouch for this process's sockets every HEARTBEAT_S while it has any."""
    if app.extensions.get("gharbazaar.presence_sweeper"):
        return
    app.extensions["gharbazaar.presence_sweeper"] = True
    socketio = app.extensions["socketio"]
    registry = sockets.registry(app)

    def loop():
        try:
            while registry.connections or service.unforgotten(app):
                socketio.sleep(service.HEARTBEAT_S)
                if not (registry.connections or service.unforgotten(app)):
                    break
                with app.app_context():
                    try:
                        service.sweep()
                    except Exception as exc:  # database down: try again next round
                        # One line, no traceback: this repeats every round of an outage, and
                        # formatting a traceback parses source (ast) beside the serving thread.
                        log.warning("presence sweep failed", extra={"fields": {"error": type(exc).__name__}})
        finally:
            app.extensions["gharbazaar.presence_sweeper"] = False

    socketio.start_background_task(loop)


# The AsyncAPI page: event -> (payload schema, ack `data` schema, summary).
CLIENT_DOCS = {
    "presence:update-status": (schemas.StatusUpdate, models.UserStatus, "Set my status."),
    "presence:get-status": (schemas.StatusQuery, models.StatusResponse,
                            "Ask for users' status (answered by `presence:status-response`)."),
    "presence:heartbeat": (Empty, models.Heartbeat, "Refresh my lastSeen."),
}
# event -> (payload schema, who receives it).
SERVER_DOCS = {
    "presence:user-online": (models.UserStatus, "`user:` rooms of the user's contacts"),
    "presence:user-offline": (models.UserPresence, "`user:` rooms of the user's contacts"),
    "presence:status-changed": (models.UserStatus, "`user:` rooms of the user's contacts"),
    "presence:status-response": (models.StatusResponse, "the asking socket"),
}
