"""The ticket status machine as data: statuses, the allowed moves, who may make each."""
from dataclasses import dataclass

from ..errors import Forbidden, InvalidTransition

OPEN, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED = "open", "assigned", "in_progress", "resolved", "closed"
STATUSES = (OPEN, ASSIGNED, IN_PROGRESS, RESOLVED, CLOSED)
# Tickets an employee is working on; they count against MAX_ACTIVE_TICKETS_PER_EMPLOYEE.
ACTIVE = frozenset({ASSIGNED, IN_PROGRESS})
FEEDBACK_AFTER = frozenset({RESOLVED, CLOSED})

# What an actor is to one ticket (see roles()); SYSTEM is auto-assignment.
OWNER, ASSIGNEE, STAFF, ADMIN, SYSTEM = "owner", "assignee", "staff", "admin", "system"

CLOSED_TEXT = "Ticket is closed"
STATUS_DENIED = "Only assigned employee can change ticket status"


@dataclass(frozen=True)
class Move:
    """One allowed change of status, who may make it and the texts of its refusals."""

    action: str
    sources: frozenset
    target: str
    who: frozenset
    denied: str
    conflict: str = ""


def _move(action, sources, target, who, denied, conflict=""):
    return Move(action, frozenset(sources), target, frozenset(who), denied, conflict)


MOVES = {move.action: move for move in (
    _move("assign", {OPEN}, ASSIGNED, {STAFF, SYSTEM}, "Only employees can assign tickets",
          "Ticket is already assigned"),
    _move("reassign", {ASSIGNED}, ASSIGNED, {ADMIN}, "Only admins can reassign tickets",
          "Ticket is already assigned"),
    _move("start", {ASSIGNED}, IN_PROGRESS, {ASSIGNEE, ADMIN}, STATUS_DENIED),
    _move("staff_reply", {ASSIGNED}, IN_PROGRESS, {STAFF}, STATUS_DENIED),
    _move("resolve", {IN_PROGRESS}, RESOLVED, {ASSIGNEE, ADMIN}, STATUS_DENIED),
    _move("customer_reply", {RESOLVED}, IN_PROGRESS, {OWNER}, "Only the ticket owner can reopen it"),
    _move("close", {OPEN, ASSIGNED, IN_PROGRESS, RESOLVED}, CLOSED, {ASSIGNEE, ADMIN},
          "Only assigned employee can close this ticket"),
    # Back to the pool: the assignee stayed silent past the reply window (timers.py) ...
    _move("release", {ASSIGNED, IN_PROGRESS}, OPEN, {SYSTEM}, "Only the desk's timers release tickets"),
    # ... or the customer reopened a ticket whose assignee is not available to take it back.
    _move("reopen_to_pool", {RESOLVED}, OPEN, {OWNER}, "Only the ticket owner can reopen it"),
)}

# `PUT /:id/status` names a target status; these are the moves it may make.
BY_TARGET = {IN_PROGRESS: "start", RESOLVED: "resolve", CLOSED: "close"}


def roles(actor, ticket):
    """Return what the actor is to the ticket: owner, assignee, staff, admin."""
    found = set()
    if ticket.get("userId") == actor.id:
        found.add(OWNER)
    if actor.is_staff:
        found.add(STAFF)
        if ticket.get("assignedTo") == actor.id:
            found.add(ASSIGNEE)
    if actor.is_admin:
        found.add(ADMIN)
    return frozenset(found)


def assign_action(status, actor):
    """Return the move an assign request makes: admins may reassign an assigned ticket."""
    return "reassign" if status == ASSIGNED and actor.is_admin else "assign"


# A reply moves the ticket on: the first staff reply starts work, a customer reply reopens it.
REPLIES = {(STAFF, ASSIGNED): "staff_reply", (OWNER, RESOLVED): "customer_reply"}


def status_action(status, target):
    """Return the move `PUT /:id/status` makes towards target, or raise InvalidTransition."""
    if status == CLOSED:
        raise InvalidTransition(CLOSED_TEXT)
    if target not in BY_TARGET:
        raise InvalidTransition(_cannot(status, target))
    return BY_TARGET[target]


def reply_action(who, status):
    """Return the move a message from someone with these roles makes, or None."""
    return next((action for (role, source), action in REPLIES.items() if role in who and source == status),
                None)


def check(action, status, who):
    """Return the move, or raise: closed is final, then who may, then from where."""
    if status == CLOSED:
        raise InvalidTransition(CLOSED_TEXT)
    move = MOVES[action]
    if not move.who & who:
        raise Forbidden(move.denied)
    if status not in move.sources:
        raise InvalidTransition(move.conflict or _cannot(status, move.target))
    return move


def _cannot(source, target):
    return f"Cannot change ticket status from {source} to {target}"


def entry(status, by, at, reason=None):
    """Return the history entry a move leaves."""
    return {"status": status, "by": by, "at": at, "reason": reason}


def frees_capacity(before, after):
    """Return True when a change took an active ticket away from its employee."""
    if before.get("status") not in ACTIVE:
        return False
    return after.get("status") not in ACTIVE or after.get("assignedTo") != before.get("assignedTo")
