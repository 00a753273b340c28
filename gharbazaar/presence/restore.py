"""This process's open sockets whose records another process retired, found and written again.

Another process retires the sockets of a process whose beat is older than the staleness window.
After a database stall longer than that window every beat is old, so a process may retire the
sockets of one that is alive: their users would show offline, and an employee there would not be
handed tickets, for as long as those sockets stay open. Each sweep therefore counts the records
this process holds, and only when fewer than its open sockets reads their ids and writes the
missing ones again (docs/decisions.md, 2026-12-08 presence).
"""
from .. import sockets
from . import pending, repository

AVAILABLE = "gharbazaar.presence_available"


def note_available(app, sid):
    """Remember that the socket declared itself available (its record carries the flag)."""
    app.extensions.setdefault(AVAILABLE, set()).add(sid)


def forget(app, sid):
    """Forget a closed socket."""
    app.extensions.get(AVAILABLE, set()).discard(sid)


def _recorded(app):
    """Return this process's open sockets whose records were written (not those still pending)."""
    found = {}
    for sid, conn in list(sockets.registry(app).connections.items()):
        entry = pending.get(app, sid)
        if entry is None or entry.recorded:
            found[sid] = conn
    return found


def missing(app, process):
    """Return [(connection, available)] for this process's open sockets that have no record."""
    open_now = _recorded(app)
    # A count is one command whatever the sockets: their ids are read only when one is missing.
    if not open_now or repository.count_sockets(process) >= len(open_now):
        return []
    held = repository.socket_ids(process)
    chosen = app.extensions.get(AVAILABLE, set())
    return [(conn, sid in chosen) for sid, conn in open_now.items() if sid not in held]


def rewrite(app, conn, process, available):
    """Write a missing socket's record again; return False if the socket closed meanwhile."""
    repository.add_socket(conn.sid, conn.actor.id, conn.actor.role, process, available)
    if conn.sid in sockets.registry(app).connections:
        return True
    # Closed while this was written: its disconnect found no record to remove, so remove it here.
    repository.remove_socket(conn.sid)
    return False
