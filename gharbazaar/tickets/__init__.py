"""Support tickets between customers and employees: routes, socket events, the desk, assignment."""
from .. import handlers, realtime
from ..apidoc import events as apidoc_events, openapi
from ..db import register_indexes
from ..files import service as files
from ..presence import service as presence
from ..runtime.server import when_serving
from . import access, assignment, canned, events, evidence, notes, notify, repository, routes, service, timers
from . import desk_routes  # noqa: F401 (its routes join routes.bp and routes.desk_bp)


def init_app(app, socketio):
    """Register tickets' routes, socket events, indexes, file scope, presence contacts and hand-outs."""
    register_indexes(app, repository.INDEXES, retired=repository.RETIRED)
    register_indexes(app, canned.INDEXES)
    register_indexes(app, notes.INDEXES)
    register_indexes(app, evidence.INDEXES)
    openapi.register(app, routes.bp)
    openapi.register(app, routes.desk_bp)
    handlers.mount(socketio, events.HANDLERS, realtime.FEATURE_NAMESPACES["tickets"])
    files.register_scope(app, service.FILE_SCOPE, access.can_read, access.file_shown)
    presence.register_contacts(app, notify.presence_contacts)
    # Waiting tickets go out when an employee becomes available, and after each presence sweep
    # (what only time unblocks: a crashed holder's lease, a stale reservation).
    presence.became_available.connect(assignment.on_available, sender=app)
    presence.swept.connect(assignment.on_sweep, sender=app)
    apidoc_events.describe(app, "tickets", events.CLIENT_DOCS, events.SERVER_DOCS)
    # Due timers (SLA breaches, silent assignees) are stored; every serving process fires them.
    when_serving(app, timers.start)
