"""Auto-assignment, and applying any status move: waiting tickets, oldest first, to the
least-loaded available employee; every move keeps the employees' loads in step.

Nothing is queued in memory: the queue is the open tickets themselves (oldest `_id` first),
so a restart or a second process sees the same queue. Hand-outs take turns through a lease
in MongoDB (`capacity.py`), so each choice is made on the loads every earlier choice left: a
burst from many processes ends as if its tickets had come one at a time. The guarantees
do not rest on the lease alone; each holds by a compare-and-set, whatever else runs at the
same moment (a manual assignment, a close, a holder that outlived its lease):
- the reservation applies only while the chosen employee's load and last assignment are
  those the choice was made on (`capacity.reserve_unchanged`), and the choice saw room;
- the ticket is claimed with compare-and-set on status `open`: it is assigned once.
"""
import logging
from contextlib import suppress
from datetime import datetime, timezone

from flask import current_app

from ..presence import service as presence
from ..users import service as users
from . import capacity, clock, notify, repository, sla, states

log = logging.getLogger(__name__)
NEVER = datetime.min.replace(tzinfo=timezone.utc)
SYSTEM_ID = "system"
# A reservation this old whose ticket does not carry it was left by a crashed process.
STALE_HOLD_S = 60
BATCH = 20
# Each lost compare-and-set means someone else changed that employee's load meanwhile.
CHOICES = 10
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
    # Each early return below saw no work; whatever creates work (a new ticket, an employee
    # back, a freed slot) starts a hand-out of its own after storing it.
    if not enabled() or repository.oldest_open() is None:
        return []
    cap = current_app.config["MAX_ACTIVE_TICKETS_PER_EMPLOYEE"]
    staff = presence.available_users()
    docs = capacity.find_loads(staff) if staff else {}
    choice = _choose(staff, docs, cap) if staff else FULL
    if choice is FULL:
        return []
    docs = docs if choice is not None else None  # None: a repair changed them
    held = capacity.take_lease()
    if held is None:
        return []  # the holder goes round once more and hands out what we came for
    assigned = []
    try:
        while True:
            assigned += _round(held, staff, docs, cap)
            if held.give_back():
                return assigned
            staff, docs = presence.available_users(), None
    except BaseException:
        with suppress(Exception):  # unreachable database: the lease lapses after capacity.LEASE_TTL_S anyway
            held.drop()
        raise


def _round(held, staff, docs, cap):
    """Hand out the queue, oldest first, until it is empty or nobody has room."""
    assigned, names, after = [], {}, None
    while staff:
        # Read on from the last ticket seen: one left waiting (a report about everyone with room)
        # must not be read again and again.
        batch = repository.waiting(BATCH, after)
        for ticket in batch:
            after = ticket["_id"]
            if not held.keep():
                return assigned  # another hand-out took over; it reads the queue itself
            outcome = _place(ticket, staff, docs, cap, names)
            docs = None  # the next choice reads the loads this one left
            if outcome is FULL:
                return assigned
            if outcome is not None:
                assigned.append(outcome)
        if len(batch) < BATCH:
            break
    return assigned


def _place(ticket, staff, docs, cap, names):
    """Give the ticket to the employee the rule picks: the ticket, None when lost, or FULL."""
    move = states.check("assign", ticket["status"], frozenset({states.SYSTEM}))
    # Never to the employee a report is about; not straight back to the employee who was silent
    # on it, unless nobody else has room.
    eligible = set(staff) - {ticket.get("reportedUserId")}
    others = eligible - {ticket.get("passedOver")}
    reserved = _reserve(ticket, others, docs, cap) if others else FULL
    if reserved is FULL and others != eligible:
        reserved = _reserve(ticket, eligible, None, cap) if eligible else FULL
    if reserved is FULL:
        return FULL if eligible == set(staff) else None  # None: the others may still take the next
    employee_id, doc, token, at = reserved
    if employee_id not in names:
        names[employee_id] = users.profiles([employee_id])[employee_id]["name"]
    updated = apply_move(ticket, move, SYSTEM_ID, "auto-assigned", assignee=employee_id,
                         assignee_name=names[employee_id], token=token)
    if updated is None:  # taken by hand meanwhile: apply_move() dropped the reservation
        capacity.unmark(employee_id, at, (doc or {}).get("lastAssignedAt"))
        return None
    notify.changed(ticket, updated, move)
    return updated


def _reserve(ticket, staff, docs, cap):
    """Reserve room with the least-loaded employee as read: (employee, doc, token, at) or FULL."""
    for _ in range(CHOICES):
        docs = capacity.find_loads(staff) if docs is None else docs
        choice = _choose(staff, docs, cap)
        docs = None
        if choice is FULL:
            return FULL
        if choice is None:
            continue  # stale reservations were dropped: read again
        employee_id, doc = choice
        at = clock.now()
        token = capacity.reserve_unchanged(employee_id, ticket["_id"], doc, at)
        if token is not None:
            return employee_id, doc, token, at
    log.warning("auto-assignment gave up after %s changed loads; the next hand-out resumes", CHOICES)
    return FULL


def _choose(staff, docs, cap):
    """Return (employee, load document) the rule picks, None after a repair, or FULL."""
    for employee_id in rank(staff, docs):
        doc = docs.get(employee_id)
        if doc is None or doc.get("active", 0) < cap:
            return employee_id, doc
        if repair(employee_id, doc):
            return None
    return FULL


def repair(employee_id, doc):
    """Drop reservations a crashed process left behind; return True if any was dropped."""
    holds = capacity.old_holds(doc, STALE_HOLD_S)
    tickets = repository.find_many({hold["ticket"] for hold in holds}) if holds else {}
    dropped = False
    for hold in holds:
        ticket = tickets.get(hold["ticket"]) or {}
        if not (ticket.get("status") in states.ACTIVE and ticket.get("assignedTo") == employee_id
                and ticket.get("hold") == hold["token"]):
            dropped = capacity.release(employee_id, hold["token"]) or dropped
    return dropped


def _hand_out_logged(app, reason):
    with app.app_context():
        try:
            hand_out()
        except Exception:  # the caller's own work must succeed; the periodic hand-out retries
            log.warning("hand-out failed (%s)", reason, exc_info=True)


def on_available(app, user_id=None):
    """Hand out waiting tickets when an employee joins the room or comes back online."""
    _hand_out_logged(app, f"{user_id} became available")


def on_sweep(app):
    """Hand out what nothing else will: after a crashed holder's lease or a reservation expired."""
    _hand_out_logged(app, "periodic")


def apply_move(ticket, move, by, reason=None, assignee=None, assignee_name=None, token=None, expect=None):
    """Make the move on the ticket as read; return the updated ticket, or None if it changed.

    The ticket changes only if it still has the status, assignee and hold it was read with
    (compare-and-set): of two requests racing from the same state, exactly one succeeds.
    Capacity is reserved before a ticket becomes active and released after it stops being
    active, so a crash in between can only over-count (repaired by `repair`), never let an
    employee exceed the cap.

    `token` is a reservation already made for `assignee` (auto-assignment reserves under
    the cap itself); otherwise one is made here when the move activates the ticket. `expect`
    adds conditions to the compare-and-set (a timer still holding the instant it fired for).
    """
    now = clock.now()
    sla.settle_move(ticket, move.target, now)
    before_owner = ticket.get("assignedTo")
    after_owner = assignee or (before_owner if move.target != states.OPEN else None)
    expected = {"status": ticket["status"], "assignedTo": before_owner, "hold": ticket.get("hold"),
                **(expect or {})}
    fields = {"status": move.target, **sla.on_move(ticket, move.target, assignee, now)}
    if assignee:
        # The desk measures each assignee's response time from their own assignment; handed back
        # to the employee who was silent on it (nobody else had room), from their first.
        again = assignee == ticket.get("passedOver") and ticket.get("assignedAt")
        fields.update(assignedTo=assignee, assignedToName=assignee_name, assignedAt=again or now,
                      firstResponseAt=None, people=[ticket["userId"], assignee], passedOver=None)
    elif move.target == states.OPEN:  # back to the pool; a silent assignee is passed over once
        fields.update(assignedTo=None, assignedToName=None, people=[ticket["userId"]],
                      passedOver=before_owner if move.action == "release" else None)
    if move.target == states.CLOSED:
        fields["closedAt"] = now
    if move.target == states.RESOLVED:
        fields.update(resolvedAt=now, resolvedBy=by)
    was_active = ticket["status"] in states.ACTIVE
    now_active = move.target in states.ACTIVE
    if now_active and (not was_active or after_owner != before_owner):
        if token is None:
            token = capacity.reserve(after_owner, ticket["_id"], assigned=bool(assignee), now=now)
        fields["hold"] = token
    elif not now_active:
        fields["hold"] = None
    history = states.entry(move.target, by, now, reason)
    updated = repository.transition(ticket["_id"], expected, fields, history)
    if updated is None:
        capacity.release(after_owner, token)
        return None
    if was_active and updated.get("hold") != ticket.get("hold"):
        capacity.release(before_owner, ticket.get("hold"))
    return updated
