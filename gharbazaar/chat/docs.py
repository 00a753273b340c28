"""What the chat routes and events answer, as marshmallow schemas (documentation and fuzz checks only).

The shapes are those of `shapes.py` and `service.py`; keep them in step.
"""
from marshmallow import fields

from ..apidoc.fields import Document, View, flag, nested, number, object_id, one_of, text, when
from .schemas import MESSAGE_TYPES


class MessageView(Document):
    conversationId = object_id()
    senderId = text()
    senderEmail = text(nullable=True)
    senderName = text(nullable=True)
    content = text()
    type = one_of(MESSAGE_TYPES)
    fileUrl = text(nullable=True, metadata={"format": "uri"})
    thumbnailUrl = text(nullable=True, metadata={"format": "uri"})
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
    editedAt = fields.String(metadata={"format": "date-time", "description": "Only on edited messages."})


class OtherUser(View):
    id = text()
    name = text()
    email = text(nullable=True)


class ConversationView(Document):
    type = text(nullable=True)
    conversationType = text(nullable=True)
    participants = fields.List(fields.String(), required=True)
    propertyId = text(nullable=True)
    propertyTitle = text(nullable=True)
    lastMessage = text()
    lastMessageAt = when(nullable=True)
    seq = number()
    unreadCount = number()
    otherUser = nested(OtherUser)
    createdAt = when(nullable=True)
    updatedAt = when(nullable=True)


class ConversationAnswer(View):
    conversation = nested(ConversationView)


class ConversationListing(View):
    conversations = nested(ConversationView, many=True)
    hasMore = flag()
    nextBefore = when(nullable=True, metadata={"description": "lastMessageAt of the last one."})
    nextBeforeId = text(nullable=True)


class HiddenConversation(View):
    conversationId = object_id()
    hidden = flag()


class MessageAnswer(View):
    message = nested(MessageView)


class MessageListing(View):
    messages = nested(MessageView, many=True)
    hasMore = flag()
    nextBefore = text(nullable=True, metadata={"description": "Pass as `before` for older messages."})


class ReadReceipt(View):
    """The `mark_as_read` answer and the `messages_read` event."""

    conversationId = object_id()
    userId = text()
    readAt = when(nullable=True)
    count = number()
    seq = number()


class UploadMetadata(View):
    fileName = text()
    fileSize = number()
    fileType = one_of(("image", "document"))
    mimeType = text()


class UploadAnswer(View):
    url = text(metadata={"format": "uri"})
    thumbnailUrl = text(nullable=True, metadata={"format": "uri"})
    fileId = object_id()
    metadata = nested(UploadMetadata)


class TypingView(View):
    """The `typing` answer and the `user_typing` event (`userId` and `dropped` per case)."""

    conversationId = text()
    isTyping = flag()
    userId = fields.String()
    dropped = fields.Boolean()


class EditedView(Document):
    conversationId = object_id()
    content = text()
    edited = flag()
    editedAt = when()
    changeSeq = number(nullable=True)


class DeletedView(Document):
    conversationId = object_id()
    changeSeq = number(nullable=True)


class Notification(View):
    conversationId = object_id()
    message = nested(MessageView)


class JoinedConversation(View):
    conversationId = object_id()
    conversation = nested(ConversationView)


class ConversationLeft(View):
    conversationId = text()
