"""Stored timers fired by the sweep on a test clock: SLA breaches once, silent assignees lose the ticket."""
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from bson import ObjectId

from gharbazaar.db import get_db
from gharbazaar.timewindows import add_working_time, parse_days, parse_hours
from gharbazaar.tickets import timers
from tests.support import auth, make_token
from tests.support.clock import install
from tests.support.sockets import drain as events
from tests.support.tickets import assert_loads_match_tickets

TARGETS = {"Payments": {"firstResponse": 600, "resolution": 3600}}
WINDOW = 900


@pytest.fixture
def app(make_app):
    return make_app(SLA_TARGETS=TARGETS, SILENCE_REASSIGN_S=WINDOW)


@pytest.fixture
def clock(app):
    return install(app)


def sweep(app):
    with app.app_context():
        return timers.sweep()


def stored(app, ticket_id):
    with app.app_context():
        return get_db().tickets.find_one({"_id": ObjectId(ticket_id)})


def reasons(app, ticket_id):
    return [(h["status"], h["by"], h["reason"]) for h in stored(app, ticket_id)["history"]]


def test_a_ticket_carries_due_times_from_its_categorys_targets_or_the_defaults(clock, new_ticket, people):
    payments = new_ticket(people.customer)["sla"]
    assert (payments["firstResponseDue"], payments["resolutionDue"]) == (
        "2026-12-07T04:10:00.000Z", "2026-12-07T05:00:00.000Z")
    other = new_ticket(people.customer, categoryTitle="Listings")["sla"]
    assert (other["firstResponseDue"], other["resolutionDue"]) == (
        "2026-12-07T05:00:00.000Z", "2026-12-08T04:00:00.000Z")
    assert other["breaches"] == [] and other["replyDue"] is None


def test_business_hours_stop_the_clock_outside_working_time():
    india = ZoneInfo("Asia/Kolkata")
    friday_evening = datetime(2026, 12, 11, 17, 0, tzinfo=india)
    due = add_working_time(friday_evening, 2 * 3600, parse_hours("09:00-18:00"), parse_days("0-4"), india)
    assert due == datetime(2026, 12, 14, 10, 0, tzinfo=india)  # Monday 10:00
    assert add_working_time(friday_evening, 60, None) == friday_evening + timedelta(seconds=60)
    with pytest.raises(ValueError):
        parse_hours("18:00-09:00")


def test_business_hours_from_the_configuration_set_the_due_times(make_app, new_ticket, people):
    app = make_app(SLA_BUSINESS_HOURS="09:00-18:00", SLA_BUSINESS_DAYS="0-4")
    install(app, datetime(2026, 12, 11, 12, 0, tzinfo=timezone.utc))  # Friday 17:30 in India
    answer = app.test_client().post("/api/v1/tickets", headers=auth(make_token(people.customer)), json={
        "categoryTitle": "Listings", "subCategoryTitle": "Photos", "problem": "Upload fails"})
    # One working hour: 30 minutes on Friday, 30 on Monday from 09:00 (03:30Z).
    assert answer.get_json()["data"]["ticket"]["sla"]["firstResponseDue"] == "2026-12-14T04:00:00.000Z"


def test_a_first_response_breach_is_recorded_once_and_announced_to_employees(
        app, clock, online, new_ticket, people, client):
    staff = online(people.emp1)
    ticket = new_ticket(people.customer)
    events(staff)
    clock.advance(599)
    assert sweep(app)["firstResponse"] == 0
    clock.advance(1)
    assert sweep(app)["firstResponse"] == 1
    assert sweep(app)["firstResponse"] == 0
    breached = events(staff, "ticket:sla-breached")
    assert [p for _, p in breached] == [{
        "ticketId": ticket["id"], "kind": "firstResponse", "dueAt": "2026-12-07T04:10:00.000Z",
        "breachedAt": "2026-12-07T04:10:00.000Z", "status": "assigned", "assignedTo": people.emp1,
        "userId": people.customer}]
    assert reasons(app, ticket["id"]).count(("assigned", "system", "sla breached: first response")) == 1
    assert len(stored(app, ticket["id"])["sla"]["breaches"]) == 1
    stats = client.get("/api/v1/employee/stats", headers=auth(make_token(people.emp1, "employee")))
    assert stats.get_json()["data"]["stats"]["slaBreaches"] == 1


def test_a_reply_in_time_meets_the_target_and_is_averaged(
        app, clock, online, new_ticket, rest, people, client):
    online(people.emp1)
    ticket = new_ticket(people.customer)
    clock.advance(120)
    rest("POST", f"/{ticket['id']}/messages", people.emp1, "employee", {"message": "On it"})
    clock.advance(60)
    rest("PUT", f"/{ticket['id']}/status", people.emp1, "employee", {"status": "resolved"})
    clock.advance(10_000)
    assert sweep(app) == {"firstResponse": 0, "resolution": 0, "reply": 0}
    assert stored(app, ticket["id"])["sla"]["breaches"] == []
    stats = client.get("/api/v1/employee/stats", headers=auth(make_token(people.emp1, "employee")))
    figures = stats.get_json()["data"]["stats"]
    measured = (figures["firstResponseAverage"], figures["resolutionAverage"], figures["slaBreaches"])
    assert measured == (120, 180, 0)


def stats_of(client, employee):
    answer = client.get("/api/v1/employee/stats", headers=auth(make_token(employee, "employee")))
    return answer.get_json()["data"]["stats"]


def test_figures_credit_whoever_did_the_work_not_whoever_holds_the_ticket_now(
        app, clock, online, new_ticket, rest, people, client):
    first = online(people.emp1)
    ticket = new_ticket(people.customer)
    clock.advance(120)
    rest("POST", f"/{ticket['id']}/messages", people.emp1, "employee", {"message": "On it"})
    clock.advance(60)
    rest("PUT", f"/{ticket['id']}/status", people.emp1, "employee", {"status": "resolved"})
    first.emit("presence:update-status", {"status": "away"}, callback=True)
    online(people.emp2)
    rest("POST", f"/{ticket['id']}/messages", people.customer, "buyer", {"message": "Not fixed"})
    assert stored(app, ticket["id"])["assignedTo"] == people.emp2, "reopened to the next employee"
    mine, theirs = stats_of(client, people.emp1), stats_of(client, people.emp2)
    assert (mine["resolvedToday"], mine["firstResponseAverage"], mine["resolutionAverage"]) == (1, 120, 180)
    assert (theirs["resolvedToday"], theirs["firstResponseAverage"], theirs["resolutionAverage"]) == (0, 0, 0)


def test_a_ticket_handed_back_to_its_silent_assignee_is_timed_from_their_first_assignment(
        app, clock, online, new_ticket, rest, people, client):
    online(people.emp1)
    ticket = new_ticket(people.customer)
    clock.advance(WINDOW)
    assert sweep(app)["reply"] == 1 and stored(app, ticket["id"])["assignedTo"] == people.emp1
    clock.advance(30)
    rest("POST", f"/{ticket['id']}/messages", people.emp1, "employee", {"message": "Sorry, here now"})
    figures = stats_of(client, people.emp1)
    assert (figures["averageResponseTime"], figures["responsesMeasured"]) == (WINDOW + 30, 1)


def test_sweeps_racing_in_many_threads_fire_each_timer_exactly_once(app, clock, new_ticket, people):
    made = [new_ticket(people.customer)["id"] for _ in range(12)]
    clock.advance(3600)  # both targets of Payments are due
    barrier, totals = threading.Barrier(4), []

    def run():
        with app.app_context():
            barrier.wait()
            totals.append(timers.sweep())
    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(t["firstResponse"] for t in totals) == sum(t["resolution"] for t in totals) == 12
    for ticket_id in made:
        kinds = sorted(b["kind"] for b in stored(app, ticket_id)["sla"]["breaches"])
        assert kinds == ["firstResponse", "resolution"]


def test_a_silent_assignee_loses_the_ticket_to_the_next_available_employee(
        app, clock, online, new_ticket, people, socket_client):
    first, second = online(people.emp1), online(people.emp2)
    ticket = new_ticket(people.customer)
    assert ticket["assignedTo"] == people.emp1 and ticket["sla"]["replyDue"] == "2026-12-07T04:15:00.000Z"
    customer = socket_client(make_token(people.customer, "buyer"))
    events(first), events(second)
    clock.advance(WINDOW - 1)
    assert sweep(app)["reply"] == 0
    clock.advance(1)
    assert sweep(app)["reply"] == 1
    now = stored(app, ticket["id"])
    assert (now["status"], now["assignedTo"], now["passedOver"]) == ("assigned", people.emp2, None)
    assert reasons(app, ticket["id"])[-2:] == [
        ("open", "system", f"no reply from {people.emp1} within {WINDOW} s"),
        ("assigned", "system", "auto-assigned")]
    heard = events(customer)
    released = ("ticket:status-changed", {"ticketId": ticket["id"], "status": "open", "assignedTo": None})
    assert released in heard
    assert [p["assignedTo"] for n, p in heard if n == "ticket:assigned"] == [people.emp2]
    assert released in events(first)
    assert [p["assignedTo"] for n, p in events(second) if n == "ticket:assigned"] == [people.emp2]
    assert_loads_match_tickets(app)


def test_replies_stop_the_window_and_a_waiting_customer_starts_it_again(
        app, clock, online, new_ticket, rest, people):
    online(people.emp1), online(people.emp2)
    ticket = new_ticket(people.customer)
    clock.advance(300)
    rest("POST", f"/{ticket['id']}/messages", people.emp1, "employee", {"message": "Looking"})
    assert stored(app, ticket["id"])["timers"]["reply"] is None
    clock.advance(WINDOW * 3)
    assert sweep(app)["reply"] == 0
    rest("POST", f"/{ticket['id']}/messages", people.customer, "buyer", {"message": "Any news?"})
    clock.advance(60)
    rest("POST", f"/{ticket['id']}/messages", people.customer, "buyer", {"message": "Hello?"})
    clock.advance(WINDOW - 60)  # timed from the first unanswered message
    assert sweep(app)["reply"] == 1
    assert stored(app, ticket["id"])["assignedTo"] == people.emp2


def test_a_silent_assignee_keeps_the_ticket_when_nobody_else_has_room(app, clock, online, new_ticket, people):
    online(people.emp1)
    ticket = new_ticket(people.customer)
    clock.advance(WINDOW)
    assert sweep(app)["reply"] == 1
    now = stored(app, ticket["id"])
    assert (now["status"], now["assignedTo"]) == ("assigned", people.emp1)
    assert now["timers"]["reply"] is not None  # a new window for the new assignment
    assert_loads_match_tickets(app)


def test_a_reopened_ticket_goes_back_to_its_assignee_only_while_they_are_available(
        app, clock, online, new_ticket, rest, people):
    emp1 = online(people.emp1)
    tickets = [new_ticket(people.customer)["id"] for _ in range(2)]
    for ticket_id in tickets:
        rest("POST", f"/{ticket_id}/messages", people.emp1, "employee", {"message": "Done"})
        rest("PUT", f"/{ticket_id}/status", people.emp1, "employee", {"status": "resolved"})
    rest("POST", f"/{tickets[0]}/messages", people.customer, "buyer", {"message": "Not fixed"})
    back = stored(app, tickets[0])
    assert (back["status"], back["assignedTo"]) == ("in_progress", people.emp1)
    emp1.emit("presence:update-status", {"status": "away"}, callback=True)
    online(people.emp2)
    rest("POST", f"/{tickets[1]}/messages", people.customer, "buyer", {"message": "Not fixed either"})
    again = stored(app, tickets[1])
    assert (again["status"], again["assignedTo"]) == ("assigned", people.emp2)
    assert ("open", people.customer, "customer reply; assignee not available") in reasons(app, tickets[1])
    assert_loads_match_tickets(app)
