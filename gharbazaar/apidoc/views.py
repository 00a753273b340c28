"""Shared answers: the error envelope, health, the service index and `/me` (documentation only)."""
from marshmallow import fields, validate

from ..models import flag, nested, one_of, shape, text, when

STATES = ("ok", "down")


FieldError = shape("FieldError", field=text(), message=text())
# Every failure: `error` is for people, `code` for programs.
Error = shape("Error", success=fields.Boolean(required=True, validate=validate.Equal(False)), error=text(),
              code=text(metadata={"examples": ["validation_error", "unauthorized", "not_found"]}),
              details=fields.Nested(FieldError, many=True,
                                    metadata={"description": "Validation errors only."}),
              path=fields.String(metadata={"description": "Unknown routes only."}),
              requestId=fields.String(metadata={"description": "5xx only; also in the X-Request-ID header."}))
Health = shape("Health", success=flag(), message=text(), timestamp=when(), database=one_of(STATES),
               redis=one_of(("ok", "down", "off")), version=text(), draining=flag())
Ready = shape("Ready", success=flag(), database=one_of(STATES), redis=one_of(("ok", "down", "off")),
              timestamp=when(), error=fields.String(), code=fields.String())
Links = shape("Links", health=text(), ready=text(), docs=text(), socket=text())
ServiceIndex = shape("ServiceIndex", success=flag(), name=text(), version=text(), links=nested(Links))
Me = shape("Me", id=text(), role=text(), email=text(nullable=True), name=text(), isStaff=flag())
MeAnswer = shape("MeAnswer", user=nested(Me))
Waited = shape("Waited", count=fields.Integer(required=True), ms=fields.Float(required=True))
DbCommands = shape("DbCommands", total=fields.Integer(required=True),
                   commands=fields.Dict(keys=fields.String(), values=fields.Integer(), required=True),
                   waited=fields.Dict(keys=fields.String(), values=fields.Nested(Waited), required=True))
