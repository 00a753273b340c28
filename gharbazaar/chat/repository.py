"""The `conversations` and `messages` collections: queries, indexes and atomic updates."""
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from ..db import get_db
from ..models import utcnow
from .models import preview_fields

CONVERSATIONS, MESSAGES = "conversations", "messages"

# collection -> the indexes its queries need; the feature's init_app registers them.
INDEXES = {}
INDEXES[CONVERSATIONS] = [
    # One conversation per (pair of users, property): the pair is stored sorted, so (a, b) == (b, a).
    IndexModel([("pairLow", ASCENDING), ("pairHigh", ASCENDING), ("propertyId", ASCENDING)],
               unique=True, name="one_per_pair_and_property"),
    # The list is by `visibleTo` (participants minus those who hid it): an equality any planner
    # serves from the index, where `hiddenFor: {$ne: user}` beside `participants` may not be.
    IndexModel([("visibleTo", ASCENDING), ("lastMessageAt", DESCENDING), ("_id", DESCENDING)],
               name="by_visible_activity"),
    IndexModel([("participants", ASCENDING), ("changedAt", ASCENDING)], name="by_participant_changes"),
]
INDEXES[MESSAGES] = [
    # Message pages, newest first: a window of the conversation's own sequence numbers, or `skip`.
    IndexModel([("conversationId", ASCENDING), ("seq", DESCENDING)], name="conversation_sequence"),
    # Resync: every change (send, edit, delete, read) stamps the message with a new sequence.
    IndexModel([("conversationId", ASCENDING), ("changeSeq", ASCENDING)], name="conversation_changes"),
    IndexModel([("conversationId", ASCENDING), ("updatedAt", ASCENDING)], name="conversation_updated"),
    # One message per sender's clientMessageId. `dedupeKey` is "c:<clientMessageId>", or "id:<_id>"
    # without one: always set, so the index needs no partial filter for planners to use it.
    IndexModel([("conversationId", ASCENDING), ("senderId", ASCENDING), ("dedupeKey", ASCENDING)],
               unique=True, name="one_per_dedupe_key"),
    # Only unread messages are in it, so recounting after a read stays cheap in long histories.
    IndexModel([("conversationId", ASCENDING), ("senderId", ASCENDING)],
               partialFilterExpression={"read": False}, name="unread_by_conversation"),
    # Whether a file is still shown by a message (deleting a message unsets its fileId). Not a
    # partial index of the messages with a file: SecantusDB scans the collection for it.
    IndexModel([("conversationId", ASCENDING), ("fileId", ASCENDING)], name="by_file"),
]
# Indexes earlier releases created that no query needs any more; ensure_indexes drops them.
RETIRED = {MESSAGES: ["conversation_newest"]}


def _conversations():
    return get_db()[CONVERSATIONS]


def _messages():
    return get_db()[MESSAGES]


def find_conversation(conversation_id):
    return _conversations().find_one({"_id": conversation_id})


def claim_seq(conversation_id, participant_id=None):
    """Return the conversation with a fresh change sequence number taken, or None.

    With participant_id, the membership check and the allocation are one round trip.
    """
    query = {"_id": conversation_id}
    if participant_id is not None:
        query["participants"] = participant_id
    return _conversations().find_one_and_update(
        query, {"$inc": {"seq": 1}, "$set": {"changedAt": utcnow()}}, return_document=ReturnDocument.AFTER)


def find_pair(user_a, user_b, property_id):
    low, high = sorted((user_a, user_b))
    return _conversations().find_one({"pairLow": low, "pairHigh": high, "propertyId": property_id})


def insert_conversation(doc):
    """Insert a conversation; DuplicateKeyError when the pair already has one for the property."""
    doc["_id"] = _conversations().insert_one(doc).inserted_id
    return doc


def partners_of(user_id):
    return _conversations().distinct("participants", {"participants": user_id})


def set_hidden(conversation_id, user_id, hidden, seq=None):
    """Hide or show the conversation for the user; with `seq`, only if no message came since."""
    change = {"$pull": {"visibleTo": user_id}} if hidden else {"$addToSet": {"visibleTo": user_id}}
    query = {"_id": conversation_id} if seq is None else {"_id": conversation_id, "seq": seq}
    _conversations().update_one(query, change)


def set_sharing(conversation_id, user_id, agree, now):
    """Add or remove the user's agreement to share contact details; return the conversation after."""
    change = {"$addToSet": {"sharingAgreedBy": user_id}} if agree else {"$pull": {"sharingAgreedBy": user_id}}
    # changedAt: a resync `since` finds the conversation, whose messages now read differently.
    change["$set"] = {"changedAt": now}
    return _conversations().find_one_and_update({"_id": conversation_id}, change,
                                                return_document=ReturnDocument.AFTER)


def set_muted(blocker, blocked, muted):
    """Let (or stop) the blocked user write in every conversation of the pair."""
    if blocker == blocked:  # {"$all": [x, x]} is every conversation of x: never a pair's
        raise ValueError("a block needs two users")
    change = {"$addToSet" if muted else "$pull": {"mutedSenders": blocked}}
    _conversations().update_many({"participants": {"$all": [blocker, blocked]}}, change)


def claim_for_message(message, participants):
    """Take the conversation's next sequence number and make the message its latest, in one
    round trip: unread for the others, un-hidden for all. None unless the sender takes part."""
    sender = message["senderId"]
    unread = {f"unreadCounts.{i}": 1 for i, user in enumerate(participants) if user != sender}
    at = message["createdAt"]
    return _conversations().find_one_and_update(
        # `mutedSenders`: participants the other one blocked (chat/blocks.py keeps it in step).
        {"_id": message["conversationId"], "participants": sender, "mutedSenders": {"$ne": sender}},
        {"$inc": {"seq": 1, **unread},
         "$set": {**preview_fields(message), "lastMessageAt": at, "lastMessageId": message["_id"],
                  "updatedAt": at, "changedAt": at, "visibleTo": list(participants)},
         # Who has written here: the others see a participant's email only once they have.
         "$addToSet": {"writers": sender}},
        projection={"seq": 1, "participants": 1, "sharingAgreedBy": 1}, return_document=ReturnDocument.AFTER)


def refresh_preview(message):
    """Rewrite the conversation's lastMessage if this message is still its latest."""
    _conversations().update_one({"_id": message["conversationId"], "lastMessageId": message["_id"],
                                 "lastMessageChange": {"$not": {"$gte": message["changeSeq"]}}},
                                {"$set": preview_fields(message)})


def insert_message(doc):
    """Insert a message; DuplicateKeyError when its sender already used its clientMessageId."""
    _messages().insert_one(doc)
    return doc


def remove_message(message_id):
    """Remove a message that was stored but must not stand (never announced)."""
    _messages().delete_one({"_id": message_id})


def file_in_use(conversation_id, file_id):
    """Return True while a message of the conversation still carries the file."""
    return _messages().find_one({"conversationId": conversation_id, "fileId": file_id},
                                projection={"_id": 1}) is not None


def find_message(message_id):
    return _messages().find_one({"_id": message_id})


def find_by_client_id(conversation_id, sender_id, client_message_id):
    return _messages().find_one({"conversationId": conversation_id, "senderId": sender_id,
                                 "dedupeKey": f"c:{client_message_id}"})


def update_message(message_id, query, changes, unset=None):
    """Apply changes if the message still matches query; return it updated, or None."""
    update = {"$set": changes}
    if unset:
        update["$unset"] = {field: "" for field in unset}
    return _messages().find_one_and_update(dict(query, _id=message_id), update,
                                           return_document=ReturnDocument.AFTER)


def finish_delete(message_id):
    """Record that everything a message's delete does after the soft delete is done."""
    _messages().update_one({"_id": message_id}, {"$unset": {"deleteUnfinished": ""}})


def mark_read(conversation_id, reader_id, seq, up_to=None):
    """Mark the others' unread messages read (up to a message id); return (count, readAt)."""
    # Only messages numbered before the receipt: a later one marked with the receipt's lower number
    # would read as unread to a client resyncing after that number.
    query = {"conversationId": conversation_id, "senderId": {"$ne": reader_id}, "read": False,
             "seq": {"$not": {"$gt": seq}}}
    if up_to is not None:
        query["_id"] = {"$lte": up_to}
    now = utcnow()
    result = _messages().update_many(
        query, {"$set": {"read": True, "readAt": now, "updatedAt": now, "changeSeq": seq}})
    return result.modified_count, now


def changes_after(conversation_id, after_seq, limit):
    """Return up to limit + 1 messages changed after a sequence number, in change order."""
    cursor = _messages().find({"conversationId": conversation_id, "changeSeq": {"$gt": after_seq}})
    return list(cursor.sort("changeSeq", ASCENDING).limit(limit + 1))


def changes_at(conversation_id, seq):
    """Return every message stamped with one change sequence number (a read marks many)."""
    cursor = _messages().find({"conversationId": conversation_id, "changeSeq": seq})
    return list(cursor.sort("_id", ASCENDING))


def changes_since(conversation_id, since, limit):
    """Return up to limit + 1 messages created or changed after an instant, in change order."""
    cursor = _messages().find({"conversationId": conversation_id, "updatedAt": {"$gt": since}})
    return list(cursor.sort("changeSeq", ASCENDING).limit(limit + 1))


def conversations_of(user_id, ids=None, changed_since=None):
    """Return the user's conversations, optionally only these ids or those changed since."""
    query = {"participants": user_id}
    if ids is not None:
        query["_id"] = {"$in": ids}
    if changed_since is not None:
        query["changedAt"] = {"$gt": changed_since}
    return list(_conversations().find(query))
