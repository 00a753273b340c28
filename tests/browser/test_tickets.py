"""Support tickets live: an employee's page in the employee room, a customer's page opening a ticket."""
from types import SimpleNamespace

import pytest

from tests.browser.pages import TICKET

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
TICKETS = "/api/v1/tickets"


def about(ticket_id, payloads, key="ticketId"):
    return [p for p in payloads if p.get(key) == ticket_id]


@pytest.fixture
def desk(open_page):
    """An available employee (joined the employee room) and a connected customer who opens a ticket."""
    employee, customer = open_page("employee", name="Esha Employee"), open_page("buyer", name="Asha")
    employee.connected()
    assert employee.emit("join_employee_room")["success"] is True
    customer.connected()
    answer = customer.api("POST", TICKETS, TICKET)
    assert answer.status == 201, answer.body
    return SimpleNamespace(employee=employee, customer=customer, ticket=answer.data["ticket"])


def test_a_new_ticket_is_announced_already_assigned_to_the_available_employee(desk):
    employee, ticket_id = desk.employee, desk.ticket["id"]
    assert (desk.ticket["status"], desk.ticket["assignedTo"]) == ("assigned", employee.id)
    for event in ("ticket:created", "ticket:new"):
        announced = about(ticket_id, employee.wait_for(event), key="id")
        assert len(announced) == 1, (event, employee.received(event))
        assert (announced[0]["status"], announced[0]["assignedTo"]) == ("assigned", employee.id), event
    for page in (employee, desk.customer):
        assigned = about(ticket_id, page.wait_for("ticket:assigned"))
        assert (assigned[0]["assignedTo"], assigned[0]["userId"], assigned[0]["status"]) == (
            employee.id, desk.customer.id, "assigned")


def test_assign_to_me_on_a_ticket_already_mine_is_a_no_op(desk):
    employee, ticket_id = desk.employee, desk.ticket["id"]
    before = employee.api("GET", f"{TICKETS}/{ticket_id}").data["ticket"]
    answer = employee.api("POST", f"{TICKETS}/{ticket_id}/assign")
    assert answer.status == 200, answer.body
    after = answer.data["ticket"]
    assert (after["status"], after["assignedTo"]) == ("assigned", employee.id)
    assert after["history"] == before["history"]


def test_each_side_hears_the_other_s_messages_exactly_once_and_never_its_own(desk):
    employee, customer, ticket_id = desk.employee, desk.customer, desk.ticket["id"]
    for page in (employee, customer):
        assert page.emit("join_ticket", {"ticketId": ticket_id})["success"] is True

    reply = employee.api("POST", f"{TICKETS}/{ticket_id}/messages", {"message": "Checking your refund now."})
    assert reply.status == 201, reply.body
    heard = customer.wait_for("ticket:message")
    assert [(m["message"], m["role"], m["senderType"]) for m in heard] == [
        ("Checking your refund now.", "agent", "employee")]

    ack = customer.emit("ticket_message", {"ticketId": ticket_id, "message": "Thank you!"})
    assert ack["success"] is True, ack
    heard = employee.wait_for("ticket:customer-message")
    assert [(m["message"], m["role"], m["senderType"]) for m in heard] == [("Thank you!", "user", "customer")]

    for page in (employee, customer):
        page.settle()
    assert len(customer.received("ticket:message")) == 1
    assert len(employee.received("ticket:customer-message")) == 1
