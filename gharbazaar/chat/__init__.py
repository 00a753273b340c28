"""Chat between buyers and sellers about a property: routes, socket events, service, repository."""
from .. import handlers, realtime, sockets
from ..apidoc import events as apidoc_events, openapi
from ..db import register_indexes
from ..files import service as files, unsent
from ..presence import service as presence
from . import access, blocks, events, repository, routes, safety_gate, service, typing_relay


def init_app(app, socketio):
    """Register chat's routes, socket events, indexes, file scope and presence contacts."""
    safety_gate.init_app(app)
    typing_relay.init_app(app)
    sockets.disconnected.connect(typing_relay.on_disconnected, sender=app)
    blocks.init_app(app)
    register_indexes(app, repository.INDEXES, retired=repository.RETIRED)
    register_indexes(app, blocks.INDEXES)
    openapi.register(app, routes.bp)
    handlers.mount(socketio, events.HANDLERS, realtime.FEATURE_NAMESPACES["chat"])
    files.register_scope(app, access.SCOPE, access.can_read_file, access.file_sent_to)
    unsent.register(app, access.SCOPE, access.file_kept)
    presence.register_contacts(app, service.contacts)
    presence.register_exclusions(app, blocks.severed)  # for every feature's contacts, tickets' too
    apidoc_events.describe(app, "chat", events.CLIENT_DOCS, events.SERVER_DOCS)
