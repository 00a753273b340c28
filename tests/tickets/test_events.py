"""Ticket socket events with the Flask-SocketIO test client: rules, error texts and who hears what."""
import pytest

from tests.support import auth, make_token
from tests.support.tickets import TICKET
from tests.support.sockets import drain as events


@pytest.fixture
def app(make_app):
    """Manual assignment here (auto-assignment has its own tests)."""
    return make_app(AUTO_ASSIGN=False)


@pytest.fixture
def connect(socket_client):
    def open_socket(user, role="buyer", namespace="/"):
        sock = socket_client(make_token(user, role), namespace=namespace)
        assert sock.is_connected(namespace)
        return sock
    return open_socket


def errors(sock, namespace="/"):
    return [payload for name, payload in events(sock, namespace=namespace) if name == "error"]


def test_only_staff_join_the_employee_room_and_hear_new_tickets(connect, online, new_ticket, people):
    customer = connect(people.customer)
    ack = customer.emit("join_employee_room", None, callback=True)
    assert ack == {"success": False, "error": "Only employees can join employee room", "code": "forbidden"}
    assert errors(customer) == [{"message": "Only employees can join employee room", "code": "forbidden",
                                 "event": "join_employee_room"}]
    employee = online(people.emp1)
    ticket = new_ticket(people.customer)
    got = events(employee)
    assert [name for name, _ in got] == ["ticket:created", "ticket:new"]
    assert got[0][1] == got[1][1] == ticket
    assert events(customer) == []


def test_join_ticket_is_for_the_owner_the_assignee_and_staff(connect, new_ticket, people):
    ticket = new_ticket(people.customer)
    outsider = connect(people.other)
    ack = outsider.emit("join_ticket", {"ticketId": ticket["id"]}, callback=True)
    assert (ack["error"], ack["code"]) == ("Not authorized for this ticket", "forbidden")
    assert errors(outsider)[0]["event"] == "join_ticket"
    missing = outsider.emit("join_ticket", {"ticketId": "f" * 24}, callback=True)
    assert (missing["error"], missing["code"]) == ("Ticket not found", "not_found")
    assert outsider.emit("join_ticket", {}, callback=True)["code"] == "validation_error"
    owner = connect(people.customer)
    assert owner.emit("join_ticket", {"ticketId": ticket["id"]}, callback=True)["data"]["ticket"] == ticket
    staff = connect(people.emp2, "employee")
    assert staff.emit("join_ticket", ticket["id"], callback=True)["success"] is True  # a bare id works too


def test_an_assignee_no_longer_staff_cannot_join_or_write_to_the_ticket(connect, rest, new_ticket, people):
    ticket = new_ticket(people.customer)
    assert rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee").status_code == 200
    former = connect(people.emp1)  # a buyer token for the same id
    for event, payload in (("join_ticket", {"ticketId": ticket["id"]}),
                           ("ticket_message", {"ticketId": ticket["id"], "message": "hello"})):
        ack = former.emit(event, payload, callback=True)
        assert (ack["error"], ack["code"]) == ("Not authorized for this ticket", "forbidden"), event
    assert [name for name, _ in events(former)] == ["error", "error"]


@pytest.mark.parametrize("namespace", ["/", "/tickets"])
def test_a_customer_message_reaches_the_ticket_room_and_alerts_the_employees(
        connect, online, new_ticket, people, namespace):
    ticket = new_ticket(people.customer)
    employee = online(people.emp1, namespace=namespace)
    in_room = connect(people.customer, namespace=namespace)
    other_tab = connect(people.customer, namespace=namespace)
    outsider = connect(people.other, namespace=namespace)
    in_room.emit("join_ticket", {"ticketId": ticket["id"]}, namespace=namespace)
    ack = in_room.emit("ticket_message", {"ticketId": ticket["id"], "message": "x" * 60}, callback=True,
                       namespace=namespace)
    message = ack["data"]["message"]
    assert message["senderType"] == "customer" and message["message"] == "x" * 60
    # The customer's own message never comes back as `ticket:message` (the widget shows those as
    # staff bubbles); `ticket:customer-message` goes to the ticket room and the assignee only.
    assert events(in_room, namespace=namespace) == [("ticket:customer-message", dict(message, role="user"))]
    assert events(other_tab, namespace=namespace) == []
    alerts = [p for name, p in events(employee, namespace=namespace) if name == "ticket:new-message"]
    assert alerts == [{"ticketId": ticket["id"], "userId": people.customer, "preview": "x" * 50}]
    assert events(outsider, namespace=namespace) == []


@pytest.mark.parametrize("namespace", ["/", "/tickets"])
def test_each_side_hears_the_others_messages_under_its_own_event_name(connect, new_ticket, people, namespace):
    ticket = new_ticket(people.customer)
    assignee = connect(people.emp1, "employee", namespace=namespace)
    assignee.emit("assign_ticket", {"ticketId": ticket["id"]}, namespace=namespace)
    owner_tab = connect(people.customer, namespace=namespace)
    helper = connect(people.emp2, "employee", namespace=namespace)  # staff, in no room of this ticket
    for sock in (assignee, owner_tab, helper):
        events(sock, namespace=namespace)
    asked = connect(people.customer, namespace=namespace).emit(
        "ticket_message", {"ticketId": ticket["id"], "message": "Any news?"}, callback=True,
        namespace=namespace)["data"]["message"]
    answered = assignee.emit("ticket_message", {"ticketId": ticket["id"], "message": "Yes"}, callback=True,
                             namespace=namespace)["data"]["message"]
    got = events(assignee, namespace=namespace)
    assert ("ticket:customer-message", dict(asked, role="user")) in got
    assert "ticket:message" not in [name for name, _ in got]
    got = events(owner_tab, namespace=namespace)
    assert ("ticket:message", dict(answered, role="agent")) in got
    assert "ticket:customer-message" not in [name for name, _ in got]
    assert events(helper, namespace=namespace) == []


def test_assigning_over_a_socket_tells_the_owner_the_assignee_and_the_employees(
        connect, online, new_ticket, people):
    ticket = new_ticket(people.customer)
    customer = connect(people.customer)
    refused = customer.emit("assign_ticket", {"ticketId": ticket["id"]}, callback=True)
    assert refused["error"] == "Only employees can assign tickets"
    events(customer)
    watcher = online(people.emp2)
    taker = connect(people.emp1, "employee")
    ack = taker.emit("assign_ticket", {"ticketId": ticket["id"]}, callback=True)
    assert ack["data"]["ticket"]["assignedTo"] == people.emp1
    assigned = {"ticketId": ticket["id"], "assignedTo": people.emp1, "assignedToName": people.emp1,
                "agentName": people.emp1, "status": "assigned", "userId": people.customer}
    changed = {"ticketId": ticket["id"], "status": "assigned", "assignedTo": people.emp1}
    assert events(customer) == [("ticket:status-changed", changed), ("ticket:assigned", assigned)]
    assert ("ticket:assigned", assigned) in events(taker)
    assert events(watcher) == [("ticket:status-changed", changed), ("ticket:assigned", assigned)]
    late = connect(people.emp2, "employee").emit("assign_ticket", {"ticketId": ticket["id"]}, callback=True)
    assert (late["error"], late["code"]) == ("Ticket is already assigned", "invalid_transition")


def test_closing_is_for_the_assignee_and_is_announced(connect, new_ticket, people):
    ticket = new_ticket(people.customer)
    owner = connect(people.customer)
    assignee = connect(people.emp1, "employee")
    assignee.emit("assign_ticket", {"ticketId": ticket["id"]})
    other = connect(people.emp2, "employee")
    refused = other.emit("close_ticket", {"ticketId": ticket["id"]}, callback=True)
    assert (refused["error"], refused["code"]) == ("Only assigned employee can close this ticket",
                                                   "forbidden")
    events(owner)
    closed = assignee.emit("close_ticket", {"ticketId": ticket["id"]}, callback=True)["data"]["ticket"]
    got = dict(events(owner))
    assert got["ticket:closed"] == {"ticketId": ticket["id"], "status": "closed",
                                    "closedAt": closed["closedAt"]}
    assert got["ticket:status-changed"]["status"] == "closed"
    again = assignee.emit("ticket_message", {"ticketId": ticket["id"], "message": "hi"}, callback=True)
    assert (again["error"], again["code"]) == ("Ticket is closed", "conflict")


def test_a_staff_reply_starts_work_and_a_left_room_hears_nothing_more(connect, new_ticket, people):
    ticket = new_ticket(people.customer)
    assignee = connect(people.emp1, "employee")
    assignee.emit("assign_ticket", {"ticketId": ticket["id"]})
    helper = connect(people.emp2, "employee")
    helper.emit("join_ticket", {"ticketId": ticket["id"]})
    events(helper)
    ack = helper.emit("ticket_message", {"ticketId": ticket["id"], "message": "On it"}, callback=True)
    got = events(helper)
    assert ("ticket:message", dict(ack["data"]["message"], role="agent")) in got
    assert ("ticket:status-changed", {"ticketId": ticket["id"], "status": "in_progress",
                                      "assignedTo": people.emp1}) in got
    helper.emit("leave_ticket", {"ticketId": ticket["id"]})
    connect(people.customer).emit("ticket_message", {"ticketId": ticket["id"], "message": "thanks"})
    assert events(helper) == []


def test_leaving_a_ticket_by_any_spelling_of_its_id_leaves_its_rooms(connect, new_ticket, people):
    ticket = new_ticket(people.customer)
    assignee = connect(people.emp1, "employee")
    assignee.emit("assign_ticket", {"ticketId": ticket["id"]})
    helper = connect(people.emp2, "employee")
    assert helper.emit("join_ticket", {"ticketId": ticket["id"].upper()}, callback=True)["success"] is True
    ack = helper.emit("leave_ticket", {"ticketId": ticket["id"].upper()}, callback=True)
    assert ack == {"success": True, "data": {"ticketId": ticket["id"].upper()}}
    events(helper)
    connect(people.customer).emit("ticket_message", {"ticketId": ticket["id"], "message": "thanks"})
    assert assignee.emit("ticket_note", {"ticketId": ticket["id"], "note": "VIP"}, callback=True)["success"]
    assert events(helper) == []


def test_an_outsider_learns_nothing_of_a_whole_ticket_life(connect, new_ticket, people):
    outsider = connect(people.other)
    ticket = new_ticket(people.customer)
    for event, payload in (("join_ticket", {"ticketId": ticket["id"]}),
                           ("ticket_message", {"ticketId": ticket["id"], "message": "let me in"}),
                           ("close_ticket", {"ticketId": ticket["id"]})):
        assert outsider.emit(event, payload, callback=True)["success"] is False
    employee = connect(people.emp1, "employee")
    employee.emit("assign_ticket", {"ticketId": ticket["id"]})
    employee.emit("ticket_message", {"ticketId": ticket["id"], "message": "private reply"})
    employee.emit("close_ticket", {"ticketId": ticket["id"]})
    got = events(outsider)
    assert [name for name, _ in got] == ["error"] * 3
    assert {p["message"] for _, p in got} == {"Not authorized for this ticket"}


def test_joining_ticket_rooms_is_limited_per_user(make_app, people):
    app = make_app(RATE_LIMIT_JOINS="1 per minute")
    customer = auth(make_token(people.customer))
    created = app.test_client().post("/api/v1/tickets", json=TICKET, headers=customer)
    ticket_id = created.get_json()["data"]["ticket"]["id"]
    sock = app.extensions["socketio"].test_client(app, auth={"token": make_token(people.customer)})
    first = sock.emit("join_ticket", {"ticketId": ticket_id}, callback=True)
    second = sock.emit("join_ticket", {"ticketId": ticket_id}, callback=True)
    assert first["success"] is True and second["code"] == "rate_limited"
    sock.disconnect()


@pytest.mark.parametrize("event, text", [("assign_ticket", "Only employees can assign tickets"),
                                         ("ticket_note", "Only employees can use internal notes")])
@pytest.mark.parametrize("payload", [None, "x", {"ticketId": {"$ne": 1}}, {"note": ""}])
def test_staff_only_events_refuse_customers_before_reading_their_payload(connect, people, event, text,
                                                                         payload):
    customer = connect(people.customer)
    ack = customer.emit(event, payload, callback=True)
    assert ack == {"success": False, "error": text, "code": "forbidden"}
    assert errors(customer) == [{"message": text, "code": "forbidden", "event": event}]
