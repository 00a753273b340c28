"""Load client payloads through marshmallow schemas, refusing MongoDB operators."""
from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError

from .errors import UnsupportedMediaType, ValidationFailed

MAX_DEPTH = 8


class BaseSchema(Schema):
    """Schemas ignore unknown fields: newer frontends may send more than we read."""

    class Meta:
        unknown = EXCLUDE


def _operator_paths(value, path="", depth=0):
    """Yield the dotted paths of keys that could be read as MongoDB operators."""
    if depth > MAX_DEPTH:
        yield path or "(body)"
        return
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or key.startswith("$") or "\x00" in key:
                yield where
            else:
                yield from _operator_paths(item, where, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _operator_paths(item, f"{path}[{index}]", depth + 1)


def _details(messages, prefix=""):
    for field, message in messages.items():
        name = f"{prefix}{field}"
        if isinstance(message, dict):
            yield from _details(message, f"{name}.")
        else:
            text = message[0] if isinstance(message, list) and message else str(message)
            yield {"field": "body" if name == "_schema" else name, "message": str(text)}


def load(schema, payload):
    """Return the payload validated by the schema, or raise ValidationFailed."""
    if not isinstance(payload, dict):
        raise ValidationFailed("Payload must be a JSON object",
                               details=[{"field": "body", "message": "Must be an object."}])
    bad = list(_operator_paths(payload))
    if bad:
        raise ValidationFailed("Invalid field names or nesting",
                               details=[{"field": f, "message": "Not allowed."} for f in bad])
    try:
        return schema.load(payload)
    except ValidationError as exc:
        details = list(_details(exc.normalized_messages()))
        first = details[0] if details else {"field": "body", "message": "Invalid."}
        raise ValidationFailed(f"{first['field']}: {first['message']}", details=details) from None


def json_body():
    """Return the request's JSON body ({} when empty), or raise 415/400."""
    if not request.get_data(cache=True):
        return {}
    if not request.is_json:
        raise UnsupportedMediaType("Content-Type must be application/json")
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationFailed("Request body must be valid JSON",
                               details=[{"field": "body", "message": "Not valid JSON."}])
    return data


def load_json(schema):
    """Return the request's JSON body validated by the schema."""
    return load(schema, json_body())
