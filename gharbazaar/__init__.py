"""GharBazaar real-time backend: chat and support tickets over REST and Socket.IO."""
from flask import Flask

__version__ = "0.1.0"


def create_app(overrides=None):
    """Build the app: config, extensions, blueprints, socket namespaces, error handlers."""
    from . import cli, config, db, errors, extensions, health, identity, logs, realtime, sockets
    from .apidoc import openapi, routes as apidoc_routes
    from .chat import events as chat_events, routes as chat_routes
    from .files import routes as file_routes
    from .presence import events as presence_events
    from .sync import events as sync_events, routes as sync_routes
    from .users import service as _users  # noqa: F401 (learns users as they connect)
    from .tickets import desk_routes, events as ticket_events, routes as ticket_routes

    settings = config.from_env()
    settings.update(overrides or {})
    config.check(settings)

    app = Flask(__name__)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_UPLOAD_MB"] * 1024 * 1024 + 64 * 1024
    app.json.sort_keys = False

    logs.init_app(app)
    errors.init_app(app)
    db.init_app(app)
    extensions.init_app(app)
    cli.init_app(app)
    app.before_request(_cap_json_body)

    extensions.limiter.exempt(health.bp)
    api = openapi.init_api(app, exempt_blueprints={health.bp.name})
    for blueprint in (health.bp, identity.bp, chat_routes.bp, ticket_routes.bp, desk_routes.bp,
                      file_routes.bp, sync_routes.bp):
        api.register_blueprint(blueprint)
    extensions.limiter.exempt(apidoc_routes.bp)
    app.register_blueprint(apidoc_routes.bp)

    socketio = extensions.make_socketio(app)
    sockets.init_app(app, socketio)
    sockets.mount(socketio, chat_events.HANDLERS, realtime.FEATURE_NAMESPACES["chat"])
    sockets.mount(socketio, ticket_events.HANDLERS, realtime.FEATURE_NAMESPACES["tickets"])
    sockets.mount(socketio, presence_events.HANDLERS, realtime.NAMESPACES)
    sockets.mount(socketio, sync_events.HANDLERS, realtime.NAMESPACES)
    return app


def _cap_json_body():
    """Allow large bodies only for multipart uploads; everything else is capped (1 MB)."""
    from flask import current_app, request
    if request.mimetype != "multipart/form-data":
        request.max_content_length = current_app.config["MAX_JSON_BYTES"]
