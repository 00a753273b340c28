"""Resync after a reconnect: everything a client missed, in order, over REST or Socket.IO."""
from .. import handlers, realtime
from ..apidoc import events as apidoc_events, openapi
from . import events, routes


def init_app(app, socketio):
    """Register POST /api/v1/sync and the `sync` socket event."""
    openapi.register(app, routes.bp)
    handlers.mount(socketio, events.HANDLERS, realtime.NAMESPACES)
    apidoc_events.describe(app, None, events.CLIENT_DOCS, events.SERVER_DOCS)
