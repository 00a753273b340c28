"""The `conversations` and `messages` collections' side of the group commits of sends
(send_batch) and of read receipts (read_batch).

A batch reads its conversations' sequence numbers, then moves each on with a claim that takes
only if the number is still the one read (a claim elsewhere is never overwritten), and that
pushes the batch's marker onto the conversation's last few `claims`, by which a batch whose
claims did not all take learns which did. SecantusDB serves these updates from the `_id` index
(its findAndModify scans the collection).
"""
from collections import Counter

from pymongo import UpdateMany, UpdateOne

from ..db import get_db
from .repository import CONVERSATIONS, MESSAGES
from .unread import uncounted

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


def unread(conversation_ids):
    """Return {conversation id: [{_id, senderId, seq}]} of these conversations' unread messages."""
    ids = list(conversation_ids)
    # `mongod` serves both forms from the partial index of unread messages. SecantusDB's explain
    # names an index only for the equality (its `$in` form is flat all the same: docs/performance.md),
    # so the index test checks the one it can.
    found = _messages().find({"conversationId": ids[0] if len(ids) == 1 else {"$in": ids}, "read": False},
                             projection={"conversationId": 1, "senderId": 1, "seq": 1})
    by_conversation = {}
    for doc in found:
        by_conversation.setdefault(doc["conversationId"], []).append(doc)
    return by_conversation


def mark_read(marks, now):
    """Mark messages read in one round trip, each group stamped with its receipt's sequence number.

    marks: [(conversation id, seq, message ids)]; returns how many each group marked. A message
    another receipt marked meanwhile is left as that one stamped it.
    """
    ops = [UpdateMany({"_id": {"$in": ids}, "read": False},
                      {"$set": {"read": True, "readAt": now, "updatedAt": now, "changeSeq": seq}})
           for _, seq, ids in marks if ids]
    if not ops:
        return [0] * len(marks)
    wanted = [len(ids) for _, _, ids in marks]
    if _messages().bulk_write(ops, ordered=False).modified_count == sum(wanted):
        return wanted
    # Some were marked by another receipt in between: count what each group's stamp is on.
    every = [message_id for _, _, ids in marks for message_id in ids]
    stamped = Counter((doc["conversationId"], doc.get("changeSeq")) for doc in _messages().find(
        {"_id": {"$in": every}, "read": True}, projection={"conversationId": 1, "changeSeq": 1}))
    return [stamped[(conversation_id, seq)] if ids else 0 for conversation_id, seq, ids in marks]


def uncount(decrements):
    """Take [(conversation, user id, count)] off each user's unread count, never below zero, in one
    round trip (as unread.uncount_read does for one: a decrement, not a recount)."""
    ops = [UpdateOne({"_id": conversation["_id"]}, uncounted(conversation, user_id, count))
           for conversation, user_id, count in decrements if count]
    if ops:
        _conversations().bulk_write(ops, ordered=False)
