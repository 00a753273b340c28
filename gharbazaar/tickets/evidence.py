"""Evidence attached to report tickets: snapshots of reported messages, tamper-evident.

Each snapshot is written once, copied from the messages as they stood when reported (later edits
and deletions do not reach it), and carries `hash` = sha256 over its canonical JSON, which
includes the previous snapshot's hash (`prevHash`): changing, removing or reordering any stored
snapshot breaks every hash after it, and `verify()` says where. One chain for the whole store;
a unique index on `seq` makes two concurrent reports take turns instead of forking it.

Owns the `ticket_evidence` collection.
"""
import hashlib
import json

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from ..db import get_db
from ..files import service as files
from ..models import plain

EVIDENCE = "ticket_evidence"
FILE_SCOPE = "ticket"  # held files are read as the ticket's own uploads are (tickets/access.can_read)
INDEXES = {EVIDENCE: [
    IndexModel([("seq", ASCENDING)], unique=True, name="one_per_seq"),
    IndexModel([("ticketId", ASCENDING), ("seq", ASCENDING)], name="by_ticket"),
]}
GENESIS = "0" * 64
RETRIES = 20
SNAPSHOT_FIELDS = ("seq", "prevHash", "ticketId", "takenAt", "reporterId", "reportedUserId", "subject",
                   "messages")


def _evidence():
    return get_db()[EVIDENCE]


def digest(snapshot):
    """Return the sha256 hex of a snapshot's canonical JSON (its own `hash` left out)."""
    body = {key: snapshot.get(key) for key in SNAPSHOT_FIELDS}
    canonical = json.dumps(plain(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def record(ticket_id, content, now):
    """Append a snapshot for a ticket to the chain; return it as stored.

    content: {reporterId, reportedUserId, subject: {...}, messages: [...]} with JSON-ready values.
    The files its messages carry are held for the ticket first (readable by whoever may read it),
    so that a file the sender deletes from then on keeps its bytes.
    """
    for message in content.get("messages", ()):
        if message.get("fileId"):
            files.hold(message["fileId"], FILE_SCOPE, ticket_id)
    for _ in range(RETRIES):
        last = _evidence().find_one({}, sort=[("seq", DESCENDING)], projection={"seq": 1, "hash": 1})
        snapshot = {"seq": (last["seq"] + 1) if last else 1, "prevHash": last["hash"] if last else GENESIS,
                    "ticketId": str(ticket_id), "takenAt": plain(now), **plain(content)}
        snapshot["hash"] = digest(snapshot)
        try:
            _evidence().insert_one(snapshot)
            return snapshot
        except DuplicateKeyError:  # another report took this place in the chain: link after it
            continue
    raise RuntimeError("evidence chain busy: could not append a snapshot")


def for_ticket(ticket_id):
    """Return a ticket's snapshots in chain order, without database ids."""
    return list(_evidence().find({"ticketId": str(ticket_id)}, projection={"_id": 0}).sort("seq", ASCENDING))


def verify():
    """Recompute the whole chain; return (snapshots checked, seq of the first broken one or None)."""
    previous, checked = GENESIS, 0
    for snapshot in _evidence().find({}, projection={"_id": 0}).sort("seq", ASCENDING):
        checked += 1
        if snapshot.get("prevHash") != previous or digest(snapshot) != snapshot.get("hash") \
                or snapshot.get("seq") != checked:
            return checked, snapshot.get("seq")
        previous = snapshot["hash"]
    return checked, None
