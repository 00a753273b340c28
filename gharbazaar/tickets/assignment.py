"""Auto-assignment: waiting tickets, oldest first, to the least-loaded available employee.

Nothing is queued in memory: the queue is the open tickets themselves (oldest `_id` first),
so a restart or a second process sees the same queue. A ticket is claimed by compare-and-set
on status `open` and capacity by a conditional increment (`loads.reserve`), so two
processes handing out at once never assign one ticket twice nor exceed the cap.
"""
import logging
from datetime import datetime, timezone

from flask import current_app

from ..presence import service as presence
from ..users import service as users
from . import loads, moves, notify, repository, states

log = logging.getLogger(__name__)
NEVER = datetime.min.replace(tzinfo=timezone.utc)
SYSTEM_ID = "system"
# A reservation this old whose ticket does not carry it was left by a crashed process.
STALE_HOLD_S = 60
MAX_ROUNDS = 1000
FULL = object()


def enabled():
    return bool(current_app.config["AUTO_ASSIGN"])


def rank(employee_ids, docs):
    """Return employees least loaded first; ties to the one assigned longest ago, then by id."""
    def key(employee_id):
        doc = docs.get(employee_id) or {}
        return doc.get("active", 0), doc.get("lastAssignedAt") or NEVER, employee_id
    return sorted(employee_ids, key=key)


def hand_out():
    """Assign waiting tickets, oldest first, while an available employee has room; return them."""
    if not enabled():
        return []
    cap = current_app.config["MAX_ACTIVE_TICKETS_PER_EMPLOYEE"]
    # Availability is read once per hand-out: the cap bounds how long a hand-out runs.
    staff = presence.available_staff()
    if not staff:
        return []
    assigned = []
    for _ in range(MAX_ROUNDS):
        ticket = repository.oldest_open()
        if ticket is None:
            break
        outcome = _place(ticket, staff, cap)
        if outcome is FULL:
            break
        if outcome is not None:
            assigned.append(outcome)
    return assigned


def _place(ticket, staff, cap):
    """Give the ticket to the first employee with room: the ticket, None when lost, or FULL."""
    move = states.check("assign", ticket["status"], frozenset({states.SYSTEM}))
    docs = loads.find_many(staff)
    for employee_id in rank(staff, docs):
        doc = docs.get(employee_id)
        if doc is not None and doc.get("active", 0) >= cap and not repair(employee_id, doc):
            continue  # full as just read, nothing stale to drop: the reservation would be refused
        token = loads.reserve(employee_id, ticket["_id"], cap, upsert=doc is None)
        if token is None:
            continue  # filled meanwhile
        name = users.profiles([employee_id])[employee_id]["name"]
        updated = moves.apply(ticket, move, SYSTEM_ID, "auto-assigned", assignee=employee_id,
                              assignee_name=name, token=token)
        if updated is not None:
            notify.changed(ticket, updated, move)
        return updated  # None: another process or an employee took it; look at the queue again
    return FULL


def repair(employee_id, doc):
    """Drop reservations a crashed process left behind; return True if any was dropped."""
    holds = loads.old_holds(doc, STALE_HOLD_S)
    tickets = repository.find_many({hold["ticket"] for hold in holds}) if holds else {}
    dropped = False
    for hold in holds:
        ticket = tickets.get(hold["ticket"]) or {}
        if not (ticket.get("status") in states.ACTIVE and ticket.get("assignedTo") == employee_id
                and ticket.get("hold") == hold["token"]):
            dropped = loads.release(employee_id, hold["token"]) or dropped
    return dropped


@presence.staff_available.connect
def _on_available(app, user_id=None):
    """Hand out waiting tickets when an employee joins the room or comes back online."""
    with app.app_context():
        try:
            hand_out()
        except Exception:  # joining the room must succeed even if the hand-out fails; retried later
            log.warning("hand-out failed after %s became available", user_id, exc_info=True)
