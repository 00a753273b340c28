"""Presence payloads, as marshmallow schemas (documentation only: the handlers read plain dicts)."""
from marshmallow import fields, validate

from ..apidoc.fields import View, flag, nested, one_of, text, when
from .service import MAX_STATUS_QUERY, STATUSES


class StatusUpdate(View):
    """`presence:update-status` payload."""

    status = one_of(STATUSES)


class StatusQuery(View):
    """`presence:get-status` payload."""

    userIds = fields.List(fields.String(), required=True, validate=validate.Length(max=MAX_STATUS_QUERY))


class UserStatus(View):
    userId = text()
    status = one_of(STATUSES)


class UserPresence(UserStatus):
    lastSeen = when(nullable=True)


class StatusResponse(View):
    users = nested(UserPresence, many=True)


class Heartbeat(View):
    ok = flag()
