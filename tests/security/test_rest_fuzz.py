"""REST fuzzing from the published OpenAPI document (schemathesis, in process).

Every documented operation gets generated requests, valid and invalid, as an authenticated
buyer; path ids are sometimes swapped for real ones so that the fuzzer gets past 404. The
answers must never be 5xx and must match the document: a documented status, content type
and body shape. Budget and seed are fixed (derandomized), so CI time is bounded and a
failure reproduces.
"""
import io

import pytest
import schemathesis
from hypothesis import HealthCheck, settings, strategies as st
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from tests.security.documents import published
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


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Use a real id half the time, so that the fuzzer gets past 404 into the services."""
    real = {name: KNOWN_IDS.get(name, value) for name, value in (path_parameters or {}).items()}
    return st.sampled_from([path_parameters, real]) if real != path_parameters else st.just(path_parameters)


@schema.hook
def flatmap_body(context, body):
    """Upload to the real conversation half the time."""
    if isinstance(body, dict) and "conversationId" in body and "conversation_id" in KNOWN_IDS:
        return st.sampled_from([body, {**body, "conversationId": KNOWN_IDS["conversation_id"]}])
    return st.just(body)


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
