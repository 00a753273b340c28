"""The tickets' timers, fired by whichever process looks first: SLA breaches and silent assignees.

No timer lives in memory. Each is an instant stored on its ticket (`timers.firstResponse`,
`timers.resolution`, `timers.reply`); every server process runs `sweep()` every TIMER_SWEEP_S
and fires what is due. Firing is a compare-and-set on the timer still holding the instant it
was read with, so of processes racing for one timer exactly one fires it, and a restart loses
none (the instant is still there for the next sweep). Time comes from `clock.now()`, which a
test replaces.

A silent assignee: the ticket awaited their reply (`timers.reply`, set when it became theirs
and when its customer wrote while no reply was pending) and the window passed. The ticket goes
back to the pool (status `open`, history `reason: "no reply from <id> within <n> s"`), then to
the next available employee by the auto-assignment rules, not straight back to the silent one
unless nobody else has room.
"""

from flask import current_app

from ..runtime.server import every
from . import assignment, clock, notify, repository, sla, states

BATCH = 100
# A timer whose compare-and-set lost stays due until the ticket's next read: bounded rounds, not a spin.
ROUNDS = 10


def sweep(now=None):
    """Fire every due timer; return {kind: how many this call fired}."""
    now = now or clock.now()
    fired = {}
    for kind in (sla.FIRST_RESPONSE, sla.RESOLUTION, sla.REPLY):
        fire = release_silent if kind == sla.REPLY else (
            lambda ticket, at, kind=kind: sla.fire(kind, ticket, at))
        count = 0
        for _ in range(ROUNDS):
            due = repository.due(kind, now, BATCH)
            count += sum(1 for ticket in due if fire(ticket, now) is not None)
            if len(due) < BATCH:
                break
        fired[kind] = count
    if fired[sla.REPLY]:
        assignment.hand_out()
    return fired


def release_silent(ticket, now):
    """Put a ticket whose assignee stayed silent back in the pool; return it if this call did."""
    due = ticket["timers"]["reply"]
    move = states.MOVES["release"]
    if ticket["status"] not in move.sources or not ticket.get("assignedTo"):
        repository.clear_reply_timer(ticket["_id"], due)  # nobody's to answer: nothing to release
        return None
    window = current_app.config["SILENCE_REASSIGN_S"]
    reason = f"no reply from {ticket['assignedTo']} within {window} s"
    updated = assignment.apply_move(ticket, move, assignment.SYSTEM_ID, reason, expect={"timers.reply": due})
    if updated is not None:
        notify.changed(ticket, updated, move)
    return updated


# Every serving process fires due timers; while the database is away they stay stored for the next round.
start = every("TIMER_SWEEP_S", sweep, "ticket timer sweep")
