"""Every field of every client socket event, swept with every hostile value: never `internal_error`.

Events and their fields come from the published AsyncAPI document (each payload's properties,
the keys, values and items inside them, a bare-id form where the event takes one, and the
whole payload), so a new event or field is swept without anyone listing it here. Each emit is a
baseline that passes validation with one field replaced. The answer must be a success or a
client error, as the ack and as the one `error` event; the socket must stay connected.
"""
import pytest

from tests.security import hostile
from tests.security.socket_events import BASELINES, EVENTS, payload_for, slots
from tests.security.sweeps import World, fill, refusal_problem


@pytest.fixture(scope="module")
def world(security_client):
    return World(security_client)


@pytest.fixture
def sockets(world, security_socket):
    """One connected socket per person of the world, opened on first use."""
    opened = {}

    def of(who):
        if who not in opened:
            opened[who] = security_socket(world.tokens[who])
            assert opened[who].is_connected()
        return opened[who]
    return of


def emit(sock, event, payload):
    """Return (ack, events received meanwhile)."""
    sock.get_received()
    ack = sock.emit(event, payload, callback=True)
    return ack, sock.get_received()


def test_every_published_event_has_a_baseline_and_every_baseline_an_event():
    assert set(BASELINES) == set(EVENTS)


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_no_hostile_value_in_any_field_of_any_event_gets_an_internal_error(world, sockets, event):
    who, baseline = BASELINES[event]
    sock = sockets(who)
    ack, _ = emit(sock, event, fill(baseline, world.values()))
    # The baseline must pass validation, or the sweep would never get past it.
    assert ack.get("success") is True or ack.get("code") != "validation_error", ack
    failures, sent = [], 0
    for slot in slots(EVENTS[event]):
        for kind, value in hostile.json_values():
            ack, received = emit(sock, event, payload_for(fill(baseline, world.values()), slot, value))
            sent += 1
            errors = [e["args"][0] for e in received if e["name"] == "error"]
            found = None if ack.get("success") is True else refusal_problem(ack)
            refused = ack.get("success") is not True
            if found is None and refused and [e["code"] for e in errors] != [ack["code"]]:
                found = f"error events {errors} for ack {ack}"
            if found:
                failures.append(f"{'.'.join(map(str, slot))} = {value!r} ({kind}): {found}")
    assert sock.is_connected()
    assert sent and not failures, "\n".join(failures[:40])
