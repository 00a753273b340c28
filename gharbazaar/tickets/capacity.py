"""What makes auto-assignment safe across processes: employees' loads under a cap, and one lease.

**Loads** (`ticketloads`): one document per employee: `active` (the count), `holds` (one
`{token, ticket, at}` per reservation) and `lastAssignedAt`. A reservation is a conditional
`$inc` + `$push` in one update, so processes racing for the last free slot cannot both win;
auto-assignment also requires the load to be the one its choice was made on
(`reserve_unchanged`). Every hold has its own token, stored on the ticket it activates:
releasing removes exactly that token, so a release and a new reservation for the same ticket
never cancel each other.

**The hand-out lease** (`ticketlease`): one hand-out at a time across every process, each
seeing the last one's result. `holder` (a token, or None when free), `until` (when a silent
holder loses it) and `pending` (a hand-out was asked for while it was held). A hand-out that
finds the lease held sets `pending` and leaves: the holder lets go only when `pending` is
unset, else it clears it and goes round again with fresh reads. Taking the lease leaves
`pending` as it is: a request made to a holder that then died is served by the next. A holder
that dies loses the lease after LEASE_TTL_S; the next hand-out (the periodic one at the latest)
takes over.
"""
import time
from datetime import timedelta

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from ..db import get_db
from ..models import utcnow
from . import clock

LOADS, LEASE, LEASE_KEY = "ticketloads", "ticketlease", "hand-out"
LEASE_TTL_S = 10
# Renewed after a third of its life, so a slow round trip does not let it lapse under a live holder.
LEASE_RENEW_AFTER_S = LEASE_TTL_S / 3
# Each failed attempt means the lease was released or taken between our two writes; after a
# few the periodic hand-out catches up with whatever we came for.
LEASE_ATTEMPTS = 5


def _loads():
    return get_db()[LOADS]


def reserve(employee_id, ticket_id, cap=None, assigned=True, now=None, upsert=True):
    """Add one active ticket to the employee (under cap if given); return the token or None.

    upsert=False skips creating the employee's document, for callers that just read it.
    """
    now = now or clock.now()
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


def find_loads(employee_ids):
    """Return {employee id: load document} for the ids that have one."""
    return {doc["_id"]: doc for doc in _loads().find({"_id": {"$in": list(employee_ids)}})}


def find_load(employee_id):
    """Return the employee's load document, or None."""
    return _loads().find_one({"_id": employee_id})


def old_holds(doc, older_than_s):
    """Return the reservations in a load document made more than older_than_s seconds ago."""
    since = clock.now() - timedelta(seconds=older_than_s)
    return [hold for hold in doc.get("holds", []) if hold["at"] < since]


def _lease():
    return get_db()[LEASE]


def _until(now=None):
    return (now or utcnow()) + timedelta(seconds=LEASE_TTL_S)


class Lease:
    """A lease this hand-out holds: its token and when it last renewed it (monotonic clock)."""

    def __init__(self, token):
        self.token, self.renewed = token, time.monotonic()

    def keep(self):
        """Renew the lease when due; return False when another hand-out has taken it over."""
        if time.monotonic() - self.renewed < LEASE_RENEW_AFTER_S:
            return True
        self.renewed = time.monotonic()
        return bool(_lease().update_one({"_id": LEASE_KEY, "holder": self.token},
                                        {"$set": {"until": _until()}}).matched_count)

    def give_back(self):
        """Release the lease and return True, or return False to go round again (pending was set)."""
        if _lease().update_one({"_id": LEASE_KEY, "holder": self.token, "pending": False},
                               {"$set": {"holder": None}}).matched_count:
            return True
        self.renewed = time.monotonic()
        kept = _lease().update_one({"_id": LEASE_KEY, "holder": self.token},
                                   {"$set": {"pending": False, "until": _until()}}).matched_count
        return not kept  # lost it: the new holder reads the queue after taking it

    def drop(self):
        """Release the lease after a failure, leaving `pending` for the next holder."""
        _lease().update_one({"_id": LEASE_KEY, "holder": self.token}, {"$set": {"holder": None}})


def take_lease():
    """Return the lease, or None when its live holder was asked to hand out once more."""
    for _ in range(LEASE_ATTEMPTS):
        now, token = utcnow(), ObjectId()
        try:
            _lease().update_one({"_id": LEASE_KEY, "$or": [{"holder": None}, {"until": {"$lt": now}}]},
                                {"$set": {"holder": token, "until": _until(now)},
                                 "$setOnInsert": {"pending": False}}, upsert=True)
            return Lease(token)
        except DuplicateKeyError:
            pass  # held: the filter missed the document and the upsert collided with it
        if _lease().update_one({"_id": LEASE_KEY, "holder": {"$ne": None}, "until": {"$gte": now}},
                               {"$set": {"pending": True}}).matched_count:
            return None
    return None
