"""Message rules: send (idempotent by clientMessageId), page, edit and soft-delete."""
from pymongo.errors import DuplicateKeyError

from .. import realtime, throttle
from ..db import object_id
from ..models import utcnow
from ..errors import Forbidden, NotFound, ValidationFailed
from ..files import service as files
from ..files.sniff import IMAGE
from ..users import service as users
from . import models, pages, repository, send_batch
from .access import NOT_AUTHORIZED, NOT_AUTHORIZED_VIEW, SCOPE, conversation_for, participants_of

MESSAGE_NOT_FOUND = "Message not found"
NOT_AUTHORIZED_EDIT = "Not authorized to edit this message"
NOT_AUTHORIZED_DELETE = "Not authorized to delete this message"


def _file_fields(actor, conversation_id, data):
    """Return (type, file fields) for a message; its file must be the sender's, uploaded here."""
    if not data.get("fileUrl"):
        return "text", {}
    file_id = files.file_id_from_url(data["fileUrl"])
    if file_id is None:
        raise ValidationFailed("File not found for this conversation",
                               details=[{"field": "fileUrl", "message": "Not one of our file links."}])
    meta = files.attached(file_id, SCOPE, str(conversation_id), actor.id)
    kind = data.get("type") or "text"
    if kind == "image" and meta.get("fileType") != IMAGE:
        raise ValidationFailed("fileUrl: Not an image.",
                               details=[{"field": "fileUrl", "message": "Not an image."}])
    if kind == "text":  # a message carrying a file is a file message, whatever the client said
        kind = "image" if meta.get("fileType") == IMAGE else "file"
    return kind, {"fileId": file_id, "fileName": meta.get("fileName"), "fileSize": meta.get("fileSize"),
                  "fileType": meta.get("fileType")}


def send_message(actor, conversation_id, data):
    """Return (message, created); a repeated clientMessageId returns the original, unannounced."""
    client_id = data.get("clientMessageId")
    throttle.hit(throttle.MESSAGES, actor.id, "Too many messages. Please slow down.")
    oid, participants = participants_of(actor, conversation_id)
    users.remember(actor)
    # Everything that can refuse the message is checked before anything is written.
    kind, file_fields = _file_fields(actor, oid, data)
    doc = models.new_message(actor, oid, data["content"], kind, file_fields, client_id, utcnow())
    # Written with the sends that arrive meanwhile (send_batch: membership again, atomically; the
    # sequence number; preview and unread counts; the insert). A retried clientMessageId is
    # detected by the insert.
    try:
        stored = send_batch.store(doc, participants)
    except DuplicateKeyError:
        original = repository.find_by_client_id(oid, actor.id, client_id)
        if original is None:
            raise
        return models.message(original), False
    if stored is None:
        raise Forbidden(NOT_AUTHORIZED)
    message = models.message(doc)
    realtime.publish(SCOPE, "new_message", message, realtime.conversation_room(str(oid)))
    others = [realtime.user_room(p) for p in participants if p != actor.id]
    realtime.publish(SCOPE, "message_notification", {"conversationId": message["conversationId"],
                                                     "message": message}, others)
    return message, True


def list_messages(actor, conversation_id, limit=50, before=None, skip=0):
    """Return the newest page older than `before`, oldest first, and the next cursor."""
    conversation = conversation_for(actor, conversation_id, NOT_AUTHORIZED_VIEW)
    try:
        before_id = object_id(before, "Message") if before else None
    except NotFound:
        raise ValidationFailed("before: Must be a message id.",
                               details=[{"field": "before", "message": "Must be a message id."}]) from None
    docs = pages.page_of_messages(conversation["_id"], limit, before_id, skip, top=conversation.get("seq"))
    has_more = len(docs) > limit
    docs = docs[:limit][::-1]
    return {"messages": [models.message(d) for d in docs], "hasMore": has_more,
            "nextBefore": str(docs[0]["_id"]) if has_more else None}


def _own_message(actor, message_id, denied):
    """Return a live message the actor sent; outsiders get the same 404 as for unknown ids."""
    doc = repository.find_message(object_id(message_id, "Message"))
    if doc is None:
        raise NotFound(MESSAGE_NOT_FOUND)
    conversation = repository.find_conversation(doc["conversationId"])
    if conversation is None or actor.id not in conversation["participants"]:
        raise NotFound(MESSAGE_NOT_FOUND)
    if doc["senderId"] != actor.id:
        raise Forbidden(denied)
    return doc


def _next_seq(message):
    return repository.claim_seq(message["conversationId"])["seq"]


def edit_message(actor, message_id, content):
    """Change the text of one of the actor's messages and tell the room."""
    doc = _own_message(actor, message_id, NOT_AUTHORIZED_EDIT)
    now = utcnow()
    changes = {"content": content, "edited": True, "editedAt": now, "updatedAt": now,
               "changeSeq": _next_seq(doc)}
    updated = repository.update_message(doc["_id"], {"deleted": False}, changes)
    if updated is None:
        raise NotFound(MESSAGE_NOT_FOUND)
    repository.refresh_preview(updated)
    realtime.publish(SCOPE, "message_edited", models.edited(updated), realtime.conversation_room(
        str(updated["conversationId"])))
    return models.message(updated)


def delete_message(actor, message_id):
    """Soft-delete one of the actor's messages, stop serving its file, tell the room."""
    doc = _own_message(actor, message_id, NOT_AUTHORIZED_DELETE)
    now = utcnow()
    # Shown as plain text from now on: there is no file left to render.
    updated = repository.update_message(doc["_id"], {"deleted": False},
                                        {"deleted": True, "deletedAt": now, "content": models.DELETED_TEXT,
                                         "type": "text", "updatedAt": now, "changeSeq": _next_seq(doc)},
                                        unset=models.FILE_FIELDS)
    if updated is None:  # already deleted: deleting is idempotent and announced once
        return models.message(repository.find_message(doc["_id"]))
    # Only the sender's own uploads are attached, but one upload may be sent twice: it stays
    # while any message still shows it (this one no longer does: its file fields are gone).
    if doc.get("fileId") and not repository.file_in_use(doc["conversationId"], doc["fileId"]):
        files.remove(doc["fileId"])
    repository.refresh_preview(updated)
    realtime.publish(SCOPE, "message_deleted", models.deleted(updated), realtime.conversation_room(
        str(updated["conversationId"])))
    return models.message(updated)
