"""Presence writes that failed (the database unreachable), kept per socket and retried until it returns.

A socket that connects during an outage is accepted: refusing its handshake would lose a browser
for good, since socket.io-client does not reconnect after a `connect_error` sent by the server
(docs/decisions.md). What its presence needs is kept here, and `settle` (the service's) is called
for it every RETRY_FIRST_S, backing off to RETRY_MAX_S, until it succeeds.
"""
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 4.0


@dataclass
class Entry:
    """What is still to be written for one socket."""

    conn: object
    recorded: bool = False  # its socket document exists; only the staff room flag is missing
    available: bool = False


def _entries(app):
    return app.extensions.setdefault("gharbazaar.presence_pending", {})


def get(app, sid):
    """Return the socket's Entry while something is still to be written, else None."""
    return _entries(app).get(sid)


def done(app, sid):
    """Forget the socket: written, or gone."""
    _entries(app).pop(sid, None)


def later(app, conn, settle, recorded=False, available=False):
    """Keep what the socket still needs, and make sure settle(app, sid) is retried for it."""
    entry = _entries(app).setdefault(conn.sid, Entry(conn, recorded))
    entry.available = entry.available or available
    if not app.extensions.get("gharbazaar.presence_retrying"):
        app.extensions["gharbazaar.presence_retrying"] = True
        app.extensions["socketio"].start_background_task(_retry, app, settle)


def _retry(app, settle):
    socketio = app.extensions["socketio"]
    delay = RETRY_FIRST_S
    while True:
        while _entries(app):
            socketio.sleep(delay)
            with app.app_context():
                delay = RETRY_FIRST_S if _settle_all(app, settle) else min(delay * 2, RETRY_MAX_S)
        app.extensions["gharbazaar.presence_retrying"] = False
        # Something may have been added while this loop was ending (threads, not green ones).
        if not _entries(app) or app.extensions.get("gharbazaar.presence_retrying"):
            return
        app.extensions["gharbazaar.presence_retrying"] = True


def _settle_all(app, settle):
    """Settle every waiting socket; return False at the first failure (the database still away)."""
    sids = list(_entries(app))
    for sid in sids:
        try:
            settle(app, sid)
        except Exception as exc:
            log.info("presence still not written", extra={"fields": {"error": type(exc).__name__}})
            return False
    log.info("presence written after an outage", extra={"fields": {"sockets": len(sids)}})
    return True
