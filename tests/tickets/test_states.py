"""The status machine as data: allowed moves, who may make them, closed is final."""
import pytest

from gharbazaar.errors import Forbidden, InvalidTransition
from gharbazaar.tickets import states
from gharbazaar.tickets.states import ADMIN, ASSIGNEE, OWNER, STAFF, SYSTEM
from tests.support.people import actor

ALLOWED = {
    ("open", "assigned"), ("assigned", "assigned"), ("assigned", "in_progress"), ("in_progress", "resolved"),
    ("resolved", "in_progress"), ("open", "closed"), ("assigned", "closed"), ("in_progress", "closed"),
    ("resolved", "closed"),
    # Issue 16: back to the pool when the assignee stays silent, or is away when the customer reopens.
    ("assigned", "open"), ("in_progress", "open"), ("resolved", "open"),
}


def test_the_moves_are_exactly_the_contracts():
    pairs = {(source, move.target) for move in states.MOVES.values() for source in move.sources}
    assert pairs == ALLOWED


@pytest.mark.parametrize("action", sorted(states.MOVES))
def test_nothing_leaves_closed_and_the_text_says_so(action):
    with pytest.raises(InvalidTransition, match="^Ticket is closed$"):
        states.check(action, "closed", frozenset({ADMIN, STAFF, ASSIGNEE, OWNER}))


@pytest.mark.parametrize("action, who, allowed", [
    ("assign", {STAFF}, True), ("assign", {SYSTEM}, True), ("assign", {OWNER}, False),
    ("reassign", {STAFF, ASSIGNEE}, False), ("reassign", {STAFF, ADMIN}, True),
    ("close", {STAFF}, False), ("close", {STAFF, ASSIGNEE}, True), ("close", {STAFF, ADMIN}, True),
    ("close", {OWNER}, False), ("resolve", {STAFF}, False), ("resolve", {STAFF, ASSIGNEE}, True),
    ("customer_reply", {OWNER}, True), ("customer_reply", {STAFF, ADMIN}, False),
])
def test_who_may_make_each_move(action, who, allowed):
    source = sorted(states.MOVES[action].sources)[0]
    if allowed:
        assert states.check(action, source, frozenset(who)).action == action
    else:
        with pytest.raises(Forbidden):
            states.check(action, source, frozenset(who))


def test_refusal_texts_are_the_contracts():
    with pytest.raises(Forbidden, match="^Only employees can assign tickets$"):
        states.check("assign", "open", frozenset({OWNER}))
    with pytest.raises(Forbidden, match="^Only assigned employee can close this ticket$"):
        states.check("close", "assigned", frozenset({STAFF}))


def test_a_move_from_the_wrong_status_is_an_invalid_transition():
    with pytest.raises(InvalidTransition, match="^Ticket is already assigned$") as caught:
        states.check("assign", "in_progress", frozenset({STAFF}))
    assert caught.value.status == 409 and caught.value.code == "invalid_transition"
    with pytest.raises(InvalidTransition, match="from open to resolved"):
        states.check("resolve", "open", frozenset({STAFF, ADMIN}))


@pytest.mark.parametrize("status, target, expected", [
    ("assigned", "in_progress", "start"), ("in_progress", "resolved", "resolve"), ("open", "closed", "close"),
])
def test_the_status_endpoint_maps_targets_to_moves(status, target, expected):
    assert states.status_action(status, target) == expected


@pytest.mark.parametrize("status, target, text", [
    ("open", "assigned", "Cannot change ticket status from open to assigned"),
    ("in_progress", "open", "Cannot change ticket status from in_progress to open"),
    ("closed", "resolved", "Ticket is closed"),
])
def test_the_status_endpoint_refuses_other_targets(status, target, text):
    with pytest.raises(InvalidTransition, match=text):
        states.status_action(status, target)


def test_replies_move_the_ticket_on():
    assert states.reply_action(frozenset({STAFF}), "assigned") == "staff_reply"
    assert states.reply_action(frozenset({OWNER}), "resolved") == "customer_reply"
    assert states.reply_action(frozenset({OWNER}), "assigned") is None
    assert states.reply_action(frozenset({STAFF, ASSIGNEE}), "in_progress") is None


def test_roles_describe_the_actor_towards_one_ticket():
    ticket = {"userId": "c1", "assignedTo": "e1"}
    assert states.roles(actor("c1", "buyer"), ticket) == {OWNER}
    assert states.roles(actor("e1", "employee"), ticket) == {STAFF, ASSIGNEE}
    assert states.roles(actor("e2", "employee"), ticket) == {STAFF}
    assert states.roles(actor("a1", "admin"), ticket) == {STAFF, ADMIN}
    assert states.roles(actor("c2", "seller"), ticket) == set()


def test_capacity_is_freed_when_an_active_ticket_leaves_its_employee():
    assert states.frees_capacity({"status": "in_progress", "assignedTo": "e1"},
                                 {"status": "resolved", "assignedTo": "e1"})
    assert states.frees_capacity({"status": "assigned", "assignedTo": "e1"},
                                 {"status": "assigned", "assignedTo": "e2"})
    assert not states.frees_capacity({"status": "assigned", "assignedTo": "e1"},
                                     {"status": "in_progress", "assignedTo": "e1"})
    assert not states.frees_capacity({"status": "resolved", "assignedTo": "e1"},
                                     {"status": "closed", "assignedTo": "e1"})


def test_history_entries_have_the_contract_shape():
    assert states.entry("assigned", "e1", "T", "why") == {"status": "assigned", "by": "e1", "at": "T",
                                                          "reason": "why"}
