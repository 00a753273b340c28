"""Field helpers for the documentation-only response schemas (strict: no undocumented fields)."""
from marshmallow import RAISE, Schema, fields, validate


class View(Schema):
    """An object the backend sends; every field it can carry is declared, nothing else."""

    class Meta:
        unknown = RAISE


def text(nullable=False, **kwargs):
    """A string that is always present (null when `nullable`)."""
    return fields.String(required=True, allow_none=nullable, **kwargs)


def when(nullable=False, metadata=None, **kwargs):
    """An ISO 8601 UTC instant (`2026-01-31T12:00:00.000Z`), always present."""
    metadata = {"format": "date-time", **(metadata or {})}
    return fields.String(required=True, allow_none=nullable, metadata=metadata, **kwargs)


def number(nullable=False, **kwargs):
    return fields.Integer(required=True, allow_none=nullable, **kwargs)


def flag(**kwargs):
    return fields.Boolean(required=True, **kwargs)


def one_of(values, nullable=False):
    return fields.String(required=True, allow_none=nullable, validate=validate.OneOf(values))


def nested(schema, nullable=False, many=False):
    return fields.Nested(schema, required=True, allow_none=nullable, many=many)


def object_id():
    """A 24-hex ObjectId string."""
    return fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{24}$"))


class Document(View):
    """A stored document: `id` and `_id` are the same 24-hex string."""

    id = object_id()
    _id = object_id()
