"""Group commit of sent messages: sends that arrive while a write is in flight are written together.

Alone, a send is two round trips, as it always was: `claim_for_message` (membership, the next
sequence number, the preview; one findAndModify) then the insert. Sends that queue behind a write
in flight (`batch.coalesced`) go as one batch of three round trips whatever its size: a read of
their conversations' sequence numbers, one `bulk_write` that moves each conversation on by its
messages (only if its sequence number is still the one read, so concurrent claims elsewhere are
never overwritten), and one `insert_many` of the messages. Each sender is told what happened to
its own message, as before: stored (with its sequence number), not a participant (None), or the
error its insert met (a DuplicateKeyError for a clientMessageId already used). A sender that
another participant blocked is refused in the same write (`mutedSenders`, chat/blocks.py).
"""
import logging
from collections import Counter

from bson import ObjectId
from pymongo import UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from ..batch import coalesced
from . import batch_store, repository, unread
from .models import preview_fields

log = logging.getLogger(__name__)


def store(doc, participants):
    """Store one message (its `seq` and `changeSeq` set); return the conversation as the message
    left it (`seq`, `participants`, `sharingAgreedBy`), or None unless the sender takes part and
    is not blocked. Raises what its insert raised (DuplicateKeyError: clientMessageId used)."""
    return coalesced("chat.send", _write)((doc, tuple(participants)))


def _write(items):
    if len(items) == 1:
        return [_write_one(*items[0])]
    return _write_many(items)


def _write_one(doc, participants):
    """The send alone: claim, then insert; a message not stored has its claim undone."""
    try:
        conversation = repository.claim_for_message(doc, participants)
        if conversation is None:
            return None
        doc["seq"] = doc["changeSeq"] = conversation["seq"]
    except Exception as exc:  # nothing was written for this message, unless its answer was lost
        if unread.outcome_unknown(exc):
            _unclaim_later(doc, participants)
        return exc
    try:
        repository.insert_message(doc)
    except Exception as exc:
        # Not stored (a retry of a stored message, or the database failing): the claim named a
        # message that does not exist, so undo it; its sequence number stays a gap, which
        # resync tolerates (it asks for "after N", not "N + 1"). A refused insert (a retry's
        # duplicate clientMessageId) is known not stored: its count is given back exactly.
        _unclaim(doc, participants, claimed=not unread.outcome_unknown(exc))
        return exc
    return conversation


def _write_many(items):
    results = [None] * len(items)
    try:
        groups, conversations = _claim_all(items, results)
    except Exception as exc:  # nothing was inserted; a claim that took stays a gap (see _write_one)
        return [exc] * len(items)
    claimed = [i for indexes in groups.values() for i in indexes]
    _insert_all(items, claimed, results, conversations)
    return results


def _claim_all(items, results):
    """Take sequence numbers for every conversation of the batch; return {conversation: [index]}
    of the items claimed, in sequence order, and the conversations as read. Items whose claim did
    not take are written alone."""
    conversations = batch_store.sequences({doc["conversationId"] for doc, _ in items})
    groups = {}
    for i, (doc, _participants) in enumerate(items):
        conversation = conversations.get(doc["conversationId"])
        if conversation is not None and doc["senderId"] in conversation["participants"] \
                and doc["senderId"] not in (conversation.get("mutedSenders") or ()):
            groups.setdefault(doc["conversationId"], []).append(i)
    marker = ObjectId()
    claims = {}
    for conversation_id, indexes in groups.items():
        indexes.sort(key=lambda i: items[i][0]["_id"])  # sequence order is creation order
        claims[conversation_id] = _claim(conversation_id, conversations[conversation_id],
                                         [items[i][0] for i in indexes], marker)
    if not claims:
        return {}, conversations
    try:
        took = batch_store.take_claims(claims, marker)
    except Exception:  # whichever claims took name messages that will not be stored: undo them
        for indexes in groups.values():
            for i in indexes:
                _unclaim(*items[i])
        raise
    # A claim elsewhere (a read receipt, another process) moved a sequence number since it was
    # read: those conversations' messages are written alone, in order.
    for conversation_id in [c for c in groups if c not in took]:
        for i in groups.pop(conversation_id):
            results[i] = _write_one(*items[i])
    return groups, conversations


def _claim(conversation_id, conversation, docs, marker):
    """Return the conversation's update for these messages (in order): claim_for_message's, for many."""
    first, participants = conversation["seq"], conversation["participants"]
    for offset, doc in enumerate(docs, start=1):
        doc["seq"] = doc["changeSeq"] = first + offset
    unread = Counter(f"unreadCounts.{slot}" for doc in docs
                     for slot, user in enumerate(participants) if user != doc["senderId"])
    senders = sorted({doc["senderId"] for doc in docs})
    last = docs[-1]
    update = {"$set": {"seq": first + len(docs), **preview_fields(last),
                       "lastMessageAt": last["createdAt"], "lastMessageId": last["_id"],
                       "updatedAt": last["createdAt"], "changedAt": last["createdAt"],
                       "visibleTo": list(participants)},
              "$addToSet": {"writers": {"$each": senders}}}
    if unread:
        update["$inc"] = dict(unread)
    # Membership was checked in the read, and participants never change; blocks were checked
    # there too, and the exact `mutedSenders` read makes a block since then fail the claim (the
    # messages are then written alone, which refuses them). Likewise `sharingAgreedBy`: who sees
    # the messages unmasked is decided from the read, so a withdrawal since then fails the claim.
    unchanged = {"_id": conversation_id, "seq": first, "mutedSenders": conversation.get("mutedSenders"),
                 "sharingAgreedBy": conversation.get("sharingAgreedBy")}
    return UpdateOne(unchanged, batch_store.mark(update, marker))


def _insert_all(items, claimed, results, conversations):
    """Insert the claimed messages in one round trip; settle each one's result."""
    if not claimed:
        return
    docs = [items[i][0] for i in claimed]
    failed, refused = {}, False
    try:
        batch_store.insert_messages(docs)
    except BulkWriteError as exc:  # each failed insert refused: known not stored
        refused = True
        for error in exc.details.get("writeErrors", []):
            kind = DuplicateKeyError if error.get("code") == 11000 else OperationFailure
            failed[error["index"]] = kind(error.get("errmsg", "write failed"), error.get("code"))
    except Exception as exc:  # no answer: whichever messages are stored were stored
        try:
            stored = batch_store.stored_ids([doc["_id"] for doc in docs])
        except Exception:
            stored = set()
        failed = {n: exc for n, doc in enumerate(docs) if doc["_id"] not in stored}
    for n, i in enumerate(claimed):
        doc = items[i][0]
        results[i] = failed.get(n) or dict(conversations[doc["conversationId"]], seq=doc["seq"])
    for n in sorted(failed):
        _unclaim(*items[claimed[n]], claimed=refused)


def withdraw(doc, participants):
    """Take back a stored message that must not stand (its file was removed as it was stored)."""
    repository.remove_message(doc["_id"])
    _unclaim(doc, participants)


def _unclaim(doc, participants, claimed=False):
    """Undo a claim whose message was not stored; a failure here must not hide the first one."""
    try:
        unread.unclaim_message(doc, participants, claimed)
    except Exception:
        log.warning("could not undo the claim of an unstored message: retried",
                    extra={"fields": {"conversationId": str(doc["conversationId"])}})
        _unclaim_later(doc, participants)


def _unclaim_later(doc, participants):
    """Undo a claim once the database answers again (whether it counted the message is unknown)."""
    unread.repair_later(("unclaim", doc["_id"]), lambda: unread.unclaim_message(doc, participants, False))
