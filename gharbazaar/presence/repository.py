"""Presence storage: one document per live socket, one per user (chosen status, lastSeen), and
one per server process.

A process vouches for its sockets: it writes its own document's `lastSeen` every HEARTBEAT
seconds (`beat`), and a socket is live while its process's beat, or its own `lastSeen` (written
when it connected), is within the staleness window. A socket past both belongs to a process that
died without saying so. Writing one document per process, where every socket's document used to
be refreshed, keeps the sweep's cost flat in the number of sockets (docs/decisions.md).
"""
from datetime import datetime, timedelta, timezone

from pymongo import ASCENDING, IndexModel, ReplaceOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from ..db import get_db
from ..models import utcnow
from ..batch import coalesced

SOCKETS, USERS, PROCESSES = "presence_sockets", "presence", "presence_processes"
# The chosen status that hides a user: they read as offline, and their lastSeen stays as it was.
INVISIBLE = "offline"
HIDDEN = object()  # what mark_offline answers when it flipped an invisible user
# A process's document outlives its last beat by a day, then the database drops it.
FORGET_PROCESS_AFTER_S = 86400
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # a range from it lets every planner use process_seen

# collection -> the indexes its queries need; the feature's init_app registers them.
INDEXES = {}
INDEXES[SOCKETS] = [
    IndexModel([("userId", ASCENDING), ("lastSeen", ASCENDING)], name="by_user_fresh"),
    # The sweep: which processes hold sockets, and the stale sockets of a silent one.
    IndexModel([("process", ASCENDING), ("lastSeen", ASCENDING)], name="process_seen"),
    IndexModel([("available", ASCENDING), ("lastSeen", ASCENDING)], name="available_fresh"),
]
# Indexes earlier releases created that no query needs any more; ensure_indexes drops them.
RETIRED = {SOCKETS: ["by_process", "by_last_seen"]}
INDEXES[PROCESSES] = [
    IndexModel([("lastSeen", ASCENDING)], expireAfterSeconds=FORGET_PROCESS_AFTER_S, name="by_beat"),
]


def _sockets():
    return get_db()[SOCKETS]


def _users():
    return get_db()[USERS]


def _processes():
    return get_db()[PROCESSES]


def add_socket(sid, user_id, role, process, available=False):
    """Record a live socket (sockets connecting together share one round trip)."""
    now = utcnow()
    coalesced("presence.add_socket", _add_sockets)({
        "_id": sid, "userId": user_id, "role": role, "process": process, "available": available,
        "connectedAt": now, "lastSeen": now})


def _add_sockets(docs):
    try:
        _sockets().bulk_write([ReplaceOne({"_id": doc["_id"]}, doc, upsert=True) for doc in docs],
                              ordered=False)
    except BulkWriteError as exc:
        failed = {error["index"] for error in exc.details.get("writeErrors", ())}
        # Without per-write errors (a write concern failure), no write can be trusted.
        return [exc if not failed or i in failed else None for i in range(len(docs))]
    return [None] * len(docs)


# Presence writes that need no document back are plain updates and deletes: one command on
# `mongod` as a findAndModify would be, and SecantusDB serves them from `_id` where its
# findAndModify scans the collection (docs/performance.md).
def remove_socket(sid):
    """Delete a socket document; return whether this caller did (another process may have)."""
    return _sockets().delete_one({"_id": sid}).deleted_count == 1


# While heartbeats arrive together, each write waits this long for others: ~8 per write at the
# marketplace day's 167 a second, for a delay nobody sees (the frontend does not wait for the
# answer). A heartbeat alone never waits (batch.Coalescer).
HEARTBEAT_LINGER_S = 0.05


def touch_user(user_id):
    """Refresh an online user's lastSeen (heartbeats arriving together share one write)."""
    coalesced("presence.touch_users", _touch_users, linger_s=HEARTBEAT_LINGER_S)(user_id)


def _touch_users(user_ids):
    ids = list(set(user_ids))
    # Only while online: a heartbeat handled after its user went offline does not move the
    # lastSeen that going offline recorded.
    # Nor while they chose to look offline: their lastSeen stays the instant they went invisible.
    who = ids[0] if len(ids) == 1 else {"$in": ids}
    _users().update_many({"_id": who, "online": True, "status": {"$ne": INVISIBLE}},
                         {"$set": {"lastSeen": utcnow()}})
    return [None] * len(user_ids)


def beat(process):
    """Record that the process is alive, and so is every socket it holds; return its previous beat
    (None for its first)."""
    before = _processes().find_one_and_update({"_id": process}, {"$set": {"lastSeen": utcnow()}},
                                              projection={"lastSeen": 1}, upsert=True)
    return before and before.get("lastSeen")


def count_sockets(process):
    """Return how many socket documents the process holds."""
    return _sockets().count_documents({"process": process, "lastSeen": {"$gte": EPOCH}})


def socket_ids(process):
    """Return the ids of the socket documents the process holds."""
    found = _sockets().find({"process": process, "lastSeen": {"$gte": EPOCH}}, projection={"_id": 1})
    return {doc["_id"] for doc in found}


def _live_processes(since):
    return {doc["_id"] for doc in _processes().find({"lastSeen": {"$gte": since}}, projection={"_id": 1})}


def _live(sockets, since):
    """Return the user ids of the sockets whose process, or which themselves, were seen since."""
    sockets = list(sockets)
    live = {doc["userId"] for doc in sockets if doc["lastSeen"] >= since}
    # Only the sockets older than the window need their process asked about.
    silent = [doc for doc in sockets if doc["userId"] not in live]
    if silent:
        processes = _live_processes(since)
        live.update(doc["userId"] for doc in silent if doc["process"] in processes)
    return live


def set_available(sid, value=True):
    _sockets().update_one({"_id": sid}, {"$set": {"available": value}})


_LIVENESS = {"_id": 0, "userId": 1, "process": 1, "lastSeen": 1}


def live_user_ids(user_ids, window_s):
    """Return the subset of user ids with at least one fresh socket."""
    since = utcnow() - timedelta(seconds=window_s)
    user_ids = list(user_ids)
    # One user (every connect and disconnect) asks by equality, which any planner serves from
    # by_user_fresh; a batch (presence:get-status) needs $in.
    who = user_ids[0] if len(user_ids) == 1 else {"$in": user_ids}
    return _live(_sockets().find({"userId": who}, projection=_LIVENESS), since)


def is_live(user_id, window_s):
    """Return whether the user has a fresh socket (checks made together share one round trip)."""
    return coalesced(f"presence.is_live.{window_s}", lambda ids: _live_among(ids, window_s))(user_id)


def _live_among(user_ids, window_s):
    live = live_user_ids(set(user_ids), window_s)
    return [user_id in live for user_id in user_ids]


def stale_sockets(window_s, limit=500):
    """Return up to `limit` sockets that neither their process nor they themselves refreshed
    within the window: those of processes that died without saying so."""
    since = utcnow() - timedelta(seconds=window_s)
    live, found = _live_processes(since), []
    # Every process holding sockets (a range, so that every planner reads it from process_seen).
    for process in _sockets().distinct("process", {"process": {"$gte": ""}}):
        if process not in live and len(found) < limit:
            stale = {"process": process, "lastSeen": {"$lt": since}}
            found += _sockets().find(stale, limit=limit - len(found))
    return found


def available_user_ids(window_s):
    since = utcnow() - timedelta(seconds=window_s)
    return _live(_sockets().find({"available": True}, projection=_LIVENESS), since)


def mark_online(user_id):
    """Flip the user to online; return True if this caller flipped it.

    A new session starts `online` whatever status the last one chose: the frontend never sends
    its choice again on connect, and an employee left `away` would never be handed a ticket.
    """
    try:
        flipped = _users().update_one({"_id": user_id, "online": {"$ne": True}},
                                      {"$set": {"online": True, "lastSeen": utcnow(), "status": "online"}},
                                      upsert=True)
    except DuplicateKeyError:
        # The user is already online: the filter missed their document and the upsert then
        # collided with it. Nobody flipped anything, so there is nothing to announce.
        return False
    return flipped.modified_count == 1 or flipped.upserted_id is not None


def mark_back_online(user_id):
    """Flip a user back online, keeping the status they chose; return their document when this
    caller flipped it, else None (a live socket's record was retired while it was still open)."""
    doc = _users().find_one({"_id": user_id}) or {"_id": user_id, "status": "online"}
    if doc.get("online"):
        return None
    # An invisible user's lastSeen stays the instant they went invisible.
    back = {"online": True} if doc.get("status") == INVISIBLE else {"online": True, "lastSeen": utcnow()}
    try:
        flipped = _users().update_one({"_id": user_id, "online": {"$ne": True}}, {"$set": back}, upsert=True)
    except DuplicateKeyError:  # flipped online meanwhile (a new socket): nothing to announce
        return None
    return doc if flipped.modified_count == 1 or flipped.upserted_id is not None else None


def mark_offline(user_id):
    """Flip the user to offline; return their new lastSeen when this caller flipped it, HIDDEN when it
    flipped a user who chose to look offline (lastSeen kept, nothing to announce), else None."""
    now = utcnow()
    if _users().update_one({"_id": user_id, "online": True, "status": {"$ne": INVISIBLE}},
                           {"$set": {"online": False, "lastSeen": now}}).modified_count:
        return now
    hidden = _users().update_one({"_id": user_id, "online": True, "status": INVISIBLE},
                                 {"$set": {"online": False}}).modified_count
    return HIDDEN if hidden else None


def set_status(user_id, status):
    """Record the user's chosen status; going invisible again does not move the lastSeen it froze."""
    if status != INVISIBLE:
        _users().update_one({"_id": user_id}, {"$set": {"status": status, "lastSeen": utcnow()}}, upsert=True)
        return
    try:
        _users().update_one({"_id": user_id, "status": {"$ne": INVISIBLE}},
                            {"$set": {"status": status, "lastSeen": utcnow()}}, upsert=True)
    except DuplicateKeyError:  # already invisible: the filter missed it and the upsert collided
        pass


def users(user_ids):
    return {doc["_id"]: doc for doc in _users().find({"_id": {"$in": list(user_ids)}})}
