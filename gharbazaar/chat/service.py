"""Chat rules shared by REST and Socket.IO: the one entry point for routes and socket events.

Conversations, reads and uploads are here; sending, editing and deleting messages are in
`messages.py`, typing in `typing_relay.py` (both re-exported below). Every function takes the
actor explicitly and announces what happened through `realtime.publish`.
"""
from pymongo.errors import DuplicateKeyError

from .. import realtime, throttle
from ..db import object_id
from ..models import iso, utcnow
from ..errors import Forbidden, NotFound, ValidationFailed
from ..files import service as files
from ..users import service as users
from . import blocks, models, pages, read_marks, repository, safety_gate
from .access import SCOPE, claim_for, conversation_for, room_of
# Re-exported: routes and socket events call this module only.
from .messages import delete_message, edit_message, list_messages, send_message  # noqa: F401
from .typing_relay import typing  # noqa: F401

SELF_CONVERSATION = "Cannot create conversation with yourself"
# The clientMessageId of a conversation's initialMessage: a retried creation sends it at most once.
INITIAL_MESSAGE_ID = "initial-message"


def describe(doc, viewer_id):
    """Return one conversation as the viewer sees it."""
    other = models.other_participant(doc, viewer_id)
    return models.conversation(doc, viewer_id, users.profiles([other]))


def create_conversation(actor, data):
    """Return (conversation, created): the pair's conversation for the property, made if new."""
    other_id, property_id = data["otherUserId"], data["propertyId"]
    if other_id == actor.id:
        raise ValidationFailed(SELF_CONVERSATION,
                               details=[{"field": "otherUserId", "message": "Must be another user."}])
    muted = blocks.muted_in([actor.id, other_id])
    if actor.id in muted:
        raise Forbidden(blocks.BLOCKED_TEXT)
    initial = (data["initialMessage"] or "").strip()
    if initial:  # refused before anything is made, not after an empty conversation exists
        safety_gate.screen(initial)
    users.remember(actor)
    existing = repository.find_pair(actor.id, other_id, property_id)
    if existing is not None:
        if initial and existing.get("createdBy") == actor.id and not repository.find_by_client_id(
                existing["_id"], actor.id, INITIAL_MESSAGE_ID):
            # A retry after a failure between the two writes: the first message is sent now, once
            # (asking again once it is stored costs nothing, not even against the message limit).
            existing = _send_initial(actor, existing["_id"], initial)
        return _reopen(actor, existing), False
    throttle.hit(throttle.CONVERSATIONS, actor.id, "Too many new conversations. Please try again later.")
    try:
        doc = repository.insert_conversation(dict(models.new_conversation(actor, other_id, data, utcnow()),
                                                  mutedSenders=muted))
    except DuplicateKeyError:  # a concurrent request created it first: theirs is the one
        return _reopen(actor, repository.find_pair(actor.id, other_id, property_id)), False
    if initial:
        doc = _send_initial(actor, doc["_id"], initial)
    return describe(doc, actor.id), True


def _send_initial(actor, conversation_id, text):
    """Send the creator's first message (once: its clientMessageId is fixed); return the conversation."""
    send_message(actor, str(conversation_id), {"content": text, "type": "text", "fileUrl": None,
                                               "clientMessageId": INITIAL_MESSAGE_ID})
    return repository.find_conversation(conversation_id)


def _reopen(actor, doc):
    """Un-hide an existing conversation for the actor who asked for it again."""
    if actor.id not in doc.get("visibleTo", doc["participants"]):
        repository.set_hidden(doc["_id"], actor.id, hidden=False)
    return describe(doc, actor.id)


def list_conversations(actor, limit, before=None, before_id=None):
    """Return the actor's visible conversations, newest activity first, with a cursor."""
    try:
        before_oid = object_id(before_id, "Conversation") if before_id else None
    except NotFound:
        raise ValidationFailed("beforeId: Must be a conversation id.", details=[
            {"field": "beforeId", "message": "Must be a conversation id."}]) from None
    docs = pages.page_of_conversations(actor.id, limit + 1, before, before_oid)
    has_more = len(docs) > limit
    docs = docs[:limit]
    profiles = users.profiles(list({models.other_participant(d, actor.id) for d in docs}))
    last = docs[-1] if has_more else None
    return {"conversations": [models.conversation(d, actor.id, profiles) for d in docs],
            "hasMore": has_more,
            "nextBefore": iso(last["lastMessageAt"]) if last else None,
            "nextBeforeId": str(last["_id"]) if last else None}


def get_conversation(actor, conversation_id):
    """Return one of the actor's conversations."""
    return describe(conversation_for(actor, conversation_id), actor.id)


def hide_conversation(actor, conversation_id):
    """Hide the conversation from the actor's list until a new message arrives."""
    doc = conversation_for(actor, conversation_id)
    # Only as read: a message claimed meanwhile has already brought it back (and is on its way).
    repository.set_hidden(doc["_id"], actor.id, hidden=True, seq=doc.get("seq"))
    return {"conversationId": str(doc["_id"]), "hidden": True}


def join(actor, conversation_id):
    """Return (rooms, conversation) the actor may follow live (the caller joins the rooms).

    Two rooms: the conversation's, and the actor's own in it, where a message shown differently
    to each participant (masked contact details) is delivered.
    """
    throttle.hit(throttle.JOINS, actor.id, throttle.JOINS_TEXT)
    generation = blocks.typing_generation()
    doc = conversation_for(actor, conversation_id)
    blocks.note_muted(doc, generation)
    return [room_of(doc), realtime.viewer_room(str(doc["_id"]), actor.id)], describe(doc, actor.id)


def mark_read(actor, conversation_id, up_to=None, origin_sid=None):
    """Mark the other side's messages read and tell the room (except the reader's socket)."""
    up_to_id = object_id(up_to, "Message") if up_to else None
    doc = claim_for(actor, conversation_id)
    # Less what was marked, not zeroed: with upToMessageId some messages may stay unread.
    count, read_at = read_marks.mark(doc, actor.id, up_to_id)
    payload = {"conversationId": str(doc["_id"]), "userId": actor.id, "readAt": iso(read_at), "count": count,
               "seq": doc["seq"]}
    if not count:
        return payload
    audience = blocks.read_audience(actor.id, doc)
    if len(audience) == len(doc["participants"]):
        realtime.publish(SCOPE, "messages_read", payload, room_of(doc), skip_sid=origin_sid)
    else:  # a blocker's read: to the participants' own rooms in the conversation, the blocked user's left out
        rooms = [realtime.viewer_room(payload["conversationId"], user) for user in audience]
        realtime.publish(SCOPE, "messages_read", payload, rooms, skip_sid=origin_sid)
    return payload


def upload(actor, conversation_id, file_storage):
    """Store a file for a conversation the actor takes part in; return the upload answer."""
    doc = conversation_for(actor, conversation_id)
    blocks.check_can_write(actor.id, doc)  # a file nobody may send is not stored
    stored = files.store(actor, file_storage, SCOPE, str(doc["_id"]))
    return {"url": stored["url"], "thumbnailUrl": stored["thumbnailUrl"], "fileId": stored["fileId"],
            "metadata": {key: stored[key] for key in ("fileName", "fileSize", "fileType", "mimeType")}}


def contacts(user_id):
    """Return everyone who shares a conversation with the user, less those in a block with them."""
    return set(repository.partners_of(user_id)) - blocks.severed(user_id)
