"""Tickets through a real server process (eventlet) with real Socket.IO clients and HTTP requests."""
import threading
import uuid

import pytest
import requests

from tests.support import TEST_SECRET, Recorder, ServerProcess, auth, make_token
from tests.support.tickets import TICKET

pytestmark = pytest.mark.e2e


def start(mongo_uri, **env):
    return ServerProcess({
        "APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gbe2e_{uuid.uuid4().hex[:10]}",
        "JWT_SECRET": TEST_SECRET, "FRONTEND_URL": "http://localhost:3000", **env}).wait_listening()


@pytest.fixture
def auto_server(mongo_uri):
    """A server of its own per test: which employees are available must not leak between tests."""
    server = start(mongo_uri, AUTO_ASSIGN="true", MAX_ACTIVE_TICKETS_PER_EMPLOYEE="2")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def manual_server(mongo_uri):
    server = start(mongo_uri, AUTO_ASSIGN="false")
    yield server
    server.stop()


@pytest.fixture
def clients():
    opened = []

    def open_client(server, user, role="buyer", **kwargs):
        rec = Recorder(server.url, make_token(user, role), **kwargs)
        assert rec.connect()
        opened.append(rec)
        return rec
    yield open_client
    for rec in opened:
        rec.close()


def api(server, method, path, user, role="buyer", body=None):
    return requests.request(method, f"{server.url}/api/v1/tickets{path}", json=body, timeout=10,
                            headers=auth(make_token(user, role)))


def test_a_ticket_life_between_a_customer_and_two_employees(auto_server, clients, people):
    emp1 = clients(auto_server, people.emp1, "employee")
    emp2 = clients(auto_server, people.emp2, "employee", namespace="/tickets")
    for rec in (emp1, emp2):
        assert rec.emit("join_employee_room")["success"] is True
    customer = clients(auto_server, people.customer)
    other_tab = clients(auto_server, people.customer, transports=("polling",))
    outsider = clients(auto_server, people.other)

    created = api(auto_server, "POST", "", people.customer, body=TICKET).json()["data"]["ticket"]
    ticket_id = created["id"]
    assert created["assignedTo"] == people.emp1  # equal loads, neither assigned yet: id order
    for rec in (emp1, emp2):
        # Announced as it stands after the auto-assignment: the employee page learns the assignee here.
        announced = rec.wait_for("ticket:new", where=lambda t: t["id"] == ticket_id)
        assert (announced["status"], announced["assignedTo"]) == ("assigned", people.emp1)
        assert rec.received("ticket:created")[-1] == announced
        # Emitted while the ticket was being assigned, so before ticket:new on the same socket.
        (assigned,) = rec.received("ticket:assigned")
        assert (assigned["assignedTo"], assigned["userId"]) == (people.emp1, people.customer)
    for rec in (customer, other_tab):
        assigned = rec.wait_for("ticket:assigned", where=lambda p: p["ticketId"] == ticket_id)
        assert (assigned["assignedTo"], assigned["userId"]) == (people.emp1, people.customer)
    # "Assign to me" on the ticket auto-assignment already gave the employee: a 200 no-op.
    again = api(auto_server, "POST", f"/{ticket_id}/assign", people.emp1, "employee")
    assert again.status_code == 200 and again.json()["data"]["ticket"]["history"] == announced["history"]

    assert outsider.emit("join_ticket", {"ticketId": ticket_id}) == {
        "success": False, "error": "Not authorized for this ticket", "code": "forbidden"}
    assert customer.emit("join_ticket", {"ticketId": ticket_id})["success"] is True
    assert emp1.emit("join_ticket", {"ticketId": ticket_id})["success"] is True
    customer.emit("ticket_message", {"ticketId": ticket_id, "message": "Any news?"}, ack=False)
    for rec in (emp1, customer):  # the assignee's user room and the ticket room
        said = rec.wait_for("ticket:customer-message", where=lambda m: m["ticketId"] == ticket_id)
        assert (said["message"], said["role"], said["senderType"]) == ("Any news?", "user", "customer")
    assert emp2.wait_for("ticket:new-message")["preview"] == "Any news?"

    reply = api(auto_server, "POST", f"/{ticket_id}/messages", people.emp1, "employee", {"message": "Yes!"})
    assert reply.status_code == 201
    for rec in (customer, other_tab):  # the ticket room and the owner's user room
        assert rec.wait_for("ticket:message", where=lambda m: m["role"] == "agent")["message"] == "Yes!"
    assert other_tab.wait_for("ticket:status-changed")["status"] == "in_progress"
    # Each side hears the other's messages once, under its own event name, and never its own.
    assert [m["message"] for m in customer.received("ticket:message")] == ["Yes!"]
    assert [m["message"] for m in emp1.received("ticket:customer-message")] == ["Any news?"]
    assert other_tab.received("ticket:customer-message") == []

    refused = emp2.emit("close_ticket", {"ticketId": ticket_id})
    assert refused["error"] == "Only assigned employee can close this ticket"
    assert emp2.wait_for("error")["event"] == "close_ticket"
    assert emp1.emit("close_ticket", {"ticketId": ticket_id})["data"]["ticket"]["status"] == "closed"
    for rec in (customer, other_tab):
        assert rec.wait_for("ticket:closed")["ticketId"] == ticket_id

    # emp1's load is back to zero; the tie now goes to emp2, never assigned before.
    second = api(auto_server, "POST", "", people.customer, body=TICKET).json()["data"]["ticket"]
    assert second["assignedTo"] == people.emp2
    assert emp2.wait_for("ticket:assigned")["ticketId"] == second["id"]
    assert [name for name, _ in outsider.seen] == ["error"]


def test_waiting_tickets_go_to_the_first_employee_to_join_oldest_first(auto_server, clients, people):
    waiting = [api(auto_server, "POST", "", people.customer, body=TICKET).json()["data"]["ticket"]["id"]
               for _ in range(3)]
    employee = clients(auto_server, people.emp1, "employee")
    employee.emit("join_employee_room", ack=False)
    got = [employee.wait_for("ticket:assigned")["ticketId"] for _ in range(2)]
    assert got == waiting[:2]  # the cap is 2: the newest keeps waiting
    third = api(auto_server, "GET", f"/{waiting[2]}", people.customer).json()["data"]["ticket"]
    assert third["status"] == "open"


def test_employees_racing_over_rest_get_one_winner(manual_server, people):
    ticket_id = api(manual_server, "POST", "", people.customer, body=TICKET).json()["data"]["ticket"]["id"]
    barrier, answers = threading.Barrier(6), []

    def take(n):
        barrier.wait()
        answers.append(api(manual_server, "POST", f"/{ticket_id}/assign", f"{people.emp1}-{n}", "employee"))
    threads = [threading.Thread(target=take, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409, 409]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"invalid_transition"}
    history = api(manual_server, "GET", f"/{ticket_id}", people.customer).json()["data"]["ticket"]["history"]
    assert [h["status"] for h in history] == ["open", "assigned"]


def test_employees_racing_over_sockets_get_one_winner(manual_server, clients, people):
    ticket_id = api(manual_server, "POST", "", people.customer, body=TICKET).json()["data"]["ticket"]["id"]
    racers = [clients(manual_server, f"{people.emp2}-{n}", "employee") for n in range(3)]
    barrier, acks = threading.Barrier(3), []

    def take(rec):
        barrier.wait()
        acks.append(rec.emit("assign_ticket", {"ticketId": ticket_id}))
    threads = [threading.Thread(target=take, args=(rec,)) for rec in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(a["success"] for a in acks) == [False, False, True]
    assert {a.get("code") for a in acks if not a["success"]} == {"invalid_transition"}


def test_an_outsider_is_refused_over_rest(manual_server, people):
    ticket_id = api(manual_server, "POST", "", people.customer, body=TICKET).json()["data"]["ticket"]["id"]
    for method, path in (("GET", ""), ("POST", "/messages"), ("POST", "/feedback")):
        body = {"message": "hi", "rating": 5}
        answer = api(manual_server, method, f"/{ticket_id}{path}", people.other, body=body)
        assert (answer.status_code, answer.json()["error"]) == (403, "Not authorized for this ticket")
    assert api(manual_server, "GET", "", people.other).json()["data"]["tickets"] == []
