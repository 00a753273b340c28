"""Presence storage: one document per live socket, one per user (chosen status, lastSeen).

Socket documents are refreshed by their process every HEARTBEAT seconds; one older than
the staleness window belongs to a process that died without saying so.
"""
from datetime import timedelta

from pymongo import ASCENDING, IndexModel, ReplaceOne, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from ..db import get_db
from ..models import utcnow
from ..batch import coalesced

SOCKETS, USERS = "presence_sockets", "presence"

# collection -> the indexes its queries need; the feature's init_app registers them.
INDEXES = {}
INDEXES[SOCKETS] = [
    IndexModel([("userId", ASCENDING), ("lastSeen", ASCENDING)], name="by_user_fresh"),
    IndexModel([("process", ASCENDING)], name="by_process"),
    IndexModel([("lastSeen", ASCENDING)], name="by_last_seen"),
    IndexModel([("available", ASCENDING), ("lastSeen", ASCENDING)], name="available_fresh"),
]


def _sockets():
    return get_db()[SOCKETS]


def _users():
    return get_db()[USERS]


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


def touch_socket(sid, user_id):
    """Refresh a live socket's and its user's lastSeen (nothing when the socket is gone)."""
    now = utcnow()
    if _sockets().update_one({"_id": sid}, {"$set": {"lastSeen": now}}).matched_count:
        _users().update_one({"_id": user_id}, {"$set": {"lastSeen": now}})


def touch_process(process):
    _sockets().update_many({"process": process}, {"$set": {"lastSeen": utcnow()}})


def set_available(sid, value=True):
    _sockets().update_one({"_id": sid}, {"$set": {"available": value}})


def live_user_ids(user_ids, window_s):
    """Return the subset of user ids with at least one fresh socket."""
    since = utcnow() - timedelta(seconds=window_s)
    user_ids = list(user_ids)
    # One user (every connect and disconnect) asks by equality, which any planner serves from
    # by_user_fresh; a batch (presence:get-status) needs $in.
    who = user_ids[0] if len(user_ids) == 1 else {"$in": user_ids}
    query = {"userId": who, "lastSeen": {"$gte": since}}
    return set(_sockets().distinct("userId", query))


def is_live(user_id, window_s):
    """Return whether the user has a fresh socket (checks made together share one round trip)."""
    return coalesced(f"presence.is_live.{window_s}", lambda ids: _live_among(ids, window_s))(user_id)


def _live_among(user_ids, window_s):
    live = live_user_ids(set(user_ids), window_s)
    return [user_id in live for user_id in user_ids]


def stale_sockets(window_s, limit=500):
    since = utcnow() - timedelta(seconds=window_s)
    return list(_sockets().find({"lastSeen": {"$lt": since}}, limit=limit))


def available_user_ids(window_s):
    since = utcnow() - timedelta(seconds=window_s)
    return set(_sockets().distinct("userId", {"available": True, "lastSeen": {"$gte": since}}))


def mark_online(user_id):
    """Flip the user to online; return their document if this caller flipped it, else None."""
    try:
        return _users().find_one_and_update(
            {"_id": user_id, "online": {"$ne": True}},
            {"$set": {"online": True, "lastSeen": utcnow()}, "$setOnInsert": {"status": "online"}},
            upsert=True, return_document=ReturnDocument.AFTER)
    except DuplicateKeyError:
        # The user is already online: the filter missed their document and the upsert then
        # collided with it. Nobody flipped anything, so there is nothing to announce.
        return None


def mark_offline(user_id):
    """Flip the user to offline; return their new lastSeen when this caller flipped it, else None."""
    now = utcnow()
    flipped = _users().update_one({"_id": user_id, "online": True},
                                  {"$set": {"online": False, "lastSeen": now}}).modified_count
    return now if flipped else None


def set_status(user_id, status):
    return _users().find_one_and_update({"_id": user_id}, {"$set": {"status": status, "lastSeen": utcnow()}},
                                        upsert=True, return_document=ReturnDocument.AFTER)


def users(user_ids):
    return {doc["_id"]: doc for doc in _users().find({"_id": {"$in": list(user_ids)}})}
