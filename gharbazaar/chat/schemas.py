"""Chat payloads, shared by the REST routes and the socket handlers."""
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from .models import MESSAGE_TYPES
from ..validation import BaseSchema, Instant, Integer, Link, LooseId, UserId

MAX_CONTENT = 10000
ID_LENGTH = validate.Length(min=1, max=256)
# Bidirectional embeddings, overrides and isolates draw text in another order than it is stored
# ("\u202e01234 56789" shows as "98765 43210"): the safety guard reads what is stored, a person
# what is drawn. Chat text has no other use for them, so they are dropped.
_REORDERING = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def as_drawn(text):
    """Return message text without the controls that reorder how it is drawn, trimmed."""
    return text.translate(_REORDERING).strip()


class ConversationRef(BaseSchema):
    conversationId = fields.String(required=True, validate=ID_LENGTH)


class CreateConversation(BaseSchema):
    otherUserId = UserId(required=True)
    propertyId = LooseId(load_default=None, allow_none=True, validate=validate.Length(max=256))
    propertyTitle = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    initialMessage = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=MAX_CONTENT))
    type = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))

    @post_load
    def _blank_is_none(self, data, **kwargs):
        # Forms send "" for "no property"; it must not become a property of its own.
        for key in ("propertyId", "propertyTitle", "type"):
            data[key] = (data[key] or "").strip() or None
        data["initialMessage"] = as_drawn(data["initialMessage"] or "") or None
        return data


def _check_content(content, allow_empty):
    content = as_drawn(content)
    if len(content) > MAX_CONTENT:
        raise ValidationError(f"Must be at most {MAX_CONTENT} characters.", "content")
    if not content and not allow_empty:
        raise ValidationError("Must not be empty.", "content")


class _Trimmed(BaseSchema):
    """Content is stored trimmed; its length rule applies after the trim."""

    @post_load
    def _trim(self, data, **kwargs):
        data["content"] = as_drawn(data["content"])
        return data


class MessageBody(_Trimmed):
    """A new message; file fields other than fileUrl are read from the stored file."""

    content = fields.String(load_default="", allow_none=False)
    type = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(MESSAGE_TYPES))
    fileUrl = Link(load_default=None, allow_none=True, validate=validate.Length(max=2048))
    clientMessageId = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(min=1, max=128))

    @validates_schema
    def _check(self, data, **kwargs):
        if data.get("type") in ("image", "file") and not data.get("fileUrl"):
            raise ValidationError("Required for image and file messages.", "fileUrl")
        _check_content(data["content"], allow_empty=bool(data.get("fileUrl")))


class SendMessage(MessageBody, ConversationRef):
    pass


class Typing(ConversationRef):
    isTyping = fields.Boolean(load_default=True)


class MarkRead(BaseSchema):
    upToMessageId = fields.String(load_default=None, allow_none=True, validate=ID_LENGTH)


class MarkReadEvent(MarkRead, ConversationRef):
    pass


class EditBody(_Trimmed):
    content = fields.String(required=True)

    @validates_schema
    def _check(self, data, **kwargs):
        _check_content(data["content"], allow_empty=False)


class MessageRef(BaseSchema):
    messageId = fields.String(required=True, validate=ID_LENGTH)


class EditMessage(EditBody, MessageRef):
    pass


class ConversationPage(BaseSchema):
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=100))
    before = Instant(load_default=None)
    beforeId = fields.String(load_default=None, validate=validate.Length(max=256))


class MessagePage(BaseSchema):
    limit = Integer(load_default=50, validate=validate.Range(min=1, max=100))
    before = fields.String(load_default=None, validate=validate.Length(max=256))
    skip = Integer(load_default=0, validate=validate.Range(min=0, max=100000))

    @post_load
    def _no_blank_before(self, data, **kwargs):
        data["before"] = data["before"] or None
        return data


class UserRef(BaseSchema):
    userId = UserId(required=True)


REPORT_REASONS = ("scam_or_fraud", "payment_request", "fake_listing", "harassment", "spam",
                  "offensive", "other")


class ReportBody(BaseSchema):
    reason = fields.String(required=True, validate=validate.OneOf(REPORT_REASONS))
    details = fields.String(load_default="", validate=validate.Length(max=2000))


class ReportMessage(ReportBody, MessageRef):
    pass


class ReportConversation(ReportBody, ConversationRef):
    pass
