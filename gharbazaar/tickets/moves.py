"""Apply a status move atomically and keep the employees' load documents in step with it.

The ticket changes only if it still has the status, assignee and hold it was read with
(compare-and-set): of two requests racing from the same state, exactly one succeeds.
Capacity is reserved before a ticket becomes active and released after it stops being
active, so a crash in between can only over-count (repaired by `assignment.repair`), never
let an employee exceed the cap.
"""
from ..models import utcnow
from . import loads, repository, states


def apply(ticket, move, by, reason=None, assignee=None, assignee_name=None, token=None):
    """Make the move on the ticket as read; return the updated ticket, or None if it changed.

    `token` is a reservation already made for `assignee` (auto-assignment reserves under
    the cap itself); otherwise one is made here when the move activates the ticket.
    """
    now = utcnow()
    before_owner = ticket.get("assignedTo")
    after_owner = assignee or before_owner
    expected = {"status": ticket["status"], "assignedTo": before_owner, "hold": ticket.get("hold")}
    fields = {"status": move.target}
    if assignee:
        # The desk measures each assignee's response time from their own assignment.
        fields.update(assignedTo=assignee, assignedToName=assignee_name, assignedAt=now, firstResponseAt=None)
    if move.target == states.CLOSED:
        fields["closedAt"] = now
    if move.target == states.RESOLVED:
        fields["resolvedAt"] = now
    was_active = ticket["status"] in states.ACTIVE
    now_active = move.target in states.ACTIVE
    if now_active and (not was_active or after_owner != before_owner):
        if token is None:
            token = loads.reserve(after_owner, ticket["_id"], assigned=bool(assignee), now=now)
        fields["hold"] = token
    elif not now_active:
        fields["hold"] = None
    history = states.entry(move.target, by, now, reason)
    updated = repository.transition(ticket["_id"], expected, fields, history)
    if updated is None:
        loads.release(after_owner, token)
        return None
    if was_active and updated.get("hold") != ticket.get("hold"):
        loads.release(before_owner, ticket.get("hold"))
    return updated
