"""Message rules: send (idempotent by clientMessageId), page, edit and soft-delete."""
from pymongo.errors import DuplicateKeyError

from .. import realtime, throttle
from ..db import object_id
from ..models import utcnow
from ..errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed
from ..files import service as files
from ..files.sniff import IMAGE
from ..users import service as users
from . import blocks, models, pages, repository, safety_gate, send_batch
from .access import (MESSAGE_NOT_FOUND, NOT_AUTHORIZED, NOT_AUTHORIZED_VIEW, SCOPE, conversation_for,
                     message_in_view, participants_of)

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
    try:
        throttle.hit(throttle.MESSAGES, actor.id, "Too many messages. Please slow down.")
    except RateLimited:
        # A retry of a message that was stored (its answer lost) is told so, past the limit too.
        original = _stored_retry(actor, conversation_id, client_id)
        if original is None:
            raise
        return models.message(original), False
    oid, participants = participants_of(actor, conversation_id)
    users.remember(actor)
    # Everything that can refuse the message is checked before anything is written.
    kind, file_fields = _file_fields(actor, oid, data)
    guard = safety_gate.screen(data["content"])
    doc = models.new_message(actor, oid, data["content"], kind, file_fields, client_id, utcnow())
    doc.update(guard)
    # Written with the sends that arrive meanwhile (send_batch: membership and blocks again,
    # atomically; the sequence number; preview and unread counts; the insert). A retried
    # clientMessageId is detected by the insert.
    try:
        conversation = send_batch.store(doc, participants)
    except DuplicateKeyError:
        original = repository.find_by_client_id(oid, actor.id, client_id)
        if original is None:
            raise
        return models.message(original), False
    if conversation is None:  # not a participant, or blocked by the other one: say which
        blocks.explain_refusal(actor.id, participants)
        raise Forbidden(NOT_AUTHORIZED)
    if file_fields and not files.servable(file_fields["fileId"]):  # removed or withdrawn as this was stored
        send_batch.withdraw(doc, participants)
        raise ValidationFailed("File not found for this conversation",
                               details=[{"field": "fileUrl", "message": "Removed meanwhile."}])
    message = models.message(doc)  # the sender's form; everyone's unless masked for the others
    safety_gate.deliver("new_message", doc, conversation, models.message, participants, shared=message)
    split = safety_gate.needs_split(doc, conversation)
    for other in participants:
        if other != actor.id:
            realtime.publish(SCOPE, "message_notification", {
                "conversationId": str(oid),
                "message": models.message(doc, other, conversation) if split else message},
                realtime.user_room(other))
    return message, True


def _stored_retry(actor, conversation_id, client_id):
    """Return the actor's message stored under client_id in the conversation, or None."""
    if not client_id:
        return None
    oid, _participants = participants_of(actor, conversation_id)
    return repository.find_by_client_id(oid, actor.id, client_id)


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
    return {"messages": [models.message(d, actor.id, conversation) for d in docs], "hasMore": has_more,
            "nextBefore": str(docs[0]["_id"]) if has_more else None}


def _own_message(actor, message_id, denied):
    """Return a live message the actor sent; outsiders get the same 404 as for unknown ids."""
    doc, conversation = message_in_view(actor, message_id)
    if doc["senderId"] != actor.id:
        raise Forbidden(denied)
    return doc, conversation


def _next_seq(message):
    return repository.claim_seq(message["conversationId"])["seq"]


def _older_than(seq):
    """Match a change numbered before `seq` (or none: messages stored before numbering)."""
    return {"$not": {"$gte": seq}}


def edit_message(actor, message_id, content):
    """Change the text of one of the actor's messages and tell the room."""
    doc, conversation = _own_message(actor, message_id, NOT_AUTHORIZED_EDIT)
    blocks.check_can_write(actor.id, conversation)
    guard = safety_gate.screen(content)
    # The conversation as this edit's number found it: a withdrawal of contact sharing made while
    # the text was inspected is in it, and the edit is then masked for the other participant.
    now, numbered = utcnow(), repository.claim_seq(doc["conversationId"])
    seq = numbered["seq"]
    changes = {"content": content, **guard, "edited": True, "editedAt": now, "updatedAt": now,
               "changeSeq": seq}
    # Only over older changes: of two racing, the later number is the text kept and announced last.
    query = {"deleted": False, "changeSeq": _older_than(seq)}
    updated = repository.update_message(doc["_id"], query, changes)
    if updated is None:
        current = repository.find_message(doc["_id"])
        if current is None or current["deleted"]:
            raise NotFound(MESSAGE_NOT_FOUND)
        return models.message(current)  # a later edit overtook this one: it stands, told already
    repository.refresh_preview(updated)
    safety_gate.deliver("message_edited", updated, numbered, models.edited, numbered["participants"])
    return models.message(updated)


def delete_message(actor, message_id):
    """Soft-delete one of the actor's messages, stop serving its file, tell the room.

    The steps after the soft delete can be cut short (the database away): the message keeps
    `deleteUnfinished` until they are done, and the sender's retry does what is left (_finish).
    """
    doc, _conversation = _own_message(actor, message_id, NOT_AUTHORIZED_DELETE)
    if doc["deleted"]:
        return _finish(doc)
    file_id = doc.get("fileId")
    if file_id:  # first: from here on nobody is served the file, whether or not its removal completes
        files.withdraw(file_id)
    updated = None
    for _ in range(3):  # an edit numbered after this delete but stored first: take a new number
        now, seq = utcnow(), _next_seq(doc)
        # Shown as plain text from now on: there is no file left to render. The file's id stays,
        # out of the message's fields, for a retry to remove it.
        changes = {"deleted": True, "deletedAt": now, "content": models.DELETED_TEXT, "type": "text",
                   "updatedAt": now, "changeSeq": seq, "deleteUnfinished": True, "deletedFileId": file_id}
        updated = repository.update_message(doc["_id"], {"deleted": False, "changeSeq": _older_than(seq)},
                                            changes, unset=models.FILE_FIELDS + ("maskedContent",))
        if updated is not None:
            break
        current = repository.find_message(doc["_id"])
        if current["deleted"]:  # deleted meanwhile: finish that delete, if it is not finished
            return _finish(current)
    if updated is None:
        if file_id:
            files.withdraw(file_id, withdrawn=False)
        raise Conflict("The message changed meanwhile. Please try again.")
    return _finish(updated)


def _finish(doc):
    """Do what remains of a delete after its soft delete (each step can be done again); return the message."""
    if not doc.get("deleteUnfinished"):  # finished: deleting again is idempotent and announced once
        return models.message(doc)
    if doc.get("deletedFileId"):
        _let_go(doc["conversationId"], doc["deletedFileId"])
    repository.refresh_preview(doc)
    realtime.publish(SCOPE, "message_deleted", models.deleted(doc), realtime.conversation_room(
        str(doc["conversationId"])))
    repository.finish_delete(doc["_id"])
    return models.message(doc)


def _let_go(conversation_id, file_id):
    """Remove a deleted message's file unless a message still shows it (then serve it again) or a
    report holds it (then only the report's readers are served it).

    Only the sender's own uploads are attached, but one upload may be sent twice: it stays while
    any message still shows it (a deleted one no longer does: its file fields are gone).
    """
    def shown():
        return repository.file_in_use(conversation_id, file_id)
    if not files.remove_unless_used(file_id, lambda: files.held(file_id) or shown()) and shown():
        files.withdraw(file_id, withdrawn=False)
