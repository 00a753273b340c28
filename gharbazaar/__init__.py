"""GharBazaar real-time backend: chat and support tickets over REST and Socket.IO."""
from flask import Flask

__version__ = "0.1.0"


def create_app(overrides=None):
    """Build the app: configuration, the shared core, then each feature's own init_app."""
    from . import chat, cli, config, db, errors, extensions, files, handlers, health, logs, presence, realtime
    from . import sockets, sync, tickets, users
    from .apidoc import events as apidoc_events, openapi, routes as apidoc_routes
    from .runtime import driver_patches

    settings = config.from_env()
    settings.update(overrides or {})
    config.check(settings)

    app = Flask(__name__)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_UPLOAD_MB"] * 1024 * 1024 + 64 * 1024
    app.json.sort_keys = False
    # A path holding "//" (an id such as "%2F%2F[") is a 404, not an HTML 308 to a merged path:
    # no API client follows that redirect, and the id was never a path.
    app.url_map.merge_slashes = False

    logs.init_app(app)
    errors.init_app(app)
    db.init_app(app)
    driver_patches.install()
    extensions.init_app(app)
    cli.init_app(app)
    app.before_request(_cap_json_body)
    extensions.limiter.exempt(health.bp)
    openapi.init_api(app, exempt_blueprints={health.bp.name})
    openapi.register(app, health.bp)
    extensions.limiter.exempt(apidoc_routes.bp)
    app.register_blueprint(apidoc_routes.bp)
    apidoc_events.describe(app, None, {}, apidoc_events.SERVER_DOCS)

    socketio = extensions.make_socketio(app)
    sockets.init_app(app, socketio)
    for feature in (presence, users, files, chat, tickets, sync):
        feature.init_app(app, socketio)
    handlers.mount_unhandled(socketio, realtime.NAMESPACES)
    return app


def _cap_json_body():
    """Refuse a chunked body; allow large bodies only for multipart uploads (others: 1 MB)."""
    from flask import current_app, request
    from .errors import LengthRequired
    # Under eventlet a chunked body reaches Flask as empty: read as `{}`, it ran the request on
    # defaults (an admin's assign to someone else became an assign to themselves). Refused instead.
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        raise LengthRequired()
    if request.mimetype != "multipart/form-data":
        request.max_content_length = current_app.config["MAX_JSON_BYTES"]
