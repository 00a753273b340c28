"""Socket.IO connections: handshake authentication, the connection registry, token expiry.

How feature handlers run on these connections (limits, acks, `error`) is `handlers.py`.
Flask-SocketIO's error handlers and Flask extensions (limiter, CORS, Talisman) do not reach
socket traffic, hence these modules.
"""
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

from blinker import Namespace
from flask import current_app, request
from flask_socketio import ConnectionRefusedError, emit, join_room
from werkzeug.exceptions import NotFound
from limits import parse as parse_limit

from . import realtime
from .runtime import eventlet_patches, guards
from .auth import TokenExpired, TokenMissing, strip_bearer, verify_token, Actor
from .errors import as_app_error
from .extensions import limiter

log = logging.getLogger("gharbazaar.socket")
signals = Namespace()
connected = signals.signal("socket-connected")
disconnected = signals.signal("socket-disconnected")

REFUSED_MISSING = "Authentication required. Please provide a valid token."
REFUSED_EXPIRED = "Token has expired. Please login again."
REFUSED_INVALID = "Invalid token. Please login again."
REFUSED_TOO_MANY = "Too many connections. Please close some tabs and try again."
EXPIRED_TEXT = "Token has expired. Please login again."


@dataclass
class Connection:
    """One authenticated socket (one sid in one namespace)."""

    sid: str
    namespace: str
    actor: Actor
    connected_at: float = field(default_factory=time.time)
    dropped: int = 0  # events dropped past their own budget (typing), of which a share count as flood

    def expired(self, now=None):
        return self.actor.exp is not None and self.actor.exp <= (now or time.time())


class _Windows:
    """Fixed-window event counters per connection, dropped with it.

    The rule of limits' FixedWindowRateLimiter (a window opens at its first hit and lasts the
    limit's period; refused hits count too), without its memory storage, which started a timer
    thread on every hit to expire keys and then walked every key of every socket.
    """

    def __init__(self):
        self.by_sid = {}

    def hit(self, limit, name, sid):
        windows = self.by_sid.get(sid)
        if windows is None:
            windows = self.by_sid[sid] = {}
        now = time.time()
        window = windows.get(name)
        if window is None or window[0] <= now:
            window = windows[name] = [now + limit.get_expiry(), 0]
        window[1] += 1
        return window[1] <= limit.amount

    def reset_at(self, name, sid):
        window = self.by_sid.get(sid, {}).get(name)
        return window[0] if window else time.time()

    def drop(self, sid):
        self.by_sid.pop(sid, None)


class Registry:
    """This process's live sockets, their actors, and per-connection event limits."""

    def __init__(self, event_limit, flood_limit):
        self.connections = {}
        self.per_user = Counter()
        self.limit = parse_limit(event_limit)
        self.flood = parse_limit(flood_limit)
        self.windows = _Windows()
        self.budgets = {}
        self.sweeping = False

    def add(self, conn):
        self.connections[conn.sid] = conn
        self.per_user[conn.actor.id] += 1

    def remove(self, sid):
        conn = self.connections.pop(sid, None)
        self.windows.drop(sid)
        if conn is not None:
            self.per_user[conn.actor.id] -= 1
            if self.per_user[conn.actor.id] <= 0:
                del self.per_user[conn.actor.id]
        return conn

    def allow(self, sid):
        return self.windows.hit(self.limit, "events", sid)

    def allow_own(self, budget, event, sid):
        """Count one event against its own per-connection budget (a limit string)."""
        limit = self.budgets.get(budget)
        if limit is None:
            limit = self.budgets[budget] = parse_limit(budget)
        return self.windows.hit(limit, ("own", event), sid)

    def flooding(self, sid):
        """Count one refused event; return True once a socket keeps sending past its limit."""
        return not self.windows.hit(self.flood, "flood", sid)

    def retry_after(self, sid):
        return max(1, self.windows.reset_at("events", sid) - time.time())


def registry(app=None):
    """Return the app's socket registry."""
    return (app or current_app).extensions["gharbazaar.sockets"]


def _handshake_token(auth):
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token.strip():
        token = request.headers.get("Authorization")
    return strip_bearer(token) if isinstance(token, str) else None


def _on_connect(auth=None):
    try:
        actor = verify_token(_handshake_token(auth), current_app.config)
    except TokenMissing:
        raise ConnectionRefusedError(REFUSED_MISSING) from None
    except TokenExpired:
        raise ConnectionRefusedError(REFUSED_EXPIRED) from None
    except Exception:
        raise ConnectionRefusedError(REFUSED_INVALID) from None
    reg = registry()
    if reg.per_user[actor.id] >= current_app.config["MAX_SOCKETS_PER_USER"]:
        log.warning("socket refused: too many", extra={"fields": {"user": actor.id}})
        raise ConnectionRefusedError(REFUSED_TOO_MANY)
    conn = Connection(request.sid, request.namespace, actor)
    reg.add(conn)
    join_room(realtime.user_room(actor.id))
    if actor.is_staff:
        join_room(realtime.staff_user_room(actor.id))
    log.info("socket connected", extra={"fields": {
        "sid": conn.sid, "namespace": conn.namespace, "user": actor.id, "role": actor.role}})
    # Before the receivers: one of them failing (the database unreachable) must not leave this
    # socket, maybe the process's first, without its expiry check.
    _start_sweeper(current_app._get_current_object(), reg)
    connected.send(current_app._get_current_object(), conn=conn)


def _on_disconnect(reason=None):
    conn = registry().remove(request.sid)
    if conn is None:
        return
    log.info("socket disconnected", extra={"fields": {
        "sid": conn.sid, "namespace": conn.namespace, "user": conn.actor.id,
        "seconds": round(time.time() - conn.connected_at, 1), "reason": str(reason)}})
    disconnected.send(current_app._get_current_object(), conn=conn)


def report(event, exc):
    """Emit `error` to the caller only and return the failure ack."""
    err = as_app_error(exc)
    emit("error", {"message": err.message, "code": err.code, "event": event})
    return err.body()


def expire(socketio, conn):
    """Tell a socket its token expired, then disconnect it."""
    socketio.emit("error", {"message": EXPIRED_TEXT, "code": "token_expired", "event": "auth"},
                  to=conn.sid, namespace=conn.namespace, ignore_queue=True)
    socketio.server.disconnect(conn.sid, namespace=conn.namespace)


def _start_sweeper(app, reg):
    """Disconnect sockets whose tokens expire, checking every second while any are open."""
    if reg.sweeping:
        return
    reg.sweeping = True
    socketio = app.extensions["socketio"]

    def sweep():
        while True:
            while reg.connections:
                socketio.sleep(1)
                try:
                    _expire_due(app, socketio, reg)
                except Exception:  # a failed round must not end the sweep: the next one retries
                    log.exception("token expiry sweep failed")
            reg.sweeping = False
            # A socket may have connected while this loop was ending (threads, not green ones).
            if not reg.connections or reg.sweeping:
                return
            reg.sweeping = True

    socketio.start_background_task(sweep)


def _expire_due(app, socketio, reg):
    now = time.time()
    for conn in [c for c in list(reg.connections.values()) if c.expired(now)]:
        log.info("socket token expired", extra={"fields": {"sid": conn.sid, "user": conn.actor.id}})
        with app.app_context():
            expire(socketio, conn)


@limiter.exempt  # as any path without a route: a 404 is not counted against the caller
def _not_served():
    raise NotFound()


def init_app(app, socketio):
    """Authenticate every namespace's handshake and report unexpected errors."""
    guards.install(app, socketio)
    app.wsgi_app = eventlet_patches.lean_sockets(app.wsgi_app)
    # Flask-SocketIO pushes a request context for every event, on the handshake's path. Without a
    # rule for it Flask raises NotFound each time, and the exception's traceback keeps the whole
    # stack in a reference cycle until the cyclic collector runs. Engine.IO answers /socket.io/
    # before Flask sees it; anything else still gets the 404 it got before.
    app.add_url_rule("/socket.io/", "socket.io", _not_served, strict_slashes=False)
    app.extensions["gharbazaar.sockets"] = Registry(app.config["RATE_LIMIT_SOCKET_EVENTS"],
                                                    app.config["RATE_LIMIT_SOCKET_FLOOD"])
    for namespace in realtime.NAMESPACES:
        socketio.on_event("connect", _on_connect, namespace=namespace)
        socketio.on_event("disconnect", _on_disconnect, namespace=namespace)
    socketio.on_error_default(lambda exc: report(request.event.get("message"), exc))
