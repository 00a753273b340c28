"""Every field of every documented REST operation, swept with every hostile value: never a 5xx.

Fields come from the published OpenAPI document (path and query parameters, JSON and form
properties, and the keys, values and items inside them), so a new field is swept without
anyone listing it here. Each request is a baseline that passes validation with one field
replaced: the hostile value is the only thing wrong and travels as far as it can.
"""
import io
import json
from urllib.parse import quote, urlencode

import pytest

from tests.support.files import png_bytes
from tests.security import hostile
from tests.security.documents import published
from tests.security.sweeps import TICKET, World, fill, property_slots, refusal_problem, with_value

DOCUMENT = published("/api/v1/openapi.json")
OPERATIONS = {(method.upper(), path): operation for path, methods in DOCUMENT["paths"].items()
              for method, operation in methods.items()}
C, T, D = "/api/v1/chat", "/api/v1/tickets", "/api/v1/employee"
# (method, path) -> (who calls, a request that passes validation); `{fresh}` is new per request,
# so that each request really creates what it asks for instead of finding the last one again.
BASELINES = {
    ("GET", "/"): ("buyer", {}),
    ("GET", "/api/v1/health"): ("anonymous", {}),
    ("GET", "/api/v1/health/ready"): ("anonymous", {}),
    ("GET", "/api/v1/health/db-commands"): ("anonymous", {}),
    ("GET", "/api/v1/me"): ("buyer", {}),
    ("POST", f"{C}/conversations"): ("creator", {"json": {
        "otherUserId": "{seller}", "propertyId": "{fresh}", "propertyTitle": "Flat", "initialMessage": "Hi",
        "type": "property"}}),
    ("GET", f"{C}/conversations"): ("buyer", {"query": {"limit": "10", "before": "{since}",
                                                        "beforeId": "{conversation_id}"}}),
    ("GET", f"{C}/conversations/{{conversation_id}}"): ("buyer", {}),
    ("DELETE", f"{C}/conversations/{{conversation_id}}"): ("buyer", {}),
    ("GET", f"{C}/conversations/{{conversation_id}}/messages"): ("buyer", {"query": {
        "limit": "10", "before": "{message_id}", "skip": "0"}}),
    ("POST", f"{C}/conversations/{{conversation_id}}/messages"): ("buyer", {"json": {
        "content": "Hello", "type": "text", "clientMessageId": "{fresh}"}}),
    ("POST", f"{C}/conversations/{{conversation_id}}/read"): ("buyer", {"json": {
        "upToMessageId": "{message_id}"}}),
    ("PUT", f"{C}/messages/{{message_id}}"): ("buyer", {"json": {"content": "Edited"}}),
    ("DELETE", f"{C}/messages/{{message_id}}"): ("buyer", {}),
    ("POST", f"{C}/upload"): ("buyer", {"form": {"conversationId": "{conversation_id}"}}),
    ("POST", f"{C}/conversations/{{conversation_id}}/contact-sharing"): ("buyer", {}),
    ("DELETE", f"{C}/conversations/{{conversation_id}}/contact-sharing"): ("buyer", {}),
    # Blocks name a fresh user each time, so no block ever touches the world's people.
    ("GET", f"{C}/blocks"): ("buyer", {}),
    ("POST", f"{C}/blocks"): ("buyer", {"json": {"userId": "{fresh}"}}),
    ("DELETE", f"{C}/blocks/{{user_id}}"): ("buyer", {}),
    ("POST", f"{C}/messages/{{message_id}}/report"): ("seller", {"json": {"reason": "spam", "details": "x"}}),
    ("POST", f"{C}/conversations/{{conversation_id}}/report"): ("seller", {"json": {
        "reason": "other", "details": "x"}}),
    ("GET", "/api/v1/files/{file_id}"): ("anonymous", {"query": {"exp": "{exp}", "sig": "{sig}"}}),
    ("POST", "/api/v1/sync"): ("buyer", {"json": {
        "conversations": {"{conversation_id}": 0}, "since": "{since}"}}),
    ("POST", T): ("creator", {"json": TICKET}),
    ("POST", f"{T}/"): ("creator", {"json": TICKET}),
    ("GET", T): ("buyer", {"query": {"status": "all", "limit": "10", "before": "{ticket_id}",
                                     "assignedTo": "{admin}"}}),
    ("GET", f"{T}/"): ("buyer", {"query": {"status": "open", "limit": "10"}}),
    ("GET", f"{T}/employee/all"): ("admin", {"query": {"status": "all", "limit": "10", "assignedTo": "me"}}),
    ("GET", f"{T}/{{ticket_id}}"): ("buyer", {}),
    ("POST", f"{T}/{{ticket_id}}/assign"): ("admin", {"json": {"employeeId": "{admin}"}}),
    ("PUT", f"{T}/{{ticket_id}}/close"): ("admin", {}),
    ("POST", f"{T}/{{ticket_id}}/feedback"): ("buyer", {"json": {"rating": 5, "remarks": "Thanks"}}),
    ("POST", f"{T}/{{ticket_id}}/files"): ("buyer", {"form": {}}),
    ("POST", f"{T}/{{ticket_id}}/upload"): ("buyer", {"form": {}}),
    ("POST", f"{T}/{{ticket_id}}/messages"): ("buyer", {"json": {"message": "Hello", "fileName": "a.png"}}),
    ("PUT", f"{T}/{{ticket_id}}/status"): ("admin", {"json": {"status": "in_progress", "reason": "On it"}}),
    ("GET", f"{D}/tickets"): ("admin", {"query": {"status": "all", "limit": "10", "skip": "0",
                                                  "before": "{ticket_id}"}}),
    ("GET", f"{D}/active-conversations"): ("admin", {}),
    ("POST", f"{D}/quick-response"): ("admin", {"json": {"ticketId": "{ticket_id}",
                                                         "templateId": "greeting"}}),
    ("GET", f"{D}/user-history/{{user_id}}"): ("admin", {}),
    ("GET", f"{D}/stats"): ("admin", {}),
    ("GET", f"{D}/canned-replies"): ("admin", {}),
    ("POST", f"{D}/canned-replies"): ("admin", {"json": {"title": "Hi", "content": "Hi {{customer.name}}",
                                                         "scope": "team"}}),
    ("PUT", f"{D}/canned-replies/{{reply_id}}"): ("admin", {"json": {"title": "Hi", "content": "Hello"}}),
    ("DELETE", f"{D}/canned-replies/{{reply_id}}"): ("admin", {}),
    ("GET", f"{T}/{{ticket_id}}/notes"): ("admin", {}),
    ("POST", f"{T}/{{ticket_id}}/notes"): ("admin", {"json": {"note": "Checked the payment"}}),
}


def slots(operation):
    """Yield (where, slot) for every field of an operation."""
    for parameter in operation.get("parameters", []):
        yield parameter["in"], (parameter["name"],)
    for media, content in operation.get("requestBody", {}).get("content", {}).items():
        where = "json" if media == "application/json" else "form"
        for slot in property_slots(DOCUMENT, content["schema"]):
            if where == "json" or len(slot) == 1:
                yield where, slot


def as_form_text(value):
    """Return the text a server decodes from a form field holding this value's UTF-8 bytes."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def build(key, world, where=None, slot=None, value=None):
    """Return (path, test client keyword arguments): the baseline with one slot set to value."""
    method, route = key
    request = fill(BASELINES[key][1], world.values())
    for parameter in OPERATIONS[key].get("parameters", []):
        if parameter["in"] == "path":
            name = parameter["name"]
            chosen = value if (where, slot) == ("path", (name,)) else quote(world.ids[name], safe="")
            route = route.replace("{" + name + "}", chosen)
    query = request.get("query", {})
    query_string = urlencode(query)
    if where == "query":
        kept = urlencode({k: v for k, v in query.items() if k != slot[0]})
        query_string = "&".join(filter(None, [kept, f"{slot[0]}={value}"]))
    kwargs = {"method": method, "query_string": query_string}
    if "json" in request:
        body = with_value(request["json"], slot, value) if where == "json" else request["json"]
        kwargs.update(data=json.dumps(body), content_type="application/json")
    if "form" in request:
        form = dict(request["form"], file=(io.BytesIO(png_bytes()), "house.png", "image/png"))
        if where == "form":
            form[slot[0]] = as_form_text(value)
        kwargs.update(data=form, content_type="multipart/form-data")
    return route, kwargs


def problem(response):
    """Return what is wrong with an answer to hostile input, or None: never a 5xx, always the envelope."""
    if response.status_code >= 500:
        return f"{response.status_code} {response.get_data(as_text=True)[:160]}"
    if response.status_code >= 400:
        return refusal_problem(response.get_json(silent=True))
    return None


def sweep_values(where):
    """Return (class, value) pairs: JSON values for bodies, percent-encoded text for paths and queries."""
    if where == "json":
        return hostile.json_values()
    if where == "form":
        return [(name, value) for name, value in hostile.json_values() if value is not None]
    return hostile.query_values()


@pytest.fixture(scope="module")
def world(security_client):
    return World(security_client)


def test_every_documented_operation_has_a_baseline_and_every_baseline_an_operation():
    assert set(BASELINES) == set(OPERATIONS)


SWEPT = [pytest.param(key, id=" ".join(key)) for key, operation in OPERATIONS.items()
         if any(slots(operation))]


@pytest.mark.parametrize("key", SWEPT)
def test_no_hostile_value_in_any_field_gets_a_server_error(world, key):
    headers = world.headers(BASELINES[key][0])
    fields = list(slots(OPERATIONS[key]))
    if any(where != "path" for where, _ in fields):
        # The baseline must pass validation, or the sweep would never get past it.
        route, kwargs = build(key, world)
        answer = world.client.open(route, headers=headers, **kwargs)
        assert answer.status_code != 400 and answer.status_code < 500, (route, answer.get_json())
    failures, sent = [], 0
    for where, slot in fields:
        for kind, value in sweep_values(where):
            route, kwargs = build(key, world, where, slot, value)
            found = problem(world.client.open(route, headers=headers, **kwargs))
            sent += 1
            if found:
                failures.append(f"{where} {'.'.join(map(str, slot))} = {value!r} ({kind}): {found}")
    assert sent and not failures, "\n".join(failures[:40])


# Whole bodies no field sweep makes: nesting deeper than the JSON parser goes, other encodings,
# bytes that are not UTF-8, numbers JSON allows but no field holds, and bodies that are no object.
RAW_BODIES = ["[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000, "[" * 100_000, '"\\ud800"',
              '{"\\ud800": 1}', "NaN", "-Infinity", "1" + "0" * 5000, "1e400", "null", "[]", "{", "",
              b"\xff\xfe\x00", b"\xed\xa0\x80", '{"a": 1}'.encode("utf-16"), b"\xef\xbb\xbf{}"]
JSON_OPERATIONS = [pytest.param(key, id=" ".join(key)) for key, operation in OPERATIONS.items()
                   if "application/json" in operation.get("requestBody", {}).get("content", {})]


@pytest.mark.parametrize("key", JSON_OPERATIONS)
def test_no_hostile_json_body_gets_a_server_error(world, key):
    who, _ = BASELINES[key]
    route, kwargs = build(key, world)
    failures = []
    for body in RAW_BODIES:
        kwargs.update(data=body, content_type="application/json")
        found = problem(world.client.open(route, headers=world.headers(who), **kwargs))
        if found:
            failures.append(f"{body[:40]!r}: {found}")
    assert not failures, "\n".join(failures)
