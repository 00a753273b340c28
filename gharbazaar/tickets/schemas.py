"""Payloads of ticket requests and events (marshmallow; unknown fields are ignored)."""
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from ..validation import BaseSchema, Integer, Link, UserId
from .states import STATUSES

MAX_PROBLEM, MAX_MESSAGE, MAX_TITLE, MAX_REMARKS, MAX_REASON = 5000, 3000, 200, 1000, 500
MAX_LIMIT, DEFAULT_LIMIT = 100, 50
# Deeper than this, use the `before` cursor: the database would walk every skipped ticket.
MAX_SKIP = 10_000
ID = validate.Length(min=1, max=256)


class Text(fields.String):
    """A string stripped of surrounding whitespace before its length is checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class TicketRef(BaseSchema):
    ticketId = fields.String(required=True, validate=ID)


class CreateTicket(BaseSchema):
    categoryTitle = Text(required=True, validate=validate.Length(min=1, max=MAX_TITLE))
    subCategoryTitle = Text(required=True, validate=validate.Length(min=1, max=MAX_TITLE))
    problem = Text(required=True, validate=validate.Length(min=1, max=MAX_PROBLEM))
    categoryId = fields.String(load_default=None, allow_none=True, validate=ID)
    subCategoryId = fields.String(load_default=None, allow_none=True, validate=ID)


class Message(BaseSchema):
    message = Text(load_default="", validate=validate.Length(max=MAX_MESSAGE))
    fileUrl = Link(load_default=None, allow_none=True, validate=validate.Length(max=2048))
    fileName = Text(load_default=None, allow_none=True, validate=validate.Length(max=255))

    @validates_schema
    def _text_or_file(self, data, **kwargs):
        # Only a file message may come without text (as in chat).
        if not data.get("message") and not data.get("fileUrl"):
            raise ValidationError("Message is required (1 to 3000 characters).", "message")


class TicketMessage(Message, TicketRef):
    """`ticket_message` over a socket: the REST body plus ticketId."""


class Assign(BaseSchema):
    employeeId = UserId(load_default=None, allow_none=True)


class AssignTicket(Assign, TicketRef):
    """`assign_ticket` over a socket."""


class StatusChange(BaseSchema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=MAX_REASON))


class Feedback(BaseSchema):
    rating = Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    remarks = Text(load_default=None, allow_none=True, validate=validate.Length(max=MAX_REMARKS))

    @validates("rating")
    def _not_boolean(self, value, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Not a valid integer.")


class Listing(BaseSchema):
    """Query string of the ticket lists; `before` is the id of the last ticket already shown."""

    status = fields.String(load_default="all", validate=validate.OneOf(("all",) + STATUSES))
    limit = Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    before = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9a-fA-F]{24}$"))
    assignedTo = fields.String(load_default=None, validate=ID)


class DeskListing(Listing):
    """Query string of the employee desk's list: the original's `skip` as well as the `before` cursor."""

    skip = Integer(load_default=0, validate=validate.Range(min=0, max=MAX_SKIP))


class QuickResponse(TicketRef):
    templateId = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CannedReplyChange(BaseSchema):
    title = Text(load_default=None, validate=validate.Length(min=1, max=MAX_TITLE))
    content = Text(load_default=None, validate=validate.Length(min=1, max=MAX_MESSAGE))

    @validates_schema
    def _something(self, data, **kwargs):
        if data.get("title") is None and data.get("content") is None:
            raise ValidationError("Give a title or a content to change.", "content")


class CannedReplyIn(BaseSchema):
    title = Text(required=True, validate=validate.Length(min=1, max=MAX_TITLE))
    content = Text(required=True, validate=validate.Length(min=1, max=MAX_MESSAGE))
    scope = fields.String(load_default="personal", validate=validate.OneOf(("personal", "team")))


class Note(BaseSchema):
    note = Text(required=True, validate=validate.Length(min=1, max=MAX_MESSAGE))


class TicketNote(Note, TicketRef):
    """`ticket_note` over a socket: the REST body plus ticketId."""
