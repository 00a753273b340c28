"""REST fuzzing from the published OpenAPI document (schemathesis, in process).

Every documented operation gets generated requests, valid and invalid, as an authenticated
buyer; path ids are sometimes swapped for real ones so that the fuzzer gets past 404. Besides
schemathesis's own data, a field of the body, the query or the path is often replaced by a
hostile value aimed at its type (`hostile.py`), and date-time fields are drawn at the
calendar's edges. The answers must never be 5xx and must match the document: a documented
status, content type and body shape. Budget and seed are fixed (derandomized), so CI time is
bounded and a failure reproduces.
"""
import io
import json
import math
from datetime import timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, settings, strategies as st
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from tests.security import hostile
from tests.security.documents import published, resolve
from tests.security.sweeps import property_slots, with_value
from tests.support import auth, make_token

BUYER = "fuzz-buyer"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 30
LIMITS = {name: "1000000 per minute" for name in (
    "RATE_LIMIT_REST", "RATE_LIMIT_MESSAGES", "RATE_LIMIT_CONVERSATIONS", "RATE_LIMIT_UPLOADS")}


def seed(client, headers):
    """Create what the buyer can see: a conversation, a message, a ticket and a file."""
    conversation = client.post("/api/v1/chat/conversations", headers=headers, json={
        "otherUserId": "fuzz-seller", "propertyId": "p-1", "initialMessage": "Is it still available?"})
    conversation_id = conversation.get_json()["data"]["conversation"]["id"]
    messages = client.get(f"/api/v1/chat/conversations/{conversation_id}/messages", headers=headers)
    ticket = client.post("/api/v1/tickets", headers=headers, json={
        "categoryTitle": "Payments", "subCategoryTitle": "Refund", "problem": "Where is my refund?"})
    upload = client.post("/api/v1/chat/upload", headers=headers, data={
        "conversationId": conversation_id, "file": (io.BytesIO(b"hello\n"), "note.txt")})
    known = {"conversation_id": conversation_id,
             "message_id": messages.get_json()["data"]["messages"][0]["id"],
             "ticket_id": ticket.get_json()["data"]["ticket"]["id"]}
    if upload.status_code == 201:
        known["file_id"] = upload.get_json()["data"]["fileId"]
    return known


DOCUMENT = published("/api/v1/openapi.json")
KNOWN_IDS = {}  # path parameter -> a real id of the current test's database
schema = schemathesis.openapi.from_dict(DOCUMENT)
# Every date-time schemathesis generates (cursors, `since`) is sometimes at the calendar's edges.
schemathesis.openapi.format("date-time", hostile.edge_instants | st.datetimes(
    timezones=st.just(timezone.utc)).map(lambda moment: moment.isoformat()))


def sendable(value):
    """Return False for NaN and infinities (test_rest_sweep.py sends those as raw JSON)."""
    # schemathesis serializes bodies with requests, which refuses non-finite numbers.
    return not (isinstance(value, float) and not math.isfinite(value))


def as_text(value):
    """Return a value as the text a URL carries (UTF-8: an unpaired surrogate arrives replaced)."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def parameters(context, location):
    """Return {name: schema} of the operation's parameters in one location (query, path)."""
    raw = context.operation.definition.raw.get("parameters", [])
    return {p["name"]: resolve(DOCUMENT, p.get("schema", {})) for p in raw if p["in"] == location}


def with_one_aimed(values, schemas, text=False):
    """Return a strategy: values with one of the named fields replaced by a value aimed at its type."""
    def replace(name):
        aimed = hostile.aimed_at(schemas[name])
        return (aimed.map(as_text) if text else aimed).map(lambda value: {**values, name: value})
    return st.sampled_from(sorted(schemas)).flatmap(replace)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Use a real id half the time, so that the fuzzer gets past 404 into the services; or an aimed value."""
    path_parameters = path_parameters or {}
    real = {name: KNOWN_IDS.get(name, value) for name, value in path_parameters.items()}
    options = [st.just(path_parameters), st.just(real)]
    if real:
        options.append(with_one_aimed(real, parameters(context, "path"), text=True))
    return st.one_of(options)


@schema.hook
def flatmap_query(context, query):
    """Keep schemathesis's query, or replace one parameter by a value aimed at its type."""
    schemas = parameters(context, "query")
    if not schemas or not isinstance(query, dict):
        return st.just(query)
    return st.one_of(st.just(query), with_one_aimed(query, schemas, text=True))


@schema.hook
def flatmap_body(context, body):
    """Upload to the real conversation half the time; replace a JSON field by an aimed value."""
    options = [st.just(body)]
    if isinstance(body, dict) and "conversationId" in body and "conversation_id" in KNOWN_IDS:
        options.append(st.just({**body, "conversationId": KNOWN_IDS["conversation_id"]}))
    content = context.operation.definition.raw.get("requestBody", {}).get("content", {})
    if isinstance(body, dict) and "application/json" in content:
        slots = property_slots(DOCUMENT, content["application/json"]["schema"])
        options.append(st.sampled_from(sorted(slots, key=str)).flatmap(
            lambda slot: hostile.aimed_at(slots[slot]).filter(sendable).map(
                lambda value: with_value(body, slot, value))))
    return st.one_of(options)


@pytest.fixture
def fuzz_app(make_app):
    """An app with rate limits out of the way, serving the document above, with data to find."""
    app = make_app(**LIMITS)
    assert app.test_client().get("/api/v1/openapi.json").get_json() == DOCUMENT
    KNOWN_IDS.clear()
    KNOWN_IDS.update(seed(app.test_client(), auth(make_token(BUYER, "buyer"))))
    yield app
    KNOWN_IDS.clear()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_rest_answers_match_the_published_document(case, fuzz_app):
    response = case.call(app=fuzz_app, headers=auth(make_token(BUYER, "buyer")))
    case.validate_response(response, checks=CHECKS)
