"""Auto-assignment: least loaded first, the tie rule, the cap, the waiting queue, several processes."""
import threading
from datetime import timedelta

from collections import Counter

from bson import ObjectId

from gharbazaar import db
from gharbazaar.db import get_db
from gharbazaar.models import utcnow
from gharbazaar.tickets import assignment, capacity
from tests.support import auth, make_token
from tests.support.tickets import assert_loads_match_tickets, join_as_employee, open_ticket
from tests.support.sockets import drain as events


def assignees(rest, customer, tickets):
    return [rest("GET", f"/{t['id']}", customer).get_json()["data"]["ticket"]["assignedTo"] for t in tickets]


def test_new_tickets_balance_between_two_available_employees(app, rest, online, new_ticket, people):
    online(people.emp1), online(people.emp2)
    tickets = [new_ticket(people.customer) for _ in range(4)]
    got = assignees(rest, people.customer, tickets)
    assert sorted(got) == sorted([people.emp1, people.emp2] * 2)
    assert got[0] != got[1] and got[0] == got[2] and got[1] == got[3]
    assert tickets[0]["status"] == "assigned" and tickets[0]["history"][-1]["by"] == "system"
    assert_loads_match_tickets(app)


def test_ties_go_to_the_employee_assigned_longest_ago_not_to_id_order(rest, online, new_ticket, people):
    online(people.emp2)
    first = new_ticket(people.customer)
    online(people.emp1)  # sorts first by id, and has no ticket yet
    later = [new_ticket(people.customer) for _ in range(3)]
    assert assignees(rest, people.customer, [first, *later]) == [people.emp2, people.emp1, people.emp2,
                                                                 people.emp1]


def test_the_assignee_hears_of_an_automatic_assignment(online, new_ticket, people):
    employee = online(people.emp1)
    ticket = new_ticket(people.customer)
    assigned = [p for name, p in events(employee) if name == "ticket:assigned"]
    assert assigned == [{"ticketId": ticket["id"], "assignedTo": people.emp1, "assignedToName": people.emp1,
                         "agentName": people.emp1, "status": "assigned", "userId": people.customer}]


def test_waiting_tickets_go_out_oldest_first_when_an_employee_joins_and_as_capacity_frees(
        make_app, socket_client, people):
    app = make_app(MAX_ACTIVE_TICKETS_PER_EMPLOYEE=2)
    client = app.test_client()
    waiting = [open_ticket(app, people.customer)["id"] for _ in range(3)]
    employee = join_as_employee(app, people.emp1)
    handed = [p["ticketId"] for p in (e["args"][0] for e in employee.get_received())
              if p.get("assignedTo") == people.emp1 and p.get("agentName")]
    assert handed == waiting[:2]
    headers = auth(make_token(people.emp1, "employee"))
    third = client.get(f"/api/v1/tickets/{waiting[2]}", headers=headers).get_json()["data"]["ticket"]
    assert third["status"] == "open"
    for status in ("in_progress", "resolved"):
        client.put(f"/api/v1/tickets/{waiting[0]}/status", json={"status": status}, headers=headers)
    third = client.get(f"/api/v1/tickets/{waiting[2]}", headers=headers).get_json()["data"]["ticket"]
    assert (third["status"], third["assignedTo"]) == ("assigned", people.emp1)
    assert_loads_match_tickets(app)
    employee.disconnect()


def test_nobody_available_or_auto_assign_off_leaves_tickets_open(make_app, socket_client, people):
    for auto in (True, False):
        app = make_app(AUTO_ASSIGN=auto)
        if not auto:
            sock = join_as_employee(app, people.emp1)
        assert open_ticket(app, people.customer)["status"] == "open"
        if not auto:
            sock.disconnect()


def test_an_away_employee_gets_nothing_until_back_online(rest, online, new_ticket, people):
    away = online(people.emp1)
    assert away.emit("presence:update-status", {"status": "away"}, callback=True)["success"]
    ticket = new_ticket(people.customer)
    assert ticket["status"] == "open"
    away.emit("presence:update-status", {"status": "online"})
    assert assignees(rest, people.customer, [ticket]) == [people.emp1]


def test_the_cap_holds_and_manual_assignment_is_not_capped(make_app, people):
    app = make_app(MAX_ACTIVE_TICKETS_PER_EMPLOYEE=1)
    sock = join_as_employee(app, people.emp1)
    first, second = open_ticket(app, people.customer), open_ticket(app, people.customer)
    assert (first["status"], second["status"]) == ("assigned", "open")
    taken = app.test_client().post(f"/api/v1/tickets/{second['id']}/assign",
                                   headers=auth(make_token(people.emp1, "employee")))
    assert taken.get_json()["data"]["ticket"]["assignedTo"] == people.emp1
    with app.app_context():
        assert capacity.find_load(people.emp1)["active"] == 2
    assert_loads_match_tickets(app)
    sock.disconnect()


def test_a_reservation_left_by_a_crashed_process_is_repaired(make_app, people):
    app = make_app(MAX_ACTIVE_TICKETS_PER_EMPLOYEE=1)
    with app.app_context():
        long_ago = utcnow() - timedelta(seconds=assignment.STALE_HOLD_S + 5)
        assert capacity.reserve(people.emp1, ObjectId(), cap=1, now=long_ago)  # its ticket never got it
    sock = join_as_employee(app, people.emp1)
    assert open_ticket(app, people.customer)["assignedTo"] == people.emp1
    assert_loads_match_tickets(app)
    sock.disconnect()


def open_counted(app, customer):
    """Open a ticket; return it and the database commands its request sent."""
    before = Counter(db.command_counts(app))
    ticket = open_ticket(app, customer)
    return ticket, dict(Counter(db.command_counts(app)) - before)


def test_an_assignment_reads_each_thing_once(make_app, people):
    app = make_app(DB_METRICS=True)
    socks = [join_as_employee(app, emp) for emp in (people.emp1, people.emp2)]
    open_ticket(app, people.customer), open_ticket(app, people.customer)  # both load documents exist
    ticket, commands = open_counted(app, people.customer)
    assert ticket["status"] == "assigned"
    # Inserts: ticket and first message. Then whether anything waits, who is available (their
    # sockets, each connected within the window, so their processes need no asking), their
    # loads; the hand-out lease taken, the queue, one reservation, the assignee's name, the
    # move, the lease given back (the lease is the 2 updates more than before it existed).
    assert commands == {"insert": 2, "find": 6, "update": 3, "findAndModify": 1}
    for sock in socks:
        sock.disconnect()


def test_a_freed_slot_with_nobody_waiting_costs_one_query(make_app, people):
    app = make_app(DB_METRICS=True)
    sock = join_as_employee(app, people.emp1)
    ticket = open_ticket(app, people.customer)
    client, headers = app.test_client(), auth(make_token(people.emp1, "employee"))
    before = Counter(db.command_counts(app))
    assert client.put(f"/api/v1/tickets/{ticket['id']}/close", headers=headers).status_code == 200
    # The ticket read and its move, the freed reservation; then the empty queue, and no more.
    assert dict(Counter(db.command_counts(app)) - before) == {"find": 2, "findAndModify": 1, "update": 1}
    sock.disconnect()


def test_when_every_employee_is_full_a_new_ticket_tries_no_reservation(make_app, people):
    app = make_app(DB_METRICS=True, MAX_ACTIVE_TICKETS_PER_EMPLOYEE=1)
    staff = [f"{people.emp1}-{n}" for n in range(5)]
    socks = [join_as_employee(app, emp) for emp in staff]
    assert {open_ticket(app, people.customer)["assignedTo"] for _ in staff} == set(staff)
    ticket, commands = open_counted(app, people.customer)
    assert ticket["status"] == "open" and ticket["assignedTo"] is None
    # The loads just read say everyone is at the cap: no refused write per employee. (Who is
    # available is a find of their sockets, connected within the window: no process asked.)
    assert commands == {"insert": 2, "find": 5}
    assert_loads_match_tickets(app)
    for sock in socks:
        sock.disconnect()


def test_a_fresh_process_hands_out_what_an_earlier_one_left_waiting(make_app, people):
    ticket = open_ticket(make_app(), people.customer)
    after = make_app()  # a restart: nothing is carried over but the database
    sock = join_as_employee(after, people.emp1)
    headers = auth(make_token(people.customer))
    shown = after.test_client().get(f"/api/v1/tickets/{ticket['id']}", headers=headers).get_json()
    assert shown["data"]["ticket"]["assignedTo"] == people.emp1
    sock.disconnect()


def test_two_processes_handing_out_at_once_never_double_assign_nor_exceed_the_cap(make_app, people):
    quiet = make_app(AUTO_ASSIGN=False)
    ids = [open_ticket(quiet, people.customer)["id"] for _ in range(10)]
    socks = [join_as_employee(quiet, emp) for emp in (people.emp1, people.emp2)]
    processes = [make_app(indexes=False, MAX_ACTIVE_TICKETS_PER_EMPLOYEE=3) for _ in range(2)]
    barrier, failures = threading.Barrier(4), []

    def run(app):
        with app.app_context():
            barrier.wait()
            try:
                assignment.hand_out()
            except Exception as exc:  # reported below: a thread's failure must fail the test
                failures.append(exc)
    threads = [threading.Thread(target=run, args=(app,)) for app in processes * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    with quiet.app_context():
        tickets = {str(t["_id"]): t for t in get_db().tickets.find()}
    taken = [i for i in ids if tickets[i]["status"] == "assigned"]
    assert taken == ids[:6]
    assert all([h["status"] for h in tickets[i]["history"]].count("assigned") == 1 for i in taken)
    assert sorted(tickets[i]["assignedTo"] for i in taken) == sorted([people.emp1, people.emp2] * 3)
    assert_loads_match_tickets(quiet)
    for sock in socks:
        sock.disconnect()


def test_reports_about_the_only_employee_wait_and_the_queue_behind_them_goes_out(
        make_app, monkeypatch, people):
    app = make_app()
    reports = [open_ticket(app, people.customer)["id"] for _ in range(3)]
    behind = open_ticket(app, people.customer)["id"]
    with app.app_context():  # what a report about emp1 stores (chat/reports.py files them)
        get_db().tickets.update_many({"_id": {"$in": [ObjectId(t) for t in reports]}},
                                     {"$set": {"reportedUserId": people.emp1}})
    monkeypatch.setattr(assignment, "BATCH", 2)
    reads, waiting = [], assignment.repository.waiting

    def read_once_each(limit, after=None):
        reads.append(after)
        assert len(reads) < 20, "the queue is read on, not again from its start"
        return waiting(limit, after)
    monkeypatch.setattr(assignment.repository, "waiting", read_once_each)
    join_as_employee(app, people.emp1)
    with app.app_context():
        found = {str(t["_id"]): t for t in get_db().tickets.find()}
    assert [found[t]["assignedTo"] for t in reports] == [None] * 3
    assert found[behind]["assignedTo"] == people.emp1
