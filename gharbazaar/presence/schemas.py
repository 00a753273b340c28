"""Presence payloads, loaded like every other socket payload (and published in the AsyncAPI document)."""
from marshmallow import fields, validate

from ..validation import BaseSchema
from .service import MAX_STATUS_QUERY, STATUSES

USER_ID = validate.Length(max=256)


class StatusUpdate(BaseSchema):
    """`presence:update-status` payload."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class StatusQuery(BaseSchema):
    """`presence:get-status` payload."""

    userIds = fields.List(fields.String(validate=USER_ID), required=True,
                          validate=validate.Length(max=MAX_STATUS_QUERY))
