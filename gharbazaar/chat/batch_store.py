"""The `conversations` and `messages` collections' side of a group commit of sends (send_batch)."""
from ..db import get_db
from .repository import CONVERSATIONS, MESSAGES


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


def claim_many(writes):
    """Apply the claims of a batch of sends in one round trip; return how many conversations took."""
    return _conversations().bulk_write(writes, ordered=False).matched_count


def claimed_by(conversation_ids, marker):
    """Return the ids of the conversations whose recent claims include this batch's marker."""
    return {doc["_id"] for doc in _conversations().find({"_id": {"$in": conversation_ids}, "claims": marker},
                                                        projection={"_id": 1})}
