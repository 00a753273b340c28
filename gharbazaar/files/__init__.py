"""Files: GridFS storage (the dyno's disk is ephemeral), content checks, signed links."""
from ..apidoc import openapi
from ..db import register_indexes
from ..runtime.server import when_serving
from . import repository, routes, unsent, uploads


def init_app(app, socketio):
    """Register the download route, the upload body checks and the files' indexes (features register
    their scopes)."""
    register_indexes(app, repository.INDEXES)
    openapi.register(app, routes.bp)
    uploads.init_app(app)
    when_serving(app, unsent.start)
