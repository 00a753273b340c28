"""How feature socket handlers run: mounted on namespaces, rate-limited, answered by ack or `error`.

Feature modules (`chat/events.py`, `tickets/events.py`) export plain functions
`handler(conn, payload) -> dict`; `mount()` wraps each so that it is rate-limited, refuses
expired tokens, answers acks with the REST envelope and reports failures as the `error` event
to the emitting socket only.
"""
import logging

from flask import current_app, request

from .errors import AppError, RateLimited, Unauthorized
from .sockets import EXPIRED_TEXT, expire, registry, report

log = logging.getLogger("gharbazaar.socket")
FLOOD_TEXT = "Disconnected: too many events."
# One in this many events dropped past their own budget counts toward the flood cut-off: typing
# done offline arrives as one burst when socket.io-client reconnects (a few hundred keys), while a
# flooder's thousands a second are still cut off within a fraction of a second.
DROPS_PER_FLOOD_UNIT = 4


def own_budget(setting):
    """Give an event its own per-connection budget (the config value `setting`).

    Within it the event does not count toward the connection's event limit; past it the event
    is dropped without an answer or `error` (typing: one event per keystroke is normal), and
    counts toward the flood cut-off like any refused event.
    """
    def mark(handler):
        handler.budget = setting
        return handler
    return mark


def _refuse(reg, conn, event):
    """Count a refused event; cut the socket off when it keeps sending past its limits."""
    socketio = current_app.extensions["socketio"]
    if reg.flooding(conn.sid):
        _cut_off(socketio, conn, event)
    # A refusal does no I/O, so a flooder's reader would answer its whole backlog
    # of frames before any other socket ran: let the others go first each time.
    socketio.sleep(0)


def _wrap(event, handler):
    budget = getattr(handler, "budget", None)

    def on_event(payload=None, *_extra):
        reg = registry()
        conn = reg.connections.get(request.sid)
        try:
            if conn is None:
                raise Unauthorized("Authentication required. Please provide a valid token.")
            if conn.expired():
                expire(current_app.extensions["socketio"], conn)
                raise Unauthorized(EXPIRED_TEXT, code="token_expired")
            if budget is not None:
                if not reg.allow_own(current_app.config[budget], event, conn.sid):
                    conn.dropped += 1
                    if conn.dropped % DROPS_PER_FLOOD_UNIT == 0:
                        _refuse(reg, conn, event)
                    return {"success": True, "data": {"dropped": True}}
            elif not reg.allow(conn.sid):
                _refuse(reg, conn, event)
                raise RateLimited(retry_after=reg.retry_after(conn.sid),
                                  message="Too many events. Please slow down.")
            data = handler(conn, payload)
            return {"success": True, "data": data if data is not None else {}}
        except AppError as exc:
            return report(event, exc)
        except Exception as exc:  # one bad event must never kill the connection
            return report(event, exc)
    on_event.__name__ = f"on_{event}"
    return on_event


def mount(socketio, handlers, namespaces):
    """Register feature handlers ({event: fn(conn, payload)}) on the given namespaces."""
    for namespace in namespaces:
        for event, handler in handlers.items():
            socketio.on_event(event, _wrap(event, handler), namespace=namespace)


def mount_unhandled(socketio, namespaces):
    """Count events no handler takes (unknown or refused names) against the connection's limits.

    python-socketio ignores them, so a socket could send them without end, outside every limit;
    they are still dropped without an answer, as before."""
    for namespace in namespaces:
        socketio.on_event("*", _unhandled, namespace=namespace)


def _unhandled(event, *_args):
    reg = registry()
    conn = reg.connections.get(request.sid)
    if conn is not None and not reg.allow(conn.sid):
        _refuse(reg, conn, event)


def _cut_off(socketio, conn, event):
    """Disconnect a socket that ignores its rate limit, so it cannot starve other users."""
    log.warning("socket cut off for flooding", extra={"fields": {"sid": conn.sid, "user": conn.actor.id}})
    socketio.emit("error", {"message": FLOOD_TEXT, "code": "rate_limited", "event": event},
                  to=conn.sid, namespace=conn.namespace, ignore_queue=True)
    socketio.server.disconnect(conn.sid, namespace=conn.namespace)
