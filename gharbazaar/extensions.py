"""Flask extensions, bound to the app in create_app()."""
from engineio.payload import Payload
from flask import current_app, g, request
from flask_cors import CORS
from flask_limiter import Limiter
from flask_talisman import Talisman
from limits import parse as parse_limit
from werkzeug.middleware.proxy_fix import ProxyFix

from . import realtime, redis_queue, throttle
from .auth import optional_actor
from .runtime.lean_events import CompactJSON, LeanSocketIO

# socket.io-client sends what it buffered while (re)connecting in one long-polling POST, cut only
# at the server's maxPayload in bytes; python-engineio dropped a whole POST of more than 16 packets
# without a word. Enough for a payload of small events; each still passes the connection's limits.
PACKETS_PER_POST = 1000


def rate_limit_key():
    """Key REST rate limits by user when authenticated, else by client address."""
    actor = optional_actor()
    return f"user:{actor.id}" if actor else f"ip:{request.remote_addr}"


def configured_limit(name):
    """Return a callable reading a limit from the current app's config at request time.

    The limiter is module-level (route decorators need it) while tests build many apps
    with different limits; callables keep each app's own values.
    """
    return lambda: current_app.config[name]


def is_preflight():
    """Return True for a browser's CORS preflight (an OPTIONS that names the method to come)."""
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def answer_preflight():
    """Answer every preflight before authentication and rate limits; flask-cors adds its headers.

    The frontend sends Authorization and a JSON Content-Type on every call, so browsers preflight
    them all; the blueprints' authentication would otherwise refuse the preflight (it carries no
    token) and the browser would never send the call. Only flask-cors decides what an origin may do.
    """
    if is_preflight():
        return current_app.response_class(status=200)
    return None


def own_retry_after(response):
    """Keep `Retry-After` where it means something, and the app's own value where it set one.

    flask-limiter writes its REST window's reset on every answer and, when the app set its own
    (a 503's 5 s, the per-user message limit's window), the later of the two: a page told to
    wait 15 minutes after a database blip. Registered before the limiter, so it runs after it.
    """
    own = g.get("retry_after")
    if own:
        response.headers["Retry-After"] = own
    elif response.status_code != 429:
        response.headers.pop("Retry-After", None)
    elif response.headers.get("Retry-After", "").isdigit():
        # flask-limiter rounds the window's end down: one second more (never past the window's
        # length), so that waiting as told succeeds.
        told = int(response.headers["Retry-After"])
        window = parse_limit(current_app.config["RATE_LIMIT_REST"]).get_expiry()
        response.headers["Retry-After"] = str(min(told + 1, max(told, window)))
    return response


def counted_by_its_own_limit():
    """Return True when the route counts this request under a limit of its own instead of the REST one."""
    counted = getattr(current_app.view_functions.get(request.endpoint), "counted_by_its_own_limit", None)
    return bool(counted and counted())


# One REST budget per user (per address when anonymous) across every route: flask-limiter counts
# `default_limits` per route, which gave each user RATE_LIMIT_REST on each of ~45 routes.
limiter = Limiter(key_func=rate_limit_key, application_limits=[configured_limit("RATE_LIMIT_REST")],
                  application_limits_exempt_when=counted_by_its_own_limit, headers_enabled=True)
limiter.request_filter(is_preflight)  # never counted, whatever runs first
cors = CORS()
talisman = Talisman()


def make_socketio(app):
    """Return a SocketIO bound to this app.

    One instance per app, not a module global: SocketIO keeps options (such as a message
    queue) across init_app calls, and handlers registered after the first init_app would
    be lost for later apps (see STACK.md); a fresh instance per app has neither trap.
    """
    config = app.config
    Payload.max_decode_packets = PACKETS_PER_POST  # python-engineio's own knob, process-wide
    socketio = LeanSocketIO()
    manager = redis_queue.client_manager(config, realtime.NAMESPACES)
    socketio.init_app(
        app,
        async_mode=config["SOCKETIO_ASYNC_MODE"],
        cors_allowed_origins=config["FRONTEND_URL"],
        client_manager=manager,
        max_http_buffer_size=config["SOCKETIO_MAX_PAYLOAD_BYTES"],
        manage_session=False,
        # One event at a time per socket, in the socket's own reader: a flooding client then
        # waits on itself (TCP back-pressure) instead of spawning a green thread per packet
        # and starving everyone; it also keeps each socket's events in order.
        async_handlers=config["SOCKETIO_ASYNC_HANDLERS"],
        logger=False,
        engineio_logger=False,
        ping_interval=config["SOCKETIO_PING_INTERVAL"],
        ping_timeout=config["SOCKETIO_PING_TIMEOUT"],
        json=CompactJSON,
    )
    redis_queue.start(socketio.server)
    return socketio


def init_app(app):
    """Bind limiter, CORS, security headers and the proxy fix."""
    config = app.config
    app.config["RATELIMIT_STORAGE_URI"] = throttle.storage_uri(config["RATELIMIT_STORAGE_URI"])
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)  # Redis down must not take REST down
    # A hung Redis must not hang every request: bounded waits, then per-process limits meanwhile.
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", throttle.storage_options(config))
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    # Deployments sharing a Redis keep their budgets apart as they keep their rooms apart.
    app.config.setdefault("RATELIMIT_KEY_PREFIX", config["REDIS_CHANNEL"])
    # Registered before the limiter's own check, which a preflight then never reaches.
    app.before_request(answer_preflight)
    app.after_request(own_retry_after)
    limiter.init_app(app)
    cors.init_app(
        app,
        # Every path, not only /api: the service page and the contract's 404 are readable too.
        resources={r"/*": {"origins": config["FRONTEND_URL"]}},
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["Retry-After", "X-Request-ID"],
        max_age=600,
    )
    production = config["APP_ENV"] == "production"
    # Heroku's router terminates TLS and says so in X-Forwarded-Proto / -For: one proxy by default
    # in production. Believed from more hops than there are, the header picks the client's address.
    hops = config["PROXY_HOPS"] if config["PROXY_HOPS"] is not None else int(production)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    talisman.init_app(
        app,
        force_https=production,
        strict_transport_security=production,
        session_cookie_secure=production,
        content_security_policy={"default-src": "'self'", "frame-ancestors": "'none'"},
    )
