"""Ticket REST from the frontend's page, through a ticket's whole life (nobody in the employee room)."""
import pytest

from tests.browser.pages import TICKET

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
TICKETS = "/api/v1/tickets"


@pytest.fixture
def customer(open_page):
    return open_page("buyer", name="Asha Customer")


@pytest.fixture
def employee(open_page):
    return open_page("employee", name="Esha Employee")


def open_ticket(customer):
    answer = customer.api("POST", TICKETS, TICKET)
    assert answer.status == 201, answer.body
    return answer.data["ticket"]


def test_a_customer_opens_a_ticket_and_finds_it_with_its_first_message(customer):
    ticket = open_ticket(customer)
    assert (ticket["userId"], ticket["status"], ticket["problem"]) == (customer.id, "open", TICKET["problem"])
    assert ticket["id"] == ticket["_id"]

    mine = customer.api("GET", TICKETS)
    assert mine.status == 200 and [t["id"] for t in mine.data["tickets"]] == [ticket["id"]]
    one = customer.api("GET", f"{TICKETS}/{ticket['id']}")
    assert one.status == 200 and one.data["ticket"]["id"] == ticket["id"]
    assert [m["message"] for m in one.data["messages"]] == [TICKET["problem"]]
    assert one.body["messages"] == one.data["messages"]


def test_staff_list_every_ticket_and_customers_may_not(customer, employee):
    ticket = open_ticket(customer)
    listed = employee.api("GET", f"{TICKETS}/employee/all?status=all")
    assert listed.status == 200
    assert ticket["id"] in [t["id"] for t in listed.data["tickets"]]
    assert listed.body["tickets"] == listed.data["tickets"]
    assert customer.api("GET", f"{TICKETS}/employee/all").status == 403


def test_an_employee_assigns_replies_resolves_and_closes_and_the_customer_rates(customer, employee):
    ticket_id = open_ticket(customer)["id"]
    assigned = employee.api("POST", f"{TICKETS}/{ticket_id}/assign")
    assert assigned.status == 200
    ticket = assigned.data["ticket"]
    assert (ticket["status"], ticket["assignedTo"]) == ("assigned", employee.id)

    reply = employee.api("POST", f"{TICKETS}/{ticket_id}/messages", {"message": "Looking into it."})
    assert reply.status == 201
    message = reply.data["message"]
    assert (message["senderType"], message["senderId"]) == ("employee", employee.id)
    assert customer.api("GET", f"{TICKETS}/{ticket_id}").data["ticket"]["status"] == "in_progress"

    wrong = employee.api("PUT", f"{TICKETS}/{ticket_id}/status", {"status": "open"})
    assert (wrong.status, wrong.body["code"]) == (409, "invalid_transition")
    resolved = employee.api("PUT", f"{TICKETS}/{ticket_id}/status", {"status": "resolved", "reason": "Paid"})
    assert resolved.status == 200 and resolved.data["ticket"]["status"] == "resolved"

    rated = customer.api("POST", f"{TICKETS}/{ticket_id}/feedback", {"rating": 5, "remarks": "Quick, thanks"})
    assert rated.status == 200 and rated.data["ticket"]["feedback"]["rating"] == 5

    closed = employee.api("PUT", f"{TICKETS}/{ticket_id}/close")
    assert closed.status == 200
    assert closed.data["ticket"]["status"] == "closed" and closed.data["ticket"]["closedAt"]
    moves = [h["status"] for h in closed.data["ticket"]["history"]]
    assert moves[-4:] == ["assigned", "in_progress", "resolved", "closed"]
    late = customer.api("POST", f"{TICKETS}/{ticket_id}/messages", {"message": "One more thing"})
    assert (late.status, late.body["error"]) == (409, "Ticket is closed")


def test_a_ticket_takes_images_by_multipart_upload_on_both_routes(customer):
    ticket_id = open_ticket(customer)["id"]
    for route in ("upload", "files"):
        answer = customer.upload(f"{TICKETS}/{ticket_id}/{route}", file_name=f"receipt-{route}.png")
        assert answer.status in (200, 201), (route, answer.body)
        stored = answer.data
        assert (stored["fileName"], stored["fileType"]) == (f"receipt-{route}.png", "image")
        assert stored["fileId"]
        shown = customer.show_image(stored["url"])
        assert shown["loaded"] and shown["naturalWidth"] == 8, route
