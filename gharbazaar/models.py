"""What every feature's models share: times as stored and as sent, and the fields of their schemas.

A feature's `models.py` declares one marshmallow schema per document it sends; the same schema
dumps the stored document for REST answers and socket payloads and is published in the API docs,
so the three cannot drift. Fields here are strict (`View` refuses undeclared ones when loading,
which the tests do with real answers) and always present when dumped (`null` when nullable).
"""
from datetime import datetime, timezone

from bson import ObjectId
from marshmallow import RAISE, Schema, fields, validate


def iso(value):
    """Return a datetime as ISO 8601 UTC with milliseconds and a trailing Z."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utcnow():
    """Return the current time, timezone-aware UTC, at millisecond precision (as stored)."""
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def plain(value):
    """Convert BSON values (ObjectId, datetime, nested) to JSON-ready ones."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


class View(Schema):
    """An object the backend sends; every field it can carry is declared, nothing else."""

    class Meta:
        unknown = RAISE


class _Instant(fields.String):
    """An instant: a stored datetime dumps as ISO 8601 UTC (`2026-01-31T12:00:00.000Z`)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value) if isinstance(value, datetime) else value


class _Id(fields.String):
    """An ObjectId: dumps as its 24-hex string."""

    def _serialize(self, value, attr, obj, **kwargs):
        return str(value) if isinstance(value, ObjectId) else value


def _always(nullable, kwargs):
    # A dumped document always carries the field: absent from the stored one, it is null.
    if nullable:
        kwargs.setdefault("dump_default", None)
    return dict(required=True, allow_none=nullable, **kwargs)


def text(nullable=False, **kwargs):
    """A string that is always present (null when `nullable`)."""
    return fields.String(**_always(nullable, kwargs))


def when(nullable=False, metadata=None, **kwargs):
    """An ISO 8601 UTC instant, always present."""
    return _Instant(metadata={"format": "date-time", **(metadata or {})}, **_always(nullable, kwargs))


def number(nullable=False, **kwargs):
    return fields.Integer(**_always(nullable, kwargs))


def flag(**kwargs):
    """A boolean, false when the stored document lacks it."""
    return fields.Boolean(required=True, dump_default=False, **kwargs)


def one_of(values, nullable=False):
    return fields.String(validate=validate.OneOf(values), **_always(nullable, {}))


def nested(schema, nullable=False, many=False):
    return fields.Nested(schema, many=many, **_always(nullable, {}))


def object_id(**kwargs):
    """A 24-hex ObjectId string."""
    return _Id(required=True, validate=validate.Regexp(r"^[0-9a-f]{24}$"), **kwargs)


def optional_when(description):
    """An ISO 8601 UTC instant present only when the stored document has it."""
    return _Instant(metadata={"format": "date-time", "description": description})


def computed(method, schema_type, nullable=True, **metadata):
    """A value the schema computes from the stored document (`method` names a method of the schema)."""
    kinds = [schema_type, "null"] if nullable else schema_type
    return fields.Method(method, required=True, metadata={"type": kinds, **metadata})


def shape(schema_name, /, **declared):
    """Return a View class with these fields (answers and events made of documents)."""
    return View.from_dict(declared, name=schema_name)


class _SameId(_Id):
    """`id`: the stored `_id` once more (a second field may not name the same attribute)."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return super().get_value(obj, "_id", accessor, default)


class Document(View):
    """A stored document: `id` and `_id` are the same 24-hex string."""

    id = _SameId(required=True, validate=validate.Regexp(r"^[0-9a-f]{24}$"))
    _id = object_id()
