"""Service levels: each ticket's due times, the timers that watch them, and recording a breach.

A ticket stores its targets as instants (`sla.firstResponseDue`, `sla.resolutionDue`) and,
while each is still pending, the same instant under `timers` (`timers.firstResponse`,
`timers.resolution`; `timers.reply` is the silence window, see `timers.py`). A timer is
pending while its field holds an instant; meeting the target or firing the breach sets it to
null. Firing is one compare-and-set on the field still holding the instant it was read with,
which also records the breach: whichever process gets there first records it, once.
"""
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from .. import realtime
from ..models import iso
from ..timewindows import add_working_time, parse_days, parse_hours
from . import repository, states

FIRST_RESPONSE, RESOLUTION, REPLY = "firstResponse", "resolution", "reply"
BREACHES = (FIRST_RESPONSE, RESOLUTION)
REASONS = {FIRST_RESPONSE: "sla breached: first response", RESOLUTION: "sla breached: resolution"}


def targets(data):
    """Return (first response, resolution) targets in seconds for a ticket's category."""
    config = current_app.config
    by_category = config["SLA_TARGETS"]
    chosen = by_category.get(data.get("categoryId") or "") or by_category.get(data.get("categoryTitle") or "")
    chosen = chosen or {}
    return (chosen.get("firstResponse", config["SLA_FIRST_RESPONSE_S"]),
            chosen.get("resolution", config["SLA_RESOLUTION_S"]))


def _working(start, seconds):
    config = current_app.config
    return add_working_time(start, seconds, parse_hours(config["SLA_BUSINESS_HOURS"]),
                            parse_days(config["SLA_BUSINESS_DAYS"]), ZoneInfo(config["DESK_TIMEZONE"]))


def new_ticket_fields(data, now):
    """Return the `sla` and `timers` a new ticket starts with."""
    first, resolution = targets(data)
    first_due, resolution_due = _working(now, first), _working(now, resolution)
    return {"sla": {"firstResponseDue": first_due, "resolutionDue": resolution_due, "firstResponseAt": None,
                    "breaches": []},
            "timers": {FIRST_RESPONSE: first_due, RESOLUTION: resolution_due, REPLY: None}}


def reply_due(now):
    """Return when an assignee must have replied by, or None when silence never reassigns."""
    window = current_app.config["SILENCE_REASSIGN_S"]
    return now + timedelta(seconds=window) if window > 0 else None


def on_move(ticket, target, assignee, now):
    """Return the timer fields a move to `target` sets.

    The reply window starts whenever the ticket becomes someone's to answer (assigned, or
    reopened to its assignee) and stops once it is nobody's (back to the pool, resolved, closed).
    """
    fields = {}
    if target in states.ACTIVE and (assignee or ticket["status"] not in states.ACTIVE):
        fields["timers.reply"] = reply_due(now)
    elif target not in states.ACTIVE:
        fields["timers.reply"] = None
    if target in (states.RESOLVED, states.CLOSED):
        fields["timers.resolution"] = None
    if target == states.CLOSED:
        fields["timers.firstResponse"] = None
    return fields


def settle_move(ticket, target, now):
    """Fire the breaches a move to `target` would otherwise stop unrecorded."""
    if target == states.CLOSED:
        settle_due(ticket, BREACHES, now)
    elif target == states.RESOLVED:
        settle_due(ticket, (RESOLUTION,), now)


def settle_due(ticket, kinds, now):
    """Fire the breaches among `kinds` that are due but not swept yet, before a change stops their timers.

    A target met late is breached whether the sweep or the late reply gets there first.
    """
    for kind in kinds:
        due = (ticket.get("timers") or {}).get(kind)
        if due is not None and due <= now:
            fire(kind, ticket, now)


def on_message(ticket, actor, now):
    """Move the ticket's timers on for a message: staff replies meet targets, customers start the wait."""
    if actor.is_staff:
        settle_due(ticket, (FIRST_RESPONSE,), now)
        repository.staff_replied(ticket["_id"], actor.id, now)
    elif ticket["status"] in states.ACTIVE and ticket.get("assignedTo"):
        due = reply_due(now)
        if due is not None:
            repository.await_reply(ticket["_id"], due)


def fire(kind, ticket, now):
    """Record a due breach once; announce it and return the ticket if this call recorded it."""
    due = ticket["timers"][kind]
    breach = {"kind": kind, "dueAt": due, "at": now, "assignedTo": ticket.get("assignedTo")}
    updated = repository.record_breach(ticket["_id"], kind, due, breach,
                                       states.entry(ticket["status"], "system", now, REASONS[kind]))
    if updated is None:
        return None  # met meanwhile, or fired by another process
    realtime.publish("tickets", "ticket:sla-breached", {
        "ticketId": str(updated["_id"]), "kind": kind, "dueAt": iso(due), "breachedAt": iso(now),
        "status": updated["status"], "assignedTo": updated.get("assignedTo"), "userId": updated["userId"],
    }, realtime.EMPLOYEES_ROOM)
    return updated
