"""Who is online, across every process: counts of live sockets kept in MongoDB.

Announcements go only to the user's contacts: the people who share a conversation or an
open ticket with them. Features say who those are through `register_contacts()`. A socket may
also declare itself available for work; what work is belongs to the feature that asks.
"""
import logging
import uuid
from datetime import timedelta

from blinker import Namespace
from flask import current_app

from .. import sockets
from ..models import iso, utcnow
from ..errors import ValidationFailed
from . import contacts, pending, repository, restore
# Features register their contacts here, and the service's callers ask it who they are.
from .contacts import contacts_of, register_contacts, register_exclusions  # noqa: F401

log = logging.getLogger(__name__)
STALE_AFTER_S = 90
HEARTBEAT_S = 30
STATUSES = ("online", "away", "offline")
MAX_STATUS_QUERY = 100

signals = Namespace()
# Sent with user_id when a user may be given work: a socket of theirs declared itself available,
# or they set their status back to online (tickets hand out waiting tickets then).
became_available = signals.signal("became-available")
# Sent after each periodic sweep, for work that waits on time passing rather than on an event.
swept = signals.signal("swept")


def process_id(app=None):
    """Return this process's presence identity (one per app instance)."""
    app = app or current_app
    return app.extensions.setdefault("gharbazaar.process_id", uuid.uuid4().hex)


def connected(conn, available=False):
    """Record a new socket; announce the user online if it is their first anywhere."""
    repository.add_socket(conn.sid, conn.actor.id, conn.actor.role, process_id(), available)
    if repository.mark_online(conn.actor.id):
        contacts.announce(conn.actor.id, "presence:user-online",
                          {"userId": conn.actor.id, "status": "online"})


def record_connected(conn):
    """Record a new socket now, or (the database unreachable) as soon as it answers again."""
    try:
        connected(conn)
    except Exception as exc:
        log.warning("presence not recorded on connect: retried until the database answers",
                    extra={"fields": {"sid": conn.sid, "error": type(exc).__name__}})
        pending.later(current_app._get_current_object(), conn, settle_late)


def settle_late(app, sid):
    """Write what a socket still needs (raises while the database is unreachable)."""
    entry = pending.get(app, sid)
    if entry is None:
        return
    if entry.available:
        restore.note_available(app, sid)
    if entry.recorded:
        repository.set_available(sid, True)
    else:
        connected(entry.conn, available=entry.available)
        entry.recorded = True
    pending.done(app, sid)
    if sid not in sockets.registry(app).connections:
        # It went away while this was written: undo, or its document would be refreshed forever.
        disconnected(entry.conn)
    elif entry.available:
        became_available.send(app, user_id=entry.conn.actor.id)


def disconnected(conn):
    """Forget a socket; announce the user offline if it was their last anywhere."""
    app = current_app._get_current_object()
    pending.done(app, conn.sid)
    restore.forget(app, conn.sid)
    if repository.remove_socket(conn.sid):
        _settle(conn.actor.id)


def _settle(user_id):
    if repository.is_live(user_id, STALE_AFTER_S):
        return
    last_seen = repository.mark_offline(user_id)
    if last_seen is None:
        return
    # A socket may have connected elsewhere between the count and the flip: look again. Live now,
    # the user stays online whoever flips them back (that socket's connect may already have, and
    # announced it): an offline announced after that online would show them offline while connected.
    if repository.is_live(user_id, STALE_AFTER_S):
        repository.mark_online(user_id)
        return
    if last_seen is repository.HIDDEN:  # they chose to look offline: their contacts already think so
        return
    contacts.announce(user_id, "presence:user-offline",
                      {"userId": user_id, "status": "offline", "lastSeen": iso(last_seen)})


def heartbeat(conn):
    """Refresh the user's lastSeen.

    The socket's document needs no write: its process vouches for all of its sockets every
    HEARTBEAT_S (sweep). The frontend sends this every 30 s per tab; a write per socket on top
    of the user's cost more than the day's messages did (docs/decisions.md).
    """
    repository.touch_user(conn.actor.id)
    return {"ok": True}


def update_status(actor, status):
    """Set the user's chosen status and tell their contacts."""
    if status not in STATUSES:
        raise ValidationFailed("status must be online, away or offline",
                               details=[{"field": "status", "message": "Must be online, away or offline."}])
    repository.set_status(actor.id, status)
    contacts.announce(actor.id, "presence:status-changed", {"userId": actor.id, "status": status})
    if status == "online":
        became_available.send(current_app._get_current_object(), user_id=actor.id)
    return {"userId": actor.id, "status": status}


def reintroduce(user_a, user_b):
    """Tell two users who may see each other again (a block lifted) which of them is online now."""
    for state, viewer_id in zip(statuses([user_a, user_b]), (user_b, user_a)):
        if state["status"] != "offline":  # offline, or chose to look it: nothing to say
            contacts.introduce(state["userId"], viewer_id, "presence:user-online",
                               {"userId": state["userId"], "status": state["status"]})


def statuses_for(viewer, user_ids):
    """Return statuses as the viewer may see them: staff see everyone, others only their contacts.

    Anyone else is answered `offline` with no lastSeen, as an unknown id is: presence is not a
    way to watch strangers.
    """
    answer = statuses(user_ids)
    if viewer.is_staff:
        return answer
    visible = contacts_of(viewer.id, as_staff=False) | {viewer.id}
    unknown = {"status": "offline", "lastSeen": None}
    return [user if user["userId"] in visible else {"userId": user["userId"], **unknown} for user in answer]


def statuses(user_ids):
    """Return [{userId, status, lastSeen}] for at most 100 ids (no socket ids)."""
    if not isinstance(user_ids, list) or not all(isinstance(u, str) for u in user_ids):
        raise ValidationFailed("userIds must be a list of strings",
                               details=[{"field": "userIds", "message": "Must be a list of strings."}])
    if len(user_ids) > MAX_STATUS_QUERY:
        raise ValidationFailed(f"At most {MAX_STATUS_QUERY} userIds",
                               details=[{"field": "userIds", "message": "Too many."}])
    ids = list(dict.fromkeys(user_ids))
    live = repository.live_user_ids(ids, STALE_AFTER_S)
    docs = repository.users(ids)
    out = []
    for user_id in ids:
        doc = docs.get(user_id, {})
        status = doc.get("status", "online") if user_id in live else "offline"
        out.append({"userId": user_id, "status": status, "lastSeen": iso(doc.get("lastSeen"))})
    return out


def declare_available(conn):
    """Mark the socket as available for work (tickets: it joined the employee room).

    Raises while the database is unreachable (the client is told `unavailable`), and the flag is
    then written when it returns, whether or not the client asks again.
    """
    app = current_app._get_current_object()
    if pending.get(app, conn.sid) is None:
        restore.note_available(app, conn.sid)
        try:
            repository.set_available(conn.sid, True)
        except Exception:
            pending.later(app, conn, settle_late, recorded=True, available=True)
            raise
    else:  # connected during the outage: its document is written now, flag included
        pending.later(app, conn, settle_late, available=True)
        settle_late(app, conn.sid)
        return
    became_available.send(app, user_id=conn.actor.id)


def available_users():
    """Return the ids of users with a live socket declared available and status online."""
    in_room = repository.available_user_ids(STALE_AFTER_S)
    if not in_room:
        return set()
    chosen = repository.users(in_room)
    return {uid for uid in in_room if chosen.get(uid, {}).get("status", "online") == "online"}


def forget_later(app, conn):
    """Keep a closed socket whose removal failed for the sweeper: this process's beat would
    otherwise vouch for its record, and its user would look online for as long as it runs."""
    app.extensions.setdefault("gharbazaar.presence_unforgotten", {})[conn.sid] = conn


def unforgotten(app):
    """Return the closed sockets whose removal is still to be written (sid -> connection)."""
    return app.extensions.get("gharbazaar.presence_unforgotten", {})


def sweep():
    """Retire this process's closed sockets not yet removed, vouch for the rest (writing again those
    another process retired), and retire stale ones of dead processes."""
    app = current_app._get_current_object()
    left = unforgotten(app)
    for sid, conn in list(left.items()):
        try:
            disconnected(conn)
        except Exception:  # database still away: the next round tries again (the beat too)
            log.warning("closed socket still not removed", extra={"fields": {"sid": sid}})
            break
        left.pop(sid, None)
    previous = repository.beat(process_id())
    _restore(app)
    # Only a process that could write its own beat through the window judges others silent in it:
    # after a database stall every beat is old, and the others' were as unwritable as its own.
    if previous is not None and previous >= utcnow() - timedelta(seconds=STALE_AFTER_S):
        for doc in repository.stale_sockets(STALE_AFTER_S):
            if repository.remove_socket(doc["_id"]):
                _settle(doc["userId"])
    swept.send(app)


def _restore(app):
    """Write again the records of this process's open sockets that another process retired."""
    for conn, available in restore.missing(app, process_id()):
        if not restore.rewrite(app, conn, process_id(), available):
            continue
        log.warning("presence of an open socket written again", extra={"fields": {"sid": conn.sid}})
        user = repository.mark_back_online(conn.actor.id)
        if user is not None and user.get("status") != repository.INVISIBLE:
            contacts.announce(conn.actor.id, "presence:user-online",
                              {"userId": conn.actor.id, "status": user.get("status", "online")})
        if available:
            became_available.send(app, user_id=conn.actor.id)
