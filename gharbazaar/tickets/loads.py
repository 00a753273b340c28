"""The `ticketloads` collection: each employee's active tickets, reserved atomically under a cap.

One document per employee: `active` (the count), `holds` (one `{token, ticket, at}` per
reservation) and `lastAssignedAt`. A reservation is a conditional `$inc` + `$push` in one
update, so processes racing for the last free slot cannot both win; auto-assignment also
requires the load to be the one its choice was made on (`reserve_unchanged`). Every hold
has its own token, stored on the ticket it activates: releasing removes exactly that token,
so a release and a new reservation for the same ticket never cancel each other.
"""
from datetime import timedelta

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from ..db import get_db
from ..models import utcnow

LOADS = "ticketloads"


def _loads():
    return get_db()[LOADS]


def reserve(employee_id, ticket_id, cap=None, assigned=True, now=None, upsert=True):
    """Add one active ticket to the employee (under cap if given); return the token or None.

    upsert=False skips creating the employee's document, for callers that just read it.
    """
    now = now or utcnow()
    if upsert:
        _loads().update_one({"_id": employee_id},
                            {"$setOnInsert": {"active": 0, "holds": [], "lastAssignedAt": None}}, upsert=True)
    query = {"_id": employee_id}
    if cap is not None:
        query["active"] = {"$lt": cap}
    token = ObjectId()
    update = {"$inc": {"active": 1}, "$push": {"holds": {"token": token, "ticket": ticket_id, "at": now}}}
    if assigned:
        update["$set"] = {"lastAssignedAt": now}
    return token if _loads().update_one(query, update).modified_count else None


def reserve_unchanged(employee_id, ticket_id, doc, now):
    """Add one active ticket only if the employee's load is still `doc` as read; return the token or None.

    The filter is the whole ranking key (active count, last assignment): if it still holds,
    so does the choice made on it. `doc` None (no load document yet) creates it with the ticket.
    """
    seen = doc or {"active": 0, "lastAssignedAt": None}
    query = {"_id": employee_id, "active": seen["active"], "lastAssignedAt": seen.get("lastAssignedAt")}
    token = ObjectId()
    update = {"$inc": {"active": 1}, "$set": {"lastAssignedAt": now},
              "$push": {"holds": {"token": token, "ticket": ticket_id, "at": now}}}
    try:
        result = _loads().update_one(query, update, upsert=doc is None)
    except DuplicateKeyError:
        return None  # the document appeared meanwhile: the read is stale
    return token if result.matched_count or result.upserted_id is not None else None


def unmark(employee_id, at, previous):
    """Put back the employee's last assignment time when the assignment made `at` fell through."""
    _loads().update_one({"_id": employee_id, "lastAssignedAt": at}, {"$set": {"lastAssignedAt": previous}})


def release(employee_id, token):
    """Remove one reservation; idempotent (a second release of the token does nothing)."""
    if employee_id is None or token is None:
        return False
    result = _loads().update_one({"_id": employee_id, "holds.token": token},
                                 {"$inc": {"active": -1}, "$pull": {"holds": {"token": token}}})
    return bool(result.modified_count)


def find_many(employee_ids):
    """Return {employee id: load document} for the ids that have one."""
    return {doc["_id"]: doc for doc in _loads().find({"_id": {"$in": list(employee_ids)}})}


def find(employee_id):
    """Return the employee's load document, or None."""
    return _loads().find_one({"_id": employee_id})


def old_holds(doc, older_than_s):
    """Return the reservations in a load document made more than older_than_s seconds ago."""
    since = utcnow() - timedelta(seconds=older_than_s)
    return [hold for hold in doc.get("holds", []) if hold["at"] < since]
