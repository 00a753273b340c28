"""The employee desk (/api/v1/employee) from the frontend's page: the routes backendApi.employee calls."""
from types import SimpleNamespace

import pytest

from tests.browser.pages import TICKET
from tests.support import auth, make_token, unique

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
DESK = "/api/v1/employee"
TICKETS = "/api/v1/tickets"
DESK_CALLS = [("GET", "/tickets", None), ("GET", "/active-conversations", None), ("GET", "/stats", None),
              ("GET", "/user-history/someone", None),
              ("POST", "/quick-response", {"ticketId": "0123456789abcdef01234567", "templateId": "greeting"})]


@pytest.fixture
def desk(open_page, backend):
    """An employee's page holding one ticket they answered, and a newer unassigned one (one customer).

    The customer only sets the scene, so they call over plain HTTP: the desk is what runs in the page.
    """
    customer = unique("buyer")

    def open_ticket():
        answer = backend.post(TICKETS, json=TICKET, headers=auth(make_token(customer, "buyer")))
        assert answer.status_code == 201, answer.text
        return answer.json()["data"]["ticket"]["id"]

    employee = open_page("employee", name="Esha Employee")
    held = open_ticket()
    assert employee.api("POST", f"{TICKETS}/{held}/assign").status == 200
    assert employee.api("POST", f"{TICKETS}/{held}/messages", {"message": "On it."}).status == 201
    return SimpleNamespace(customer=customer, employee=employee, held=held, waiting=open_ticket())


def test_the_desk_lists_tickets_newest_first(desk):
    answer = desk.employee.api("GET", f"{DESK}/tickets?status=all&limit=50&skip=0")
    assert answer.status == 200
    tickets = answer.data["tickets"]
    assert {desk.held, desk.waiting} <= {t["id"] for t in tickets}
    assert [t["createdAt"] for t in tickets] == sorted((t["createdAt"] for t in tickets), reverse=True)


def test_active_conversations_are_my_tickets_and_the_unassigned_open_ones(desk, open_page):
    answer = desk.employee.api("GET", f"{DESK}/active-conversations")
    assert answer.status == 200
    assert {desk.held, desk.waiting} <= {c["id"] for c in answer.data["conversations"]}
    colleague = open_page("employee").api("GET", f"{DESK}/active-conversations")
    theirs = {c["id"] for c in colleague.data["conversations"]}
    assert desk.waiting in theirs and desk.held not in theirs


def test_a_quick_response_sends_the_greeting_template_as_my_message(desk):
    body = {"ticketId": desk.held, "templateId": "greeting"}
    answer = desk.employee.api("POST", f"{DESK}/quick-response", body)
    assert answer.status in (200, 201) and answer.body["success"] is True, answer.body
    messages = desk.employee.api("GET", f"{TICKETS}/{desk.held}").data["messages"]
    assert len(messages) == 3
    assert (messages[-1]["senderId"], messages[-1]["senderType"]) == (desk.employee.id, "employee")
    assert messages[-1]["message"].strip()


def test_an_unknown_quick_response_template_is_refused(desk):
    body = {"ticketId": desk.held, "templateId": "no-such"}
    answer = desk.employee.api("POST", f"{DESK}/quick-response", body)
    assert answer.status == 400 and answer.body["error"] == "Invalid template ID"


def test_user_history_is_that_customer_s_tickets_newest_first(desk):
    answer = desk.employee.api("GET", f"{DESK}/user-history/{desk.customer}")
    assert answer.status == 200
    assert [t["id"] for t in answer.data["tickets"]] == [desk.waiting, desk.held]


def test_stats_measure_my_response_time(desk):
    answer = desk.employee.api("GET", f"{DESK}/stats")
    assert answer.status == 200
    stats = answer.data["stats"]
    assert (stats["activeTickets"], stats["totalAssigned"]) == (1, 1)
    average = stats["averageResponseTime"]
    assert isinstance(average, (int, float)) and not isinstance(average, bool)
    assert 0 <= average < 60  # seconds, from the assignment a moment ago to the reply


def test_customers_may_not_use_the_desk(open_page):
    customer = open_page("buyer")
    for method, path, body in DESK_CALLS:
        answer = customer.api(method, DESK + path, body)
        assert answer.status == 403, (path, answer.body)
        assert answer.body["error"] == "Only employees can access this resource", path
