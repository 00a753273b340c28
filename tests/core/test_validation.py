"""The loading layer: what no payload may carry, and the field types that check what the walk cannot."""
from datetime import datetime, timezone
from importlib import import_module

import bson
import pytest
from marshmallow import fields

from gharbazaar import validation
from gharbazaar.errors import ValidationFailed
from gharbazaar.validation import BaseSchema, Instant, Integer, Link, load

# Every module that declares loading schemas (documentation schemas are apidoc Views, not these).
SCHEMA_MODULES = ("gharbazaar.chat.schemas", "gharbazaar.tickets.schemas", "gharbazaar.sync.schemas",
                  "gharbazaar.presence.schemas", "gharbazaar.files.schemas")
# Field types whose every value the loading layer checks (a str subclass may add rules: Link).
SAFE = (fields.String, fields.Boolean, Instant, Integer)


class Probe(BaseSchema):
    count = Integer(load_default=None)
    at = Instant(load_default=None)
    link = Link(load_default=None)


def refused(payload):
    with pytest.raises(ValidationFailed) as caught:
        load(Probe(), payload)
    return caught.value


def loading_schemas():
    for name in SCHEMA_MODULES:
        import_module(name)
    found, todo = set(), list(BaseSchema.__subclasses__())
    while todo:
        schema = todo.pop()
        found.add(schema)
        todo.extend(schema.__subclasses__())
    return sorted(found, key=lambda schema: f"{schema.__module__}.{schema.__name__}")


def unsafe(field):
    """Yield the field types inside a field that the loading layer does not check."""
    if isinstance(field, fields.List):
        yield from unsafe(field.inner)
    elif isinstance(field, fields.Dict):
        yield from unsafe(field.key_field or fields.String())
        yield from unsafe(field.value_field or fields.Raw())
    elif isinstance(field, fields.Nested):
        if not issubclass(type(field.schema), BaseSchema):
            yield type(field.schema).__name__
    elif not isinstance(field, SAFE):
        yield type(field).__name__


def test_every_loading_schema_uses_only_field_types_the_loading_layer_checks():
    schemas = loading_schemas()
    assert {schema.__module__ for schema in schemas} >= set(SCHEMA_MODULES)
    bad = {f"{schema.__name__}.{name}": kinds for schema in schemas
           for name, field in schema().fields.items() if (kinds := list(unsafe(field)))}
    assert bad == {}


@pytest.mark.parametrize("number", [2 ** 63 - 1, -2 ** 63, 0])
def test_integers_that_fit_in_64_bits_are_accepted(number):
    assert load(Probe(), {"count": number})["count"] == number
    assert load(Probe(), {"count": str(number)})["count"] == number  # as a query string sends it


@pytest.mark.parametrize("number", [2 ** 63, 2 ** 64, 10 ** 30, -2 ** 63 - 1, -(10 ** 30)])
def test_integers_past_64_bits_are_a_validation_error_in_any_field_known_or_not(number):
    assert refused({"count": number}).details == [{"field": "count", "message": "Must fit in 64 bits."}]
    assert refused({"count": str(number)}).details == [{"field": "count", "message": "Must fit in 64 bits."}]
    assert refused({"unknown": {"deep": [number]}}).details[0]["field"] == "unknown.deep[0]"


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\udc00\ud800"])
def test_unpaired_surrogates_are_a_validation_error_in_values_and_keys(text):
    assert refused({"link": text}).details == [{"field": "link", "message": "Not valid Unicode text."}]
    assert refused({"list": ["ok", text]}).details[0]["field"] == "list[1]"
    (detail,) = refused({text: 1}).details
    assert detail["message"] == "Not valid Unicode text." and detail["field"].encode("utf-8")


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_a_validation_error(number):
    assert refused({"extra": number}).details == [{"field": "extra", "message": "Not a finite number."}]


def test_binary_data_is_a_validation_error():
    assert refused({"extra": b"\x00\xff"}).details == [{"field": "extra", "message": "Not a JSON value."}]


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00",
                                  "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59.999999-00:01"])
def test_an_instant_that_leaves_the_calendar_once_in_utc_is_a_validation_error(text):
    (detail,) = refused({"at": text}).details
    assert detail == {"field": "at", "message": "Not a valid instant (out of range)."}


@pytest.mark.parametrize("text, expected", [
    ("2026-01-31T12:00:00+05:30", datetime(2026, 1, 31, 6, 30, tzinfo=timezone.utc)),
    ("2026-01-31T12:00:00", datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)),
    ("0001-01-01T00:00:00-05:00", datetime(1, 1, 1, 5, 0, tzinfo=timezone.utc)),
    ("9999-12-31T23:59:59+05:00", datetime(9999, 12, 31, 18, 59, 59, tzinfo=timezone.utc)),
])
def test_an_instant_is_returned_in_utc(text, expected):
    moment = load(Probe(), {"at": text})["at"]
    assert moment == expected and moment.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("url", ["http://[::1/api/v1/files/0123456789abcdef01234567", "http://[zz]/x",
                                 "http://h:99999/x", "//[", "javascript:alert(1)", "file:///etc/passwd"])
def test_a_link_that_does_not_parse_as_http_is_a_validation_error(url):
    assert refused({"link": url}).details == [{"field": "link", "message": "Not a valid link."}]


@pytest.mark.parametrize("url", ["https://api.example.com/api/v1/files/0123456789abcdef01234567?exp=1&sig=x",
                                 "/api/v1/files/0123456789abcdef01234567", "http://[::1]:5000/x"])
def test_http_links_and_paths_are_links(url):
    assert load(Probe(), {"link": url})["link"] == url


def test_the_64_bit_bounds_are_exactly_what_bson_can_store():
    bson.encode({"low": validation.INT64_MIN, "high": validation.INT64_MAX})
    for past in (validation.INT64_MIN - 1, validation.INT64_MAX + 1):
        with pytest.raises(OverflowError):
            bson.encode({"n": past})
