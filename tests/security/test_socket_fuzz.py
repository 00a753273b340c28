"""Socket fuzzing: every registered event gets generated hostile payloads on a real server.

The server must answer each with a success or a client error (never `internal_error` or a
dropped connection) and keep serving a bystander. Budget and seed are fixed, so CI time
is bounded and a failure reproduces.
"""
import uuid

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from gharbazaar.chat import events as chat_events
from gharbazaar.presence import events as presence_events
from gharbazaar.tickets import events as ticket_events
from tests.support import TEST_SECRET, Recorder, ServerProcess, make_token

pytestmark = pytest.mark.e2e
EVENTS = sorted({*chat_events.HANDLERS, *ticket_events.HANDLERS, *presence_events.HANDLERS})
CLIENT_ERRORS = {"validation_error", "not_found", "forbidden", "conflict", "invalid_transition",
                 "rate_limited", "unauthorized", "unsupported_media_type", "payload_too_large"}
FIELDS = ["conversationId", "messageId", "ticketId", "content", "message", "status", "userIds",
          "isTyping", "type", "fileUrl", "fileName", "employeeId", "clientMessageId", "upToMessageId"]


def nested(depth):
    value = "bottom"
    for _ in range(depth):
        value = {"conversationId": value}
    return value


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=16)
# Each value stays well under the 100 KB packet cap even five to a payload (a bigger packet
# closes the connection by design; test_resilience covers that).
hostile = st.sampled_from([
    {"$ne": None}, {"conversationId": {"$gt": ""}}, {"ticketId": {"$where": "1"}},
    {"content": "x" * 15_000}, {"conversationId": "0" * 24, "content": "\x00\ud7ff\ue000"},
    nested(60), [[[[[]]]]], {"userIds": ["u"] * 5000}, {"__proto__": {"admin": True}},
    {"conversationId": "../../etc/passwd"}, {"status": "closed", "ticketId": "0" * 24},
])
shaped = st.dictionaries(st.sampled_from(FIELDS), json_values | hostile, max_size=5)
payloads = json_values | hostile | shaped


@pytest.fixture(scope="module")
def fuzz_server(mongo_uri):
    server = ServerProcess({
        "APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gbfuzz_{uuid.uuid4().hex[:8]}",
        "JWT_SECRET": TEST_SECRET, "RATE_LIMIT_SOCKET_EVENTS": "100000 per second",
        "RATE_LIMIT_MESSAGES": "100000 per minute", "RATE_LIMIT_TYPING": "100000 per second",
    }).wait_listening()
    yield server
    server.stop()


@pytest.mark.parametrize("role", ["buyer", "employee"])
def test_every_event_survives_generated_payloads(fuzz_server, role):
    attacker = Recorder(fuzz_server.url, make_token(f"fuzzer-{role}", role))
    bystander = Recorder(fuzz_server.url, make_token("bystander"))
    assert attacker.connect() and bystander.connect()
    answered = []

    @settings(max_examples=250, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(event=st.sampled_from(EVENTS), payload=payloads)
    def attack(event, payload):
        ack = attacker.emit(event, payload, timeout=10)
        assert ack["success"] is True or ack["code"] in CLIENT_ERRORS, (event, payload, ack)
        answered.append(event)

    try:
        attack()
        assert attacker.client.connected
        assert bystander.emit("presence:heartbeat", {})["success"] is True
    finally:
        attacker.close()
        bystander.close()
    assert len(answered) >= 250
    assert "internal_error" not in fuzz_server.output()
