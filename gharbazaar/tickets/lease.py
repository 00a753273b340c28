"""The hand-out lease: one hand-out at a time across every process, each seeing the last one's result.

One document in `ticketlease`: `holder` (a token, or None when free), `until` (when a holder
that went silent loses it) and `pending` (a hand-out was asked for while the lease was
held). A hand-out that finds the lease held sets `pending` and leaves: the holder lets go
only when `pending` is unset, else it clears it and goes round again with fresh reads, so
whatever was stored before `pending` was set is handed out. Taking the lease leaves
`pending` as it is: a request made to a holder that then died is still served by the next.
A holder that dies loses the lease after TTL_S; the next hand-out (the periodic one at the
latest) takes over.
"""
import time
from datetime import timedelta

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from ..db import get_db
from ..models import utcnow

LEASE, KEY = "ticketlease", "hand-out"
TTL_S = 10
# Renewed after a third of its life, so a slow round trip does not let it lapse under a live holder.
RENEW_AFTER_S = TTL_S / 3
# Each failed attempt means the lease was released or taken between our two writes; after a
# few the periodic hand-out catches up with whatever we came for.
ATTEMPTS = 5


def _lease():
    return get_db()[LEASE]


def _until(now=None):
    return (now or utcnow()) + timedelta(seconds=TTL_S)


class Lease:
    """A lease this hand-out holds: its token and when it last renewed it (monotonic clock)."""

    def __init__(self, token):
        self.token, self.renewed = token, time.monotonic()

    def keep(self):
        """Renew the lease when due; return False when another hand-out has taken it over."""
        if time.monotonic() - self.renewed < RENEW_AFTER_S:
            return True
        self.renewed = time.monotonic()
        return bool(_lease().update_one({"_id": KEY, "holder": self.token},
                                        {"$set": {"until": _until()}}).matched_count)

    def give_back(self):
        """Release the lease and return True, or return False to go round again (pending was set)."""
        if _lease().update_one({"_id": KEY, "holder": self.token, "pending": False},
                               {"$set": {"holder": None}}).matched_count:
            return True
        self.renewed = time.monotonic()
        kept = _lease().update_one({"_id": KEY, "holder": self.token},
                                   {"$set": {"pending": False, "until": _until()}}).matched_count
        return not kept  # lost it: the new holder reads the queue after taking it

    def drop(self):
        """Release the lease after a failure, leaving `pending` for the next holder."""
        _lease().update_one({"_id": KEY, "holder": self.token}, {"$set": {"holder": None}})


def take():
    """Return the lease, or None when its live holder was asked to hand out once more."""
    for _ in range(ATTEMPTS):
        now, token = utcnow(), ObjectId()
        try:
            _lease().update_one({"_id": KEY, "$or": [{"holder": None}, {"until": {"$lt": now}}]},
                                {"$set": {"holder": token, "until": _until(now)},
                                 "$setOnInsert": {"pending": False}}, upsert=True)
            return Lease(token)
        except DuplicateKeyError:
            pass  # held: the filter missed the document and the upsert collided with it
        if _lease().update_one({"_id": KEY, "holder": {"$ne": None}, "until": {"$gte": now}},
                               {"$set": {"pending": True}}).matched_count:
            return None
    return None
