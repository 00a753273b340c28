"""Users as the backend learns them from tokens: id, role, name, email; and GET /api/v1/me."""
from .. import sockets
from ..apidoc import openapi
from . import routes, service


def init_app(app, socketio):
    """Serve /api/v1/me and learn every connecting user's name and email."""
    openapi.register(app, routes.bp)
    sockets.connected.connect(service.on_connected, sender=app)
