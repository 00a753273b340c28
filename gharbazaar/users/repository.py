"""The `users` collection: names and emails learned from the tokens of users who act."""
from ..db import get_db
from ..documents import utcnow


def _users():
    return get_db().users


def upsert(actor):
    """Record the actor's latest role, name and email."""
    _users().update_one(
        {"_id": actor.id},
        {"$set": {"role": actor.role, "name": actor.name, "email": actor.email, "updatedAt": utcnow()},
         "$setOnInsert": {"createdAt": utcnow()}},
        upsert=True)


def find_many(user_ids):
    """Return {id: stored user} for the ids that are known."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {doc["_id"]: doc for doc in _users().find({"_id": {"$in": ids}})}
