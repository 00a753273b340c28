"""Shared answers: the error envelope, health, the service index and `/me` (documentation only)."""
from marshmallow import fields, validate

from ..models import View, flag, nested, one_of, text, when

STATES = ("ok", "down")


class FieldError(View):
    field = text()
    message = text()


class Error(View):
    """Every failure: `error` is for people, `code` for programs."""

    success = fields.Boolean(required=True, validate=validate.Equal(False))
    error = text()
    code = text(metadata={"examples": ["validation_error", "unauthorized", "not_found"]})
    details = fields.Nested(FieldError, many=True, metadata={"description": "Validation errors only."})
    path = fields.String(metadata={"description": "Unknown routes only."})
    requestId = fields.String(metadata={"description": "5xx only; also in the X-Request-ID header."})


class Health(View):
    success = flag()
    message = text()
    timestamp = when()
    database = one_of(STATES)
    redis = one_of(("ok", "down", "off"))
    version = text()
    draining = flag()


class Ready(View):
    success = flag()
    database = one_of(STATES)
    redis = one_of(("ok", "down", "off"))
    timestamp = when()
    error = fields.String()
    code = fields.String()


class Links(View):
    health = text()
    ready = text()
    docs = text()
    socket = text()


class ServiceIndex(View):
    success = flag()
    name = text()
    version = text()
    links = nested(Links)


class Me(View):
    id = text()
    role = text()
    email = text(nullable=True)
    name = text()
    isStaff = flag()


class MeAnswer(View):
    user = nested(Me)


class DbCommands(View):
    commands = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    total = fields.Integer(required=True)
