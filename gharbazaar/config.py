"""Configuration read from the environment; the only module that reads it."""
import json
import os
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENVIRONMENTS = ("development", "production", "test")
MIN_SECRET_BYTES = 32
# Secrets copied from examples (ours and the original backend's) must never reach production.
EXAMPLE_SECRETS = {
    "change-me-to-a-random-string-of-at-least-32-bytes",
    "your_secret_key_here",
    "your_secret",
    "<strong_random_secret>",
    "dev-only-secret-do-not-use-in-production-000",
}
# Heroku's router reaches the dyno from outside its loopback.
ALL_INTERFACES = "0.0.0.0"  # nosec B104
# MONGODB_WRITE_CONCERN -> (w, j). "majority" with j is durable on a standalone server (the
# majority is the server itself, j makes it wait for the journal's fsync) and on a replica set.
WRITE_CONCERNS = {"majority": ("majority", True), "journaled": (1, True), "acknowledged": (1, False)}
# Development only: production refuses to start with it (check() below).
DEV_SECRET = "dev-only-secret-do-not-use-in-production-000"  # nosec B105


class ConfigError(RuntimeError):
    """A setting that makes it unsafe or impossible to start."""


def _bool(value, default=False):
    if value is None or value == "":
        return default
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _list(value):
    return [item.strip().rstrip("/") for item in (value or "").split(",") if item.strip()]


def _json_object(name, value):
    """Return a JSON object setting as a dict ({} when unset); refuse anything else at startup."""
    if value is None or not value.strip():
        return {}
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ConfigError(f"{name} is not valid JSON ({exc.msg}): expected an object such as "
                          '\'{"payment": "block"}\'') from None
    if not isinstance(parsed, dict):
        raise ConfigError(f"{name} must be a JSON object mapping category to action (got {value!r})")
    return parsed


def database_name(uri, default="gharbazaar"):
    """Return the database named in a MongoDB URI's path, or the default."""
    path = urlsplit(uri).path.lstrip("/") if uri else ""
    return path or default


def load_env_file():
    """Read `.env` into the environment (development convenience; real env wins)."""
    from dotenv import load_dotenv
    load_dotenv(override=False)


def from_env(env=None):
    """Build the configuration dictionary from an environment mapping."""
    env = os.environ if env is None else env
    app_env = (env.get("APP_ENV") or env.get("NODE_ENV") or "development").strip().lower()
    if app_env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)} (got {app_env!r})")
    redis_url = env.get("REDIS_URL") or None
    mongodb_uri = env.get("MONGODB_URI") or None
    return {
        "APP_ENV": app_env,
        "PORT": int(env.get("PORT") or 5000),
        "HOST": env.get("HOST") or ALL_INTERFACES,
        "JWT_SECRET": env.get("JWT_SECRET") or (None if app_env == "production" else DEV_SECRET),
        "JWT_ISSUER": env.get("JWT_ISSUER") or None,
        "JWT_AUDIENCE": env.get("JWT_AUDIENCE") or None,
        "JWT_REQUIRE_EXP": _bool(env.get("JWT_REQUIRE_EXP"), default=True),
        "MONGODB_URI": mongodb_uri,
        "MONGODB_DB": env.get("MONGODB_DB") or database_name(mongodb_uri),
        "MONGODB_TIMEOUT_MS": int(env.get("MONGODB_TIMEOUT_MS") or 2000),
        "MONGODB_WRITE_CONCERN": (env.get("MONGODB_WRITE_CONCERN") or "majority").strip().lower(),
        "EMBEDDED_DB_PATH": env.get("EMBEDDED_DB_PATH") or ".data/mongo",
        "FRONTEND_URL": _list(env.get("FRONTEND_URL") or "http://localhost:3000"),
        "REDIS_URL": redis_url,
        "REDIS_CHANNEL": env.get("REDIS_CHANNEL") or "gharbazaar-socketio",
        # Proxies in front whose X-Forwarded-For / -Proto are believed (unset: 1 in production,
        # Heroku's router; 0 elsewhere). A process reachable around them must say 0.
        "PROXY_HOPS": int(env["PROXY_HOPS"]) if env.get("PROXY_HOPS") else None,
        "REDIS_TIMEOUT_MS": int(env.get("REDIS_TIMEOUT_MS") or 2000),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        "RATE_LIMIT_REST": env.get("RATE_LIMIT_REST") or "1000 per 15 minutes",
        "RATE_LIMIT_MESSAGES": env.get("RATE_LIMIT_MESSAGES") or "120 per minute",
        "RATE_LIMIT_CONVERSATIONS": env.get("RATE_LIMIT_CONVERSATIONS") or "30 per hour",
        "RATE_LIMIT_UPLOADS": env.get("RATE_LIMIT_UPLOADS") or "20 per 5 minutes",
        # Loads of one signed file link from one address (<img> sends no token: not the REST limit).
        "RATE_LIMIT_FILE_LINKS": env.get("RATE_LIMIT_FILE_LINKS") or "60 per minute",
        # Megabytes a user may upload (stored) per period, whatever the number of files.
        "RATE_LIMIT_UPLOAD_MB": env.get("RATE_LIMIT_UPLOAD_MB") or "300 per day",
        "RATE_LIMIT_SOCKET_EVENTS": env.get("RATE_LIMIT_SOCKET_EVENTS") or "20 per second",
        "RATE_LIMIT_SOCKET_FLOOD": env.get("RATE_LIMIT_SOCKET_FLOOD") or "100 per 10 seconds",
        "RATE_LIMIT_TYPING": env.get("RATE_LIMIT_TYPING") or "4 per second",
        # Typing events a connection may send beside its event limit: one per keystroke, held keys too.
        "RATE_LIMIT_SOCKET_TYPING": env.get("RATE_LIMIT_SOCKET_TYPING") or "60 per second",
        "RATE_LIMIT_JOINS": env.get("RATE_LIMIT_JOINS") or "60 per minute",
        "AUTO_ASSIGN": _bool(env.get("AUTO_ASSIGN"), default=True),
        "MAX_ACTIVE_TICKETS_PER_EMPLOYEE": int(env.get("MAX_ACTIVE_TICKETS_PER_EMPLOYEE") or 10),
        # The employee desk's day ("resolved today"): an IANA zone name.
        "DESK_TIMEZONE": env.get("DESK_TIMEZONE") or "Asia/Kolkata",
        # SLA targets in seconds: defaults, and per category (JSON {"<categoryId or title>":
        # {"firstResponse": s, "resolution": s}}). Business hours (e.g. "09:00-18:00", days
        # "0-4" = Monday to Friday, in DESK_TIMEZONE) make the clocks run only inside them.
        "SLA_FIRST_RESPONSE_S": int(env.get("SLA_FIRST_RESPONSE_S") or 3600),
        "SLA_RESOLUTION_S": int(env.get("SLA_RESOLUTION_S") or 24 * 3600),
        "SLA_TARGETS": _json_object("SLA_TARGETS", env.get("SLA_TARGETS")),
        "SLA_BUSINESS_HOURS": env.get("SLA_BUSINESS_HOURS") or None,
        "SLA_BUSINESS_DAYS": env.get("SLA_BUSINESS_DAYS") or "0-6",
        # An assignee silent this long on a ticket awaiting their reply loses it (0: never).
        "SILENCE_REASSIGN_S": int(env.get("SILENCE_REASSIGN_S") or 15 * 60),
        # How often each server process looks for due ticket timers.
        "TIMER_SWEEP_S": float(env.get("TIMER_SWEEP_S") or 2),
        "MAX_UPLOAD_MB": int(env.get("MAX_UPLOAD_MB") or 10),
        "FILE_LINK_TTL_S": int(env.get("FILE_LINK_TTL_S") or 24 * 3600),
        # An upload's whole body must arrive within this long; a user may have this many arriving at once.
        "UPLOAD_BODY_TIMEOUT_S": float(env.get("UPLOAD_BODY_TIMEOUT_S") or 120),
        "MAX_UPLOADS_IN_FLIGHT": int(env.get("MAX_UPLOADS_IN_FLIGHT") or 3),
        # Storing one upload (all its chunks) may take the database this long, not MONGODB_TIMEOUT_MS.
        "UPLOAD_DB_TIMEOUT_S": float(env.get("UPLOAD_DB_TIMEOUT_S") or 30),
        # A chat upload no message has carried this long after it was uploaded is removed.
        "UNSENT_FILE_TTL_S": int(env.get("UNSENT_FILE_TTL_S") or 24 * 3600),
        "UNSENT_SWEEP_S": float(env.get("UNSENT_SWEEP_S") or 300),
        "PUBLIC_URL": env.get("PUBLIC_URL") or None,
        "MAX_JSON_BYTES": int(env.get("MAX_JSON_BYTES") or 1024 * 1024),
        "SOCKETIO_MAX_PAYLOAD_BYTES": int(env.get("SOCKETIO_MAX_PAYLOAD_BYTES") or 100 * 1024),
        "MAX_SOCKETS_PER_USER": int(env.get("MAX_SOCKETS_PER_USER") or 20),
        # Engine.IO sessions that have not authenticated: closed after this long, refused past this many.
        "SOCKET_CONNECT_TIMEOUT_S": float(env.get("SOCKET_CONNECT_TIMEOUT_S") or 15),
        "MAX_PENDING_HANDSHAKES": int(env.get("MAX_PENDING_HANDSHAKES") or 2000),
        # HTTP connections: a request head must arrive whole within HTTP_HEAD_TIMEOUT_S of the
        # connection opening or going idle (idle keep-alive included); then each read of a body or
        # write of a response may wait HTTP_IO_TIMEOUT_S. Websockets keep their own ping timeout.
        "HTTP_HEAD_TIMEOUT_S": float(env.get("HTTP_HEAD_TIMEOUT_S") or 10),
        "HTTP_IO_TIMEOUT_S": float(env.get("HTTP_IO_TIMEOUT_S") or 30),
        # A request body (JSON, a long-polling POST) must arrive whole within this long.
        "HTTP_BODY_TIMEOUT_S": float(env.get("HTTP_BODY_TIMEOUT_S") or 30),
        "SOCKETIO_ASYNC_MODE": env.get("SOCKETIO_ASYNC_MODE") or "eventlet",
        "SOCKETIO_ASYNC_HANDLERS": _bool(env.get("SOCKETIO_ASYNC_HANDLERS"), default=False),
        "MAX_CONNECTIONS": int(env.get("MAX_CONNECTIONS") or 10000),
        # Engine.IO heartbeat, whole seconds: socket.io's own defaults, which the frontend expects.
        "SOCKETIO_PING_INTERVAL": int(env.get("SOCKETIO_PING_INTERVAL") or 25),
        "SOCKETIO_PING_TIMEOUT": int(env.get("SOCKETIO_PING_TIMEOUT") or 20),
        "SHUTDOWN_TIMEOUT_S": float(env.get("SHUTDOWN_TIMEOUT_S") or 8),
        # Database time the drain may spend on closing sockets' bookkeeping, all sockets together.
        "SHUTDOWN_DB_BUDGET_S": float(env.get("SHUTDOWN_DB_BUDGET_S") or 2),
        # Chat's safety guard: category -> action over the detector's defaults (checked at startup by
        # chat's init_app, which knows the categories), and link domains never flagged (None: default).
        "SAFETY_POLICY": _json_object("SAFETY_POLICY", env.get("SAFETY_POLICY")),
        "SAFETY_LINK_ALLOWLIST": _list(env.get("SAFETY_LINK_ALLOWLIST")) or None,
        "LOG_LEVEL": (env.get("LOG_LEVEL") or "INFO").upper(),
        "DB_METRICS": _bool(env.get("DB_METRICS")) and app_env != "production",
        "TESTING": False,
    }


def _check_sla(config):
    from .timewindows import parse_days, parse_hours
    try:
        parse_hours(config.get("SLA_BUSINESS_HOURS"))
        parse_days(config.get("SLA_BUSINESS_DAYS") or "0-6")
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    for key, targets in (config.get("SLA_TARGETS") or {}).items():
        if not isinstance(targets, dict) or not all(
                isinstance(targets.get(k, 1), int) and targets.get(k, 1) > 0
                for k in ("firstResponse", "resolution")):
            raise ConfigError(f"SLA_TARGETS[{key!r}] must be {{firstResponse, resolution}} in whole seconds")


def check(config):
    """Raise ConfigError when the configuration is unsafe for its environment."""
    try:
        ZoneInfo(config["DESK_TIMEZONE"])
    except (ValueError, ZoneInfoNotFoundError):
        zone = config["DESK_TIMEZONE"]
        raise ConfigError(f"DESK_TIMEZONE is not a known time zone (got {zone!r})") from None
    _check_sla(config)
    if config["MONGODB_WRITE_CONCERN"] not in WRITE_CONCERNS:
        raise ConfigError(f"MONGODB_WRITE_CONCERN must be one of {', '.join(WRITE_CONCERNS)} "
                          f"(got {config['MONGODB_WRITE_CONCERN']!r})")
    if config["APP_ENV"] != "production":
        return
    if config["MONGODB_WRITE_CONCERN"] == "acknowledged":
        raise ConfigError("MONGODB_WRITE_CONCERN=acknowledged loses acknowledged messages when the database "
                          "crashes: production needs majority (or journaled)")
    secret = config.get("JWT_SECRET")
    if not secret:
        raise ConfigError("JWT_SECRET is not set: production refuses to start without it")
    if secret in EXAMPLE_SECRETS:
        raise ConfigError("JWT_SECRET is an example value: set a random secret of at least 32 bytes")
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"JWT_SECRET is shorter than {MIN_SECRET_BYTES} bytes: use a longer random secret")
    if not config.get("MONGODB_URI"):
        raise ConfigError("MONGODB_URI is not set: production refuses to start without a database")
