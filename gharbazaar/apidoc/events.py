"""The Socket.IO catalogue: features describe their events in init_app; asyncapi.py reads it."""
from marshmallow import fields

from ..models import View, flag, text

BARE_ID = {"type": "string", "description": "The id alone (older clients)."}


class SocketError(View):
    """`error`: sent to the emitting socket only."""

    message = text()
    code = text()
    event = text(metadata={"description": "The event that failed, or `auth`."})


class Shutdown(View):
    message = text()
    reconnect = flag()


class Empty(View):
    """No payload is read."""

    ignored = fields.Raw(metadata={"description": "Anything sent is ignored."})


# The core's own server events: event -> (payload schema, who receives it).
SERVER_DOCS = {
    "error": (SocketError, "the emitting socket only"),
    "server:shutdown": (Shutdown, "every socket, when the process stops"),
}


def describe(app, feature, client_docs, server_docs):
    """Publish a feature's socket events (feature None: sent on the socket's own namespace)."""
    docs = app.extensions.setdefault("gharbazaar.socket_docs", {"client": {}, "server": {}})
    docs["client"].update(client_docs)
    docs["server"].update({event: (payload, feature, to) for event, (payload, to) in server_docs.items()})


def catalogue(app):
    """Return {"client": {event: (payload, answer, summary)}, "server": {event: (payload, feature, to)}}."""
    return app.extensions.get("gharbazaar.socket_docs", {"client": {}, "server": {}})
