"""Files: GridFS storage (the dyno's disk is ephemeral), content checks, signed links."""
from ..apidoc import openapi
from ..db import register_indexes
from . import repository, routes


def init_app(app, socketio):
    """Register the download route and the files' indexes (features register their scopes)."""
    register_indexes(app, repository.INDEXES)
    openapi.register(app, routes.bp)
