"""Auto-assignment under chosen interleavings: hand-outs of two processes, one command at a time.

Hypothesis picks the starting loads, the cap and the schedule (which worker sends the next
database command); tests.support.turns makes that schedule the only one possible, so every
failure replays exactly.
"""
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from gharbazaar import db
from gharbazaar.auth import Actor
from gharbazaar.db import get_db
from gharbazaar.models import utcnow
from gharbazaar.presence import service as presence
from gharbazaar.tickets import assignment, capacity, repository, service, states
from gharbazaar.users import service as users
from tests.support import unique
from tests.support.tickets import TICKET
from tests.support.tickets import assert_loads_match_tickets, join_as_employee
from tests.support.turns import Gate, Worker, gated_client, run

NEVER = assignment.NEVER
# No shrinking: a failing schedule is reported as found (shrinking one runs for minutes).
CHECKS = settings(max_examples=40, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# (which worker, how many commands in a row): runs of several let one overtake another.
schedules = st.lists(st.tuples(st.integers(0, 7), st.integers(1, 12)), max_size=80)


@pytest.fixture
def world(make_app):
    """Two apps (two processes) on one database, gated; three employees in the room."""
    gate = Gate()
    apps = [make_app(indexes=False) for _ in range(2)]
    for app in apps:
        gated_client(app, gate)
        # No presence sweeper: its periodic hand-out would run outside the schedule (reset()
        # keeps the employees' sockets fresh instead).
        app.extensions["gharbazaar.presence_sweeper"] = True
    db.ensure_indexes(apps[0])
    staff = [unique(f"{letter}-emp") for letter in "abc"]
    socks = [join_as_employee(apps[0], emp) for emp in staff]
    yield gate, apps, staff
    for sock in socks:
        sock.disconnect()


def ticket_doc(status=states.OPEN, assignee=None, hold=None):
    now, customer = utcnow(), unique("cust")
    return {"userId": customer, "userRole": "buyer", "userName": customer, "userEmail": None,
            "categoryId": None, "categoryTitle": "Payments", "subCategoryId": None,
            "subCategoryTitle": "Refund", "problem": "p", "status": status, "assignedTo": assignee,
            "assignedToName": assignee, "hold": hold, "history": [states.entry(states.OPEN, customer, now)],
            "feedback": None, "createdAt": now, "updatedAt": now, "closedAt": None}


def reset(apps, staff, initial, order, cap):
    """Empty the ticket collections; give each employee `initial[i]` active tickets, in `order`."""
    for app in apps:
        app.config["MAX_ACTIVE_TICKETS_PER_EMPLOYEE"] = cap
    database = get_db(apps[0])
    for name in database.list_collection_names():
        if name.startswith("ticket"):
            database[name].delete_many({})
    database.presence.update_many({"_id": {"$in": staff}}, {"$set": {"status": "online"}})
    database.presence_sockets.update_many({"userId": {"$in": staff}}, {"$set": {"lastSeen": utcnow()}})
    long_ago, active = utcnow() - timedelta(hours=1), []
    for step, index in enumerate(order):
        for n in range(initial[index]):
            ticket = repository.insert(ticket_doc())
            at = long_ago + timedelta(seconds=10 * step + n)
            token = capacity.reserve(staff[index], ticket["_id"], now=at)
            database.tickets.update_one({"_id": ticket["_id"]}, {"$set": {
                "status": states.ASSIGNED, "assignedTo": staff[index], "hold": token}})
            active.append(ticket["_id"])
    return active


def starting_state():
    """Loads within 1 of each other, who was assigned longest ago, and a cap at or above them."""
    return st.tuples(st.integers(0, 2), st.lists(st.booleans(), min_size=3, max_size=3),
                     st.permutations(range(3)), st.integers(0, 3))


def replay(before, tickets, holds_at, cap):
    """Check each assignment, oldest ticket first, is the one the rule makes given the loads then."""
    model = dict(before)
    for ticket in tickets:
        room = [emp for emp, (active, _) in model.items() if active < cap]
        expected = min(room, key=lambda emp: (model[emp][0], model[emp][1] or NEVER, emp))
        assert ticket["assignedTo"] == expected, (ticket["_id"], model)
        model[expected] = (model[expected][0] + 1, holds_at[ticket["_id"]])
    return model


@CHECKS
@given(start=starting_state(), waiting=st.integers(2, 9), workers=st.integers(2, 5), schedule=schedules)
def test_concurrent_hand_outs_end_exactly_as_one_at_a_time(world, start, waiting, workers, schedule):
    gate, apps, staff = world
    base, extra, order, headroom = start
    initial = [base + int(more) for more in extra]
    cap = max(initial) + max(headroom, 1)
    with apps[0].app_context():
        reset(apps, staff, initial, order, cap)
        docs = capacity.find_loads(staff)
        before = {emp: (docs[emp]["active"], docs[emp]["lastAssignedAt"]) if emp in docs else (0, None)
                  for emp in staff}
        queue = [repository.insert(ticket_doc())["_id"] for _ in range(waiting)]

    def hand_out(app):
        with app.app_context():
            assignment.hand_out()
    run([Worker(gate, lambda app=apps[n % 2]: hand_out(app), f"hand-out-{n}") for n in range(workers)],
        schedule)

    with apps[0].app_context():
        found = {t["_id"]: t for t in get_db().tickets.find({"_id": {"$in": queue}})}
        holds_at = {h["ticket"]: h["at"] for doc in capacity.find_loads(staff).values() for h in doc["holds"]}
    statuses = [found[t]["status"] for t in queue]
    placed = statuses.count(states.ASSIGNED)
    assert statuses == [states.ASSIGNED] * placed + [states.OPEN] * (waiting - placed)  # oldest first
    model = replay(before, [found[t] for t in queue[:placed]], holds_at, cap)
    if placed < waiting:  # a ticket waits only when every employee is full
        assert all(active >= cap for active, _ in model.values()), model
    assert_loads_match_tickets(apps[0])


events = st.lists(st.sampled_from(["create"] * 4 + ["close", "away", "back"]), min_size=2, max_size=8)


@CHECKS
@given(start=starting_state(), happenings=events, picks=st.lists(st.integers(0, 8), min_size=8, max_size=8),
       schedule=schedules)
def test_creates_closes_and_comings_and_goings_leave_nothing_waiting_that_someone_could_take(
        world, start, happenings, picks, schedule):
    gate, apps, staff = world
    base, extra, order, headroom = start
    initial = [base + int(more) for more in extra]
    cap = max(initial) + max(headroom, 1)
    with apps[0].app_context():
        active = reset(apps, staff, initial, order, cap)
    closes = [n for n, what in enumerate(happenings) if what == "close"][len(active):]
    happenings = [what for n, what in enumerate(happenings) if n not in closes]  # one per starting ticket
    admin, customers = Actor(unique("admin"), "admin"), [Actor(unique("cust"), "buyer") for _ in happenings]
    for n, app in enumerate(apps * len(happenings)):
        with app.app_context():  # known beforehand: users.remember batches writes across threads
            users.remember(admin), users.remember(customers[n // 2])

    def act(n, what):
        with apps[n % 2].app_context():
            if what == "create":
                service.create(customers[n], {"categoryId": None, "subCategoryId": None, **TICKET})
            elif what == "close":
                service.close(admin, str(active.pop(picks[n] % len(active))))
            else:
                employee = Actor(staff[picks[n] % 3], "employee")
                presence.update_status(employee, "away" if what == "away" else "online")
    run([Worker(gate, lambda n=n, what=what: act(n, what), f"{what}-{n}")
         for n, what in enumerate(happenings)], schedule)

    with apps[0].app_context():
        counts = {emp: 0 for emp in staff}
        for ticket in get_db().tickets.find({"status": {"$in": sorted(states.ACTIVE)}}):
            counts[ticket["assignedTo"]] += 1
        waiting = get_db().tickets.count_documents({"status": states.OPEN})
        available = presence.available_users()
    assert max(counts.values()) <= cap, counts
    if waiting:
        assert all(counts[emp] >= cap for emp in available), (waiting, counts, available)
    if set(happenings) == {"create"}:
        assert max(counts.values()) - min(counts.values()) <= 1, counts
    assert_loads_match_tickets(apps[0])


def test_a_ticket_stored_while_the_holder_lets_go_is_handed_out_by_that_holder(world):
    gate, apps, staff = world
    with apps[0].app_context():
        reset(apps, staff, [0, 0, 0], [0, 1, 2], 5)
        first = repository.insert(ticket_doc())["_id"]
    customer = Actor(unique("cust"), "buyer")

    def hand_out():
        with apps[0].app_context():
            assignment.hand_out()
    holder = Worker(gate, hand_out, "holder")
    holder.step_until(lambda command: command.get("update") == capacity.LEASE
                      and "pending" in command["updates"][0]["q"])
    with apps[1].app_context():  # the holder placed `first` and is about to let go: a ticket arrives
        late = service.create(customer, {"categoryId": None, "subCategoryId": None, **TICKET})
    assert late["status"] == states.OPEN  # its own hand-out left it to the holder
    run([holder])
    with apps[0].app_context():
        found = {t["_id"]: t for t in get_db().tickets.find()}
    assert [found[t]["status"] for t in (first, late["_id"])] == [states.ASSIGNED] * 2
    assert found[late["_id"]]["assignedTo"] != found[first]["assignedTo"]


def test_a_choice_overtaken_by_a_manual_assignment_is_made_again_on_fresh_loads(world):
    gate, apps, staff = world
    with apps[0].app_context():
        reset(apps, staff, [0, 0, 0], [0, 1, 2], 5)
        auto, by_hand = (repository.insert(ticket_doc())["_id"] for _ in range(2))
    for employee in staff[2:]:  # two employees: the choice is staff[0], then staff[1]
        with apps[0].app_context():
            presence.update_status(Actor(employee, "employee"), "away")

    def hand_out():
        with apps[0].app_context():
            assignment.hand_out()
    holder = Worker(gate, hand_out, "holder")
    holder.step_until(lambda command: command.get("update") == capacity.LOADS)
    with apps[1].app_context():  # staff[0] takes a ticket by hand between the read and the reservation
        service.assign(Actor(staff[0], "employee"), str(by_hand))
    run([holder])
    with apps[0].app_context():
        found = get_db().tickets.find_one({"_id": auto})
    assert found["assignedTo"] == staff[1]
    assert_loads_match_tickets(apps[0])
