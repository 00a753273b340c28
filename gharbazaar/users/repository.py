"""The `users` collection: names and emails learned from the tokens of users who act."""
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from ..db import get_db
from ..models import utcnow
from ..batch import coalesced


def _users():
    return get_db().users


def upsert(actor):
    """Record the actor's latest role, name and email (actors arriving together share one round trip)."""
    coalesced("users.upsert", _upsert_many)(actor)


def _upsert_many(actors):
    # One write per user: two upserts of one new id in a batch would collide on insert.
    latest = {actor.id: actor for actor in actors}
    now = utcnow()
    writes = [UpdateOne({"_id": actor.id}, {"$set": _profile(actor, now), "$setOnInsert": {"createdAt": now}},
                        upsert=True)
              for actor in latest.values()]
    try:
        _users().bulk_write(writes, ordered=False)
    except BulkWriteError as exc:
        ids = list(latest)
        failed = {ids[error["index"]] for error in exc.details.get("writeErrors", ())}
        # Without per-write errors (a write concern failure), no write can be trusted.
        return [exc if not failed or actor.id in failed else None for actor in actors]
    return [None] * len(actors)


def _profile(actor, now):
    return {"role": actor.role, "name": actor.name, "email": actor.email, "updatedAt": now}


def find_many(user_ids):
    """Return {id: stored user} for the ids that are known."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {doc["_id"]: doc for doc in _users().find({"_id": {"$in": ids}})}
