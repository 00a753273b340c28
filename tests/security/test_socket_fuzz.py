"""Socket fuzzing: every registered event gets generated hostile payloads on a real server.

The server must answer each with a success or a client error (never `internal_error` or a
dropped connection) and keep serving a bystander. Two generators: free-form payloads (wrong
types, deep nesting, operators) for any event, and per event, its published payload with one
field replaced by a generated hostile value (`hostile.py`: calendar-edge instants, integers
around 2^63, unpaired surrogates, malformed URLs, non-ASCII and control text) on real ids, so
the value gets past the id checks. Budget and seed are fixed, so CI time is bounded and a
failure reproduces.
"""
import uuid

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

from gharbazaar.chat import events as chat_events
from gharbazaar.presence import events as presence_events
from gharbazaar.sync import events as sync_events
from gharbazaar.tickets import events as ticket_events
from tests.security import hostile
from tests.security.socket_events import BASELINES, payload_for, slot_schemas
from tests.security.socket_events import EVENTS as PUBLISHED
from tests.security.sweeps import World, fill
from tests.support import TEST_SECRET, Recorder, ServerProcess, make_token

pytestmark = pytest.mark.e2e
EVENTS = sorted({*chat_events.HANDLERS, *ticket_events.HANDLERS, *presence_events.HANDLERS,
                 *sync_events.HANDLERS})
CLIENT_ERRORS = {"validation_error", "not_found", "forbidden", "conflict", "invalid_transition",
                 "rate_limited", "unauthorized", "unsupported_media_type", "payload_too_large"}
FIELDS = ["conversationId", "messageId", "ticketId", "content", "message", "status", "userIds",
          "isTyping", "type", "fileUrl", "fileName", "employeeId", "clientMessageId", "upToMessageId",
          "conversations", "since"]
GENERATED_PER_ROLE, GENERATED_PER_EVENT = 250, 60
GENEROUS = "100000 per second"


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
hostile_payloads = st.sampled_from([
    {"$ne": None}, {"conversationId": {"$gt": ""}}, {"ticketId": {"$where": "1"}},
    {"content": "x" * 15_000}, {"conversationId": "0" * 24, "content": "\x00\ud7ff\ue000"},
    nested(60), [[[[[]]]]], {"userIds": ["u"] * 5000}, {"__proto__": {"admin": True}},
    {"conversationId": "../../etc/passwd"}, {"status": "closed", "ticketId": "0" * 24},
])
field_values = json_values | hostile_payloads | hostile.hostile_values
shaped = st.dictionaries(st.sampled_from(FIELDS), field_values, max_size=5)
payloads = json_values | hostile_payloads | hostile.hostile_values | shaped
FUZZ = settings(derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))


class LiveClient:
    """The werkzeug test client's `open()` over HTTP, so that a World can be built on a real server."""

    def __init__(self, url):
        self.url = url

    def open(self, path, method="GET", headers=None, json=None, data=None, content_type=None):
        files = None
        if content_type == "multipart/form-data":
            files = {name: (value[1], value[0].read(), value[2]) if isinstance(value, tuple)
                     else (None, value) for name, value in data.items()}
            data = None
        response = requests.request(method, self.url + path, headers=headers, json=json, data=data,
                                    files=files, timeout=10)
        response.get_json = lambda silent=False: response.json()
        return response


@pytest.fixture(scope="module")
def fuzz_server(mongo_uri):
    server = ServerProcess({
        "APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gbfuzz_{uuid.uuid4().hex[:8]}",
        "JWT_SECRET": TEST_SECRET, "RATE_LIMIT_SOCKET_EVENTS": GENEROUS, "RATE_LIMIT_MESSAGES": GENEROUS,
        "RATE_LIMIT_TYPING": GENEROUS, "RATE_LIMIT_JOINS": GENEROUS, "RATE_LIMIT_CONVERSATIONS": GENEROUS,
        "RATE_LIMIT_UPLOADS": GENEROUS, "RATE_LIMIT_REST": GENEROUS, "AUTO_ASSIGN": "false",
    }).wait_listening()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def world(fuzz_server):
    """A buyer's conversation, messages, file and tickets on the fuzzed server, for real ids."""
    return World(LiveClient(fuzz_server.url))


def answered_well(ack):
    return ack["success"] is True or ack["code"] in CLIENT_ERRORS


@pytest.mark.parametrize("role", ["buyer", "employee"])
def test_every_event_survives_generated_payloads(fuzz_server, role):
    attacker = Recorder(fuzz_server.url, make_token(f"fuzzer-{role}", role))
    bystander = Recorder(fuzz_server.url, make_token("bystander"))
    assert attacker.connect() and bystander.connect()
    answered = []

    @settings(FUZZ, max_examples=GENERATED_PER_ROLE)
    @given(event=st.sampled_from(EVENTS), payload=payloads)
    def attack(event, payload):
        ack = attacker.emit(event, payload, timeout=10)
        assert answered_well(ack), (event, payload, ack)
        answered.append(event)

    try:
        attack()
        assert attacker.client.connected
        assert bystander.emit("presence:heartbeat", {})["success"] is True
    finally:
        attacker.close()
        bystander.close()
    assert len(answered) >= GENERATED_PER_ROLE
    assert "internal_error" not in fuzz_server.output()


def test_every_registered_event_is_published_so_the_per_event_fuzzer_reaches_it():
    assert set(EVENTS) == set(PUBLISHED)


@pytest.mark.parametrize("event", EVENTS)
def test_every_field_of_every_event_survives_generated_hostile_values(fuzz_server, world, event):
    who, baseline = BASELINES[event]
    attacker = Recorder(fuzz_server.url, world.tokens[who])
    assert attacker.connect()
    answered = []

    # A slot, then a value aimed at its type (a date-time gets instants at the calendar's edges).
    schemas = slot_schemas(PUBLISHED[event])
    slot_and_value = st.sampled_from(list(schemas)).flatmap(
        lambda slot: st.tuples(st.just(slot), hostile.aimed_at(schemas[slot]) | field_values))

    @settings(FUZZ, max_examples=GENERATED_PER_EVENT)
    @given(slot_and_value)
    def attack(drawn):
        slot, value = drawn
        payload = payload_for(fill(baseline, world.values()), slot, value)
        ack = attacker.emit(event, payload, timeout=10)
        assert answered_well(ack), (event, payload, ack)
        answered.append(slot)

    try:
        attack()
        assert attacker.client.connected
    finally:
        attacker.close()
    assert len(answered) >= GENERATED_PER_EVENT
    assert "internal_error" not in fuzz_server.output()
