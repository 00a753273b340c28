"""Group commit of read receipts' change sequence numbers: receipts that arrive together share round trips.

A read receipt takes its conversation's next change sequence number (chat/access.claim_for).
Alone, that is one findAndModify, as it always was. Receipts that queue behind a claim in flight
(`batch.coalesced`) go as one batch of two round trips whatever its size: a read of their
conversations' sequence numbers, and one `bulk_write` that moves each on by its receipts
(batch_store: only if the number is still the one read). A receipt whose claim did not take (a
send or another process moved the number meanwhile) takes its number alone. On `mongod` a busy
moment costs two commands instead of one per receipt; on SecantusDB it also avoids its
findAndModify, which scans the collection (docs/performance.md).
"""
from bson import ObjectId
from pymongo import UpdateOne

from ..batch import alone, coalesced
from ..models import utcnow
from . import batch_store, repository


def claim(conversation_id, participant_id):
    """Return the conversation with a fresh change sequence number taken (its `seq`), or None
    unless the user takes part in it: what repository.claim_seq answers, for many at once."""
    return coalesced("chat.read_claim", _claim_many)((conversation_id, participant_id))


def _claim_many(items):
    if len(items) == 1:
        return [repository.claim_seq(*items[0])]
    conversations = batch_store.sequences({conversation_id for conversation_id, _ in items})
    groups = {}
    for i, (conversation_id, user_id) in enumerate(items):
        conversation = conversations.get(conversation_id)
        if conversation is not None and user_id in conversation["participants"]:
            groups.setdefault(conversation_id, []).append(i)
    results = [None] * len(items)
    if not groups:
        return results
    marker, now = ObjectId(), utcnow()
    claims = {}
    for conversation_id, indexes in groups.items():
        first = conversations[conversation_id]["seq"]
        update = {"$set": {"seq": first + len(indexes), "changedAt": now}}
        claims[conversation_id] = UpdateOne({"_id": conversation_id, "seq": first},
                                            batch_store.mark(update, marker))
    took = batch_store.take_claims(claims, marker)
    for conversation_id, indexes in groups.items():
        conversation = conversations[conversation_id]
        for offset, i in enumerate(indexes, start=1):
            if conversation_id in took:
                results[i] = dict(conversation, seq=conversation["seq"] + offset)
            else:
                results[i] = alone(repository.claim_seq, *items[i])
    return results
