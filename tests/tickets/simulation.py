"""A desk simulated on a test clock: what happened, and the checks made after every action.

The world is real (the app, its database, employees' sockets in the employee room, the
timers' sweep); only time is the test's. `Desk.act(what, call)` runs one action (a ticket
created, a reply, a resolution, a reopening, a presence change, a sweep) and then checks the
rules against what the database holds:
- no employee over the cap; no ticket waits while an available employee has a free slot;
- each auto-assignment of the action went to a least-loaded available employee (replayed in
  hand-out order from the loads before it; a silent assignee is passed over while anyone else
  has room), so the loads it hands out differ by at most 1; and it handed out oldest first;
- no reply timer overdue after a sweep (a silent ticket leaves within its window + one step).
"""
import re
from datetime import timedelta
from dataclasses import dataclass, field

from gharbazaar.db import get_db
from gharbazaar.presence import service as presence
from gharbazaar.tickets import states
from tests.faults.procs import wait_until

SILENT = re.compile(r"no reply from (\S+) within")


@dataclass
class Figures:
    actions: int = 0
    handed_out: int = 0
    reassigned: int = 0
    reopened_to_assignee: int = 0
    reopened_to_pool: int = 0
    balanced_checks: int = 0
    checks_with_waiting: int = 0
    unbalanced_idle: int = 0
    notes: list = field(default_factory=list)


class Desk:
    """The stored state as the checks see it, and the figures gathered on the way."""

    def __init__(self, app, clock, employees, cap, step):
        self.app, self.clock, self.employees, self.cap, self.step = app, clock, list(employees), cap, step
        self.figures = Figures()
        self.state = self.read()

    def read(self, changed_at=None):
        """Return {ticket id: ticket} for every ticket (or those a move changed at an instant)."""
        query = {} if changed_at is None else {"updatedAt": {"$gte": changed_at}}
        with self.app.app_context():
            return {doc["_id"]: doc for doc in get_db().tickets.find(query)}

    def available(self):
        with self.app.app_context():
            return presence.available_users() & set(self.employees)

    def loads(self, tickets):
        counts = dict.fromkeys(self.employees, 0)
        for ticket in tickets.values():
            if ticket["status"] in states.ACTIVE:
                counts[ticket["assignedTo"]] += 1
        return counts

    def act(self, call):
        """Run one action in an app context, then check every rule on what it left."""
        with self.app.app_context():
            result = call()
            # The presence sweeper's periodic hand-out (a real background thread) may hold the lease;
            # ours then left the work to it: check once it has let go.
            wait_until(lambda: get_db().ticketlease.count_documents({"holder": {"$ne": None}}) == 0, 10,
                       "the hand-out lease to be free")
        # The clock stands still during an action: what it changed carries updatedAt >= now.
        self.check(self.state, {**self.state, **self.read(self.clock())})
        return result

    def check(self, before, after):
        self.figures.actions += 1
        available, loads = self.available(), self.loads(after)
        assert all(load <= self.cap for load in loads.values()), loads
        waiting = sorted(tid for tid, t in after.items()
                         if t["status"] == states.OPEN and not t["assignedTo"])
        if waiting:
            self.figures.checks_with_waiting += 1
            assert all(loads[e] == self.cap for e in available), ("a ticket waits beside a free slot", loads)
        spread = [loads[e] for e in available]
        if spread and max(spread) - min(spread) <= 1:
            self.figures.balanced_checks += 1
        elif spread:
            self.figures.unbalanced_idle += 1  # only ever with nothing waiting (asserted above)
        self._replay(before, after, loads, available, waiting)
        self.state = after

    def _replay(self, before, after, loads, available, waiting):
        """Each auto-assignment of the action: to a least-loaded eligible employee, oldest ticket first."""
        handed = []
        for tid, ticket in after.items():
            seen = len(before[tid]["history"]) if tid in before else 0
            new = ticket["history"][seen:]
            passed = [m.group(1) for h in new if (m := SILENT.match(h["reason"] or ""))]
            self.figures.reassigned += len(passed)
            for entry in new:
                if SILENT.match(entry["reason"] or ""):  # within its window plus one sweep step
                    late = entry["at"] - before[tid]["timers"]["reply"]
                    assert timedelta(0) <= late <= timedelta(seconds=self.step), (tid, late)
            if any(h["status"] == states.ASSIGNED and h["reason"] == "auto-assigned" for h in new):
                handed.append((tid, ticket["assignedTo"], passed[-1] if passed else None))
        if not handed:
            return
        self.figures.handed_out += len(handed)
        replay = dict(loads)
        for _, employee, _ in handed:
            replay[employee] -= 1
        for tid, employee, passed_over in sorted(handed):
            assert employee in available, (tid, employee, "not available")
            room = [e for e in available if replay[e] < self.cap]
            eligible = [e for e in room if e != passed_over] or room
            assert replay[employee] == min(replay[e] for e in eligible), (tid, employee, replay, passed_over)
            assert employee != passed_over or eligible == [passed_over], (tid, "back to the silent assignee")
            replay[employee] += 1
        assert not waiting or max(tid for tid, _, _ in handed) < waiting[0], "handed out a newer ticket first"

    def assert_no_reply_overdue(self):
        """After a sweep at now: every reply window that ended has been acted on."""
        now = self.clock()
        late = [tid for tid, t in self.state.items() if (t.get("timers") or {}).get("reply") is not None
                and t["timers"]["reply"] <= now]
        assert not late, late


def waits(tickets):
    """Return (longest wait for a first employee, longest wait in the pool at any time), in seconds."""
    first = pool = 0.0
    for ticket in tickets.values():
        opened, assigned_before = None, False
        for entry in ticket["history"]:
            if (entry["reason"] or "").startswith("sla breached"):
                continue  # a breach is recorded under the status the ticket has: not a move
            if entry["status"] == states.OPEN:
                opened = entry["at"]
            elif entry["status"] == states.ASSIGNED and opened is not None:
                waited = (entry["at"] - opened).total_seconds()
                pool = max(pool, waited)
                if not assigned_before:
                    first = max(first, waited)
                opened, assigned_before = None, True
    return first, pool
