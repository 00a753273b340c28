"""The chat's documents: how a conversation and a message are stored, and how they are sent.

`new_conversation` and `new_message` build the stored documents; `MessageView` and
`ConversationView` dump them for REST answers and socket payloads and are the published docs.
The other schemas here describe answers and events made of those two.
"""
from bson import ObjectId
from marshmallow import fields, validate

from ..files import service as files
from ..files.sniff import IMAGE
from ..models import (Document, computed, flag, nested, number, object_id, one_of, optional_when, shape, text,
                      when)

MESSAGE_TYPES = ("text", "image", "file")
SAFETY_CATEGORIES = ("phone", "email", "upi", "payment", "otp", "link", "messaging_app")
SAFETY_ACTIONS = ("allow", "warn", "mask")  # `block` is refused, never stored
CLEAN = {"categories": [], "action": "allow"}
DELETED_TEXT = "[Message deleted]"
FILE_FIELDS = ("fileId", "fileName", "fileSize", "fileType")


def new_conversation(actor, other_id, data, now):
    """Return the stored document of a new conversation the actor starts with another user."""
    kind = data["type"] or ("property" if data["propertyId"] else "direct")
    participants = [actor.id, other_id]
    low, high = sorted(participants)
    return {"participants": participants, "pairLow": low, "pairHigh": high, "type": kind,
            "conversationType": kind, "propertyId": data["propertyId"],
            "propertyTitle": data["propertyTitle"],
            "lastMessage": "", "lastMessageAt": now, "lastMessageId": None, "unreadCounts": [0, 0],
            "visibleTo": participants, "seq": 0, "createdBy": actor.id, "createdAt": now, "updatedAt": now,
            "changedAt": now}


def new_message(actor, conversation_id, content, kind, file_fields, client_id, now):
    """Return the stored document of a message (its `seq` is set once the conversation gives one)."""
    message_id = ObjectId()
    doc = {"_id": message_id, "conversationId": conversation_id, "senderId": actor.id,
           "senderEmail": actor.email, "senderName": actor.display_name, "content": content, "type": kind,
           **file_fields, "read": False, "readAt": None, "edited": False, "deleted": False,
           # One message per sender's clientMessageId (a unique index); always set, so no partial index.
           "dedupeKey": f"c:{client_id}" if client_id else f"id:{message_id}",
           "createdAt": now, "updatedAt": now}
    if client_id:
        doc["clientMessageId"] = client_id
    return doc


SafetyView = shape(
    "SafetyView",
    categories=fields.List(fields.String(validate=validate.OneOf(SAFETY_CATEGORIES)), required=True,
                           metadata={"description": "What the guard found in the text (sorted)."}),
    action=fields.String(required=True, validate=validate.OneOf(SAFETY_ACTIONS), metadata={"description": (
        "`allow`: nothing found. `warn`: show the recipient a warning (payment or OTP request, unknown "
        "link). `mask`: contact details are hidden from the recipient until both agree to share them.")}))
ContactSharing = shape(
    "ContactSharing", agreedBy=fields.List(fields.String(), required=True),
    active=fields.Boolean(required=True,
                          metadata={"description": "Both participants agreed: nothing is masked."}))


class MessageView(Document):
    """A message. A deleted one keeps its place, says `[Message deleted]` and has no file."""

    conversationId = object_id()
    senderId = text()
    senderEmail = text(nullable=True)
    senderName = text(nullable=True)
    content = text(dump_default="")
    type = one_of(MESSAGE_TYPES)
    # The stored message keeps the file id; a link is signed afresh each time, so history never expires.
    fileUrl = computed("file_url", "string", format="uri")
    thumbnailUrl = computed("thumbnail_url", "string", format="uri")
    fileName = text(nullable=True)
    fileSize = number(nullable=True)
    read = flag()
    readAt = when(nullable=True)
    edited = flag()
    deleted = flag()
    clientMessageId = text(nullable=True)
    seq = number(nullable=True, metadata={"description": "Order of the message in its conversation."})
    changeSeq = number(nullable=True, metadata={"description": "Sequence number of its last change."})
    createdAt = when(nullable=True)
    updatedAt = when(nullable=True)
    editedAt = optional_when("Only on edited messages.")
    safety = nested(SafetyView)

    def file_url(self, doc):
        return files.signed_url(doc["fileId"]) if doc.get("fileId") and not doc.get("deleted") else None

    def thumbnail_url(self, doc):
        return self.file_url(doc) if doc.get("fileType") == IMAGE else None


OtherUser = shape("OtherUser", id=text(), name=text(), email=text(nullable=True))


class ConversationView(Document):
    """A conversation as one participant sees it: `unreadCount` and `otherUser` are theirs."""

    type = text(nullable=True)
    conversationType = text(nullable=True)
    participants = fields.List(fields.String(), required=True)
    propertyId = text(nullable=True)
    propertyTitle = text(nullable=True)
    lastMessage = text(dump_default="")
    lastMessageAt = when(nullable=True)
    seq = number(dump_default=0)
    unreadCount = number()
    otherUser = nested(OtherUser)
    contactSharing = nested(ContactSharing)
    createdAt = when(nullable=True)
    updatedAt = when(nullable=True)


ConversationAnswer = shape("ConversationAnswer", conversation=nested(ConversationView))
ConversationListing = shape(
    "ConversationListing", conversations=nested(ConversationView, many=True), hasMore=flag(),
    nextBefore=when(nullable=True, metadata={"description": "lastMessageAt of the last one."}),
    nextBeforeId=text(nullable=True))
HiddenConversation = shape("HiddenConversation", conversationId=object_id(), hidden=flag())
MessageAnswer = shape("MessageAnswer", message=nested(MessageView))
MessageListing = shape(
    "MessageListing", messages=nested(MessageView, many=True), hasMore=flag(),
    nextBefore=text(nullable=True, metadata={"description": "Pass as `before` for older messages."}))
# The `mark_as_read` answer and the `messages_read` event.
ReadReceipt = shape("ReadReceipt", conversationId=object_id(), userId=text(), readAt=when(nullable=True),
                    count=number(), seq=number())
UploadMetadata = shape("UploadMetadata", fileName=text(), fileSize=number(),
                       fileType=one_of(("image", "document")), mimeType=text())
UploadAnswer = shape("UploadAnswer", url=text(metadata={"format": "uri"}),
                     thumbnailUrl=text(nullable=True, metadata={"format": "uri"}), fileId=object_id(),
                     metadata=nested(UploadMetadata))
# The `typing` answer and the `user_typing` event (`userId` and `dropped` per case).
TypingView = shape("TypingView", conversationId=text(), isTyping=flag(), userId=fields.String(),
                   dropped=fields.Boolean())


class EditedView(Document):
    conversationId = object_id()
    content = text()
    edited = flag()
    editedAt = when()
    changeSeq = number(nullable=True)
    safety = nested(SafetyView)


class DeletedView(Document):
    conversationId = object_id()
    changeSeq = number(nullable=True)


Notification = shape("Notification", conversationId=object_id(), message=nested(MessageView))
JoinedConversation = shape("JoinedConversation", conversationId=object_id(),
                           conversation=nested(ConversationView))
ConversationLeft = shape("ConversationLeft", conversationId=text())


_MESSAGE, _CONVERSATION, _EDITED, _DELETED = MessageView(), ConversationView(), EditedView(), DeletedView()


def sharing(conversation):
    """Return a stored conversation's contact-sharing state."""
    agreed = list((conversation or {}).get("sharingAgreedBy") or [])
    participants = (conversation or {}).get("participants") or []
    return {"agreedBy": agreed, "active": bool(participants) and all(p in agreed for p in participants)}


def _as_seen(doc, viewer_id, conversation):
    """Return the stored message with the text and safety flags the viewer sees.

    viewer_id None (the sender's form, or one broadcast) shows the original text.
    """
    deleted = doc.get("deleted")
    shown = dict(doc, safety=CLEAN if deleted or not doc.get("safety") else doc["safety"])
    masked = doc.get("maskedContent")
    if (masked and not deleted and viewer_id is not None and viewer_id != doc.get("senderId")
            and not sharing(conversation)["active"]):
        shown["content"] = masked
    return shown


def message(doc, viewer_id=None, conversation=None):
    """Return a stored message as a viewer sees it (see _as_seen)."""
    return _MESSAGE.dump(_as_seen(doc, viewer_id, conversation))


def edited(doc, viewer_id=None, conversation=None):
    """Return the `message_edited` payload of a stored message, as a viewer sees it."""
    return _EDITED.dump(_as_seen(doc, viewer_id, conversation))


def deleted(doc):
    """Return the `message_deleted` payload of a stored message."""
    return _DELETED.dump(doc)


def _preview(message):
    """Return the conversation-list text for a message."""
    if message.get("deleted"):
        return message["content"]
    return message.get("content") or message.get("fileName") or ""


def preview_fields(message):
    """Return a message's preview fields: the original, the recipient's masked form, who wrote it."""
    masked = message.get("maskedContent") if not message.get("deleted") else None
    return {"lastMessage": _preview(message),
            "lastMessageMasked": _preview(dict(message, content=masked)) if masked else None,
            "lastMessageSenderId": message.get("senderId"),
            # The change of the message it shows: an older edit's refresh never overwrites a newer one.
            "lastMessageChange": message.get("changeSeq")}


def other_participant(doc, viewer_id):
    return next((p for p in doc["participants"] if p != viewer_id), viewer_id)


def conversation(doc, viewer_id, profiles):
    """Return a stored conversation as one participant sees it (profiles: users.profiles)."""
    other_id = other_participant(doc, viewer_id)
    profile = profiles.get(other_id) or {"name": other_id, "email": None}
    counts = doc.get("unreadCounts") or []
    slot = doc["participants"].index(viewer_id) if viewer_id in doc["participants"] else None
    # An email is a contact detail: shown once its owner has written here (their messages carry it
    # as senderEmail), never to whoever merely names their id (no harvesting by creating).
    email = profile.get("email") if other_id in doc.get("writers", ()) else None
    shared = sharing(doc)
    preview = doc.get("lastMessage") or ""
    if doc.get("lastMessageMasked") and doc.get("lastMessageSenderId") != viewer_id and not shared["active"]:
        preview = doc["lastMessageMasked"]
    return _CONVERSATION.dump(dict(
        doc, lastMessage=preview, contactSharing=shared,
        unreadCount=counts[slot] if slot is not None and slot < len(counts) else 0,
        otherUser={"id": other_id, "name": profile["name"], "email": email}))


SharingAnswer = shape("SharingAnswer", conversationId=object_id(), userId=text(),
                      contactSharing=nested(ContactSharing))
BlockView = shape("BlockView", userId=text(), blockedAt=when(nullable=True), blocked=fields.Boolean())
BlockListing = shape("BlockListing", blocks=nested(BlockView, many=True))
ReportView = shape("ReportView", ticketId=object_id(), reason=text(), conversationId=object_id(),
                   messageIds=fields.List(fields.String(), required=True), createdAt=when())
ReportAnswer = shape("ReportAnswer", report=nested(ReportView))
