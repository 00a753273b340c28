"""The `conversations` and `messages` collections' side of the group commits of sends
(send_batch) and of read receipts (read_batch).

A batch reads its conversations' sequence numbers, then moves each on with a claim that takes
only if the number is still the one read (a claim elsewhere is never overwritten), and that
pushes the batch's marker onto the conversation's last few `claims`, by which a batch whose
claims did not all take learns which did. SecantusDB serves these updates from the `_id` index
(its findAndModify scans the collection).
"""
from ..db import get_db
from .repository import CONVERSATIONS, MESSAGES

# The markers of a conversation's last few batch claims.
CLAIMS_KEPT = 8


def _conversations():
    return get_db()[CONVERSATIONS]


def _messages():
    return get_db()[MESSAGES]


def insert_messages(docs):
    """Insert many messages in one round trip, each independently (BulkWriteError names failures)."""
    _messages().insert_many(docs, ordered=False)


def stored_ids(message_ids):
    return {doc["_id"] for doc in _messages().find({"_id": {"$in": message_ids}}, projection={"_id": 1})}


def sequences(conversation_ids):
    """Return what a batch of sends' claims start from: {id: {seq, participants, sharingAgreedBy,
    mutedSenders}} of these conversations."""
    found = _conversations().find({"_id": {"$in": list(conversation_ids)}},
                                  projection={"seq": 1, "participants": 1, "sharingAgreedBy": 1,
                                              "mutedSenders": 1})
    return {doc["_id"]: doc for doc in found}


def mark(update, marker):
    """Return a claim's update that also records the batch's marker."""
    return dict(update, **{"$push": {"claims": {"$each": [marker], "$slice": -CLAIMS_KEPT}}})


def take_claims(claims, marker):
    """Apply a batch's claims ({conversation id: its UpdateOne}, each marked) in one round trip;
    return the ids of the conversations whose claim took."""
    matched = _conversations().bulk_write(list(claims.values()), ordered=False).matched_count
    if matched == len(claims):
        return set(claims)
    found = _conversations().find({"_id": {"$in": list(claims)}, "claims": marker}, projection={"_id": 1})
    return {doc["_id"] for doc in found}
