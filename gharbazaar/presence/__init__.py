"""Presence: who is online across processes; features say who each user's contacts are."""
from .. import handlers, realtime, sockets
from ..apidoc import events as apidoc_events
from ..db import register_indexes
from . import events, repository


def init_app(app, socketio):
    """Register presence's indexes, its socket events, and its connect and disconnect hooks."""
    register_indexes(app, repository.INDEXES, retired=repository.RETIRED)
    handlers.mount(socketio, events.HANDLERS, realtime.NAMESPACES)
    sockets.connected.connect(events.on_connected, sender=app)
    sockets.disconnected.connect(events.on_disconnected, sender=app)
    apidoc_events.describe(app, "presence", events.CLIENT_DOCS, events.SERVER_DOCS)
