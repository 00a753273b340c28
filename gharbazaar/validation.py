"""Load client payloads through marshmallow schemas, refusing what the database cannot take.

Every REST body, query string and socket payload goes through `load()`. Before a schema sees
it, the whole payload is walked once: MongoDB operators, deep nesting, text that is not
Unicode (unpaired surrogates), integers outside 64 bits and non-finite numbers are refused
wherever they sit, known field or not. The field types below close what the walk cannot
see: instants that leave the calendar once moved to UTC, integers parsed from query strings,
links that do not parse.
"""
import math
from datetime import timezone
from urllib.parse import parse_qsl, urlsplit

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields

from .errors import UnsupportedMediaType, ValidationFailed

MAX_DEPTH = 8
# BSON stores integers in 64 bits: pymongo raises OverflowError on anything wider.
INT64_MIN, INT64_MAX = -2 ** 63, 2 ** 63 - 1
LINK_SCHEMES = ("", "http", "https")


class BaseSchema(Schema):
    """Schemas ignore unknown fields: newer frontends may send more than we read."""

    class Meta:
        unknown = EXCLUDE


class Instant(fields.AwareDateTime):
    """An ISO 8601 instant, returned in UTC; naive ones are UTC.

    `0001-01-01T00:00:00+05:00` parses, but is before year 1 in UTC: Python cannot hold it
    and BSON encoding raised OverflowError, so it is refused here instead.
    """

    default_error_messages = {"range": "Not a valid instant (out of range)."}

    def __init__(self, **kwargs):
        super().__init__(default_timezone=timezone.utc, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(timezone.utc)
        except OverflowError:
            raise self.make_error("range") from None


class Integer(fields.Integer):
    """An integer that fits in 64 bits (query strings parse to any size)."""

    default_error_messages = {"range": "Must fit in 64 bits."}

    def _validated(self, value):
        number = super()._validated(value)
        if not INT64_MIN <= number <= INT64_MAX:
            raise self.make_error("range")
        return number


class UserId(fields.String):
    """Another user's id: trimmed, 1 to 256 printable characters (a blank id, or one holding NUL or
    terminal escapes, named a user nobody is)."""
    default_error_messages = {"user_id": "Not a valid user id."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not 0 < len(text) <= 256 or not text.isprintable():
            raise self.make_error("user_id")
        return text


class Link(fields.String):
    """A URL (absolute http(s) or a path) that parses; anything else is not a link."""

    default_error_messages = {"link": "Not a valid link."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            parts = urlsplit(text)
            parts.port  # parsed lazily: an out-of-range port raises only when read
        except ValueError:  # an unclosed IPv6 bracket, a port out of range
            raise self.make_error("link") from None
        if parts.scheme.lower() not in LINK_SCHEMES:
            raise self.make_error("link")
        return text


def is_text(value):
    """Return True when a string is valid Unicode (UTF-8 encodable: no unpaired surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _key_problems(value, path="", depth=0):
    """Yield the dotted paths of keys that could be read as MongoDB operators, or nest too deep."""
    if depth > MAX_DEPTH:
        yield path or "(body)"
        return
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or key.startswith("$") or "\x00" in key:
                yield where
            else:
                yield from _key_problems(item, where, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _key_problems(item, f"{path}[{index}]", depth + 1)


def _value_problems(value, path=""):
    """Yield (path, message) for values no field may hold: they would fail in the database."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if is_text(key):
                yield from _value_problems(item, where)
            else:  # named without the surrogate: the answer must be valid Unicode itself
                yield where.encode("utf-8", "backslashreplace").decode(), "Not valid Unicode text."
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _value_problems(item, f"{path}[{index}]")
    elif isinstance(value, str):
        if not is_text(value):
            yield path or "body", "Not valid Unicode text."
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            yield path or "body", "Must fit in 64 bits."
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield path or "body", "Not a finite number."
    else:  # bytes (Socket.IO binary attachments) and anything else JSON cannot say
        yield path or "body", "Not a JSON value."


def _details(messages, prefix=""):
    for field, message in messages.items():
        name = f"{prefix}{field}"
        if isinstance(message, dict):
            yield from _details(message, f"{name}.")
        else:
            text = message[0] if isinstance(message, list) and message else str(message)
            yield {"field": "body" if name == "_schema" else name, "message": str(text)}


def check_payload(payload):
    """Raise ValidationFailed unless every key and value of the payload is safe to handle."""
    bad = list(_key_problems(payload))
    if bad:
        raise ValidationFailed("Invalid field names or nesting",
                               details=[{"field": f, "message": "Not allowed."} for f in bad])
    details = [{"field": field, "message": message} for field, message in _value_problems(payload)]
    if details:
        raise ValidationFailed(f"{details[0]['field']}: {details[0]['message']}", details=details)


def refuse(payload):
    """Raise ValidationFailed unless the payload is an object whose keys and values are safe."""
    if not isinstance(payload, dict):
        raise ValidationFailed("Payload must be a JSON object",
                               details=[{"field": "body", "message": "Must be an object."}])
    check_payload(payload)


def failed(messages):
    """Return the ValidationFailed for marshmallow's error messages."""
    details = list(_details(messages))
    first = details[0] if details else {"field": "body", "message": "Invalid."}
    return ValidationFailed(f"{first['field']}: {first['message']}", details=details)


_SHARED = {}


def shared(schema):
    """Return the one instance of a schema class this process keeps (an instance is returned as is).

    Building a marshmallow schema copies every declared field; socket events load a payload each,
    so the hot paths pass the class and the fields are built once.
    """
    if not isinstance(schema, type):
        return schema
    instance = _SHARED.get(schema)
    if instance is None:
        instance = _SHARED[schema] = schema()
    return instance


def load(schema, payload):
    """Return the payload validated by the schema (an instance, or a class: see shared()),
    or raise ValidationFailed."""
    refuse(payload)
    try:
        return shared(schema).load(payload)
    except ValidationError as exc:
        raise failed(exc.normalized_messages()) from None


def json_body():
    """Return the request's JSON body ({} when empty), or raise 415/400."""
    if not request.get_data(cache=True):
        return {}
    if not request.is_json:
        raise UnsupportedMediaType("Content-Type must be application/json")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes (a few KB of "[[[["): not JSON we take
        raise ValidationFailed("Invalid field names or nesting",
                               details=[{"field": "body", "message": "Nested too deeply."}]) from None
    if data is None:
        raise ValidationFailed("Request body must be valid JSON",
                               details=[{"field": "body", "message": "Not valid JSON."}])
    return data


def load_json(schema):
    """Return the request's JSON body validated by the schema."""
    return load(schema, json_body())


def query_args():
    """Return the query string's parameters (the first value of each name)."""
    # Not request.args: it decodes strictly, and a raw byte (`?sig=\xff`) raised UnicodeDecodeError.
    text = request.query_string.decode("utf-8", "replace")
    # reversed: of a name given twice, the first value is the one kept
    return dict(reversed(parse_qsl(text, keep_blank_values=True, errors="replace")))


def load_query(schema):
    """Return the request's query string validated by the schema."""
    return load(schema, query_args())


class LooseId(fields.String):
    """A string id; numbers are accepted and turned into strings (property ids from listings)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)
