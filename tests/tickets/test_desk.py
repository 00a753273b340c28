"""The employee desk (/api/v1/employee): the original backend's staff routes, measured figures."""
from datetime import timedelta

import pytest
from bson import ObjectId

from gharbazaar import db
from gharbazaar.models import utcnow
from gharbazaar.tickets import canned, desk
from tests.support import auth, make_token
from tests.support.sockets import drain as events

DESK = "/api/v1/employee"


@pytest.fixture
def app(make_app):
    """Manual assignment: each test decides who holds which ticket."""
    return make_app(AUTO_ASSIGN=False)


@pytest.fixture
def call(client):
    """call(method, path, user, role='employee', body=None): call the desk as that user."""
    def send(method, path, user, role="employee", body=None):
        return client.open(f"{DESK}{path}", method=method, headers=auth(make_token(user, role)), json=body)
    return send


def data(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()["data"]


def quick(call, user, ticket_id, template):
    """Send a quick response as user."""
    return call("POST", "/quick-response", user, body={"ticketId": ticket_id, "templateId": template})


def ids(tickets):
    return [t["id"] for t in tickets]


@pytest.mark.parametrize("path", ["/tickets", "/active-conversations", "/user-history/someone", "/stats"])
def test_customers_are_refused_with_the_contract_text(call, people, path):
    refused = call("GET", path, people.customer, "buyer")
    assert refused.status_code == 403
    assert refused.get_json() == {"success": False, "error": "Only employees can access this resource",
                                  "code": "forbidden"}


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/tickets?limit=abc&status=bogus", None), ("GET", "/stats?x[$ne]=1", None),
    ("POST", "/quick-response", {}), ("POST", "/quick-response", {"ticketId": {"$ne": 1}}),
    ("POST", "/canned-replies", {"title": ""}), ("PUT", "/canned-replies/x", {"scope": 7}),
    ("DELETE", "/canned-replies/x", None)])
def test_customers_are_refused_before_their_input_is_read(call, people, method, path, body):
    refused = call(method, path, people.customer, "buyer", body=body)
    assert (refused.status_code, refused.get_json()) == (403, {
        "success": False, "error": "Only employees can access this resource", "code": "forbidden"})


def test_the_ticket_list_filters_by_status_newest_first_with_skip_or_a_cursor(call, new_ticket, rest, people):
    made = [new_ticket(people.customer)["id"] for _ in range(3)]
    rest("POST", f"/{made[1]}/assign", people.emp1, "employee")
    newest_first = list(reversed(made))
    listed = ids(data(call("GET", "/tickets?status=all&limit=100", people.emp1))["tickets"])
    assert [t for t in listed if t in made] == newest_first
    assigned = data(call("GET", "/tickets?status=assigned&limit=100", people.emp1))["tickets"]
    assert ids(assigned).count(made[1]) == 1
    assert made[1] not in ids(data(call("GET", "/tickets?status=open&limit=100", people.emp1))["tickets"])
    first = data(call("GET", "/tickets?limit=1", people.emp1))
    skipped = data(call("GET", "/tickets?limit=1&skip=1", people.emp1))
    after = data(call("GET", f"/tickets?limit=1&before={first['tickets'][0]['id']}", people.emp1))
    assert first["hasMore"] is True and skipped["tickets"] == after["tickets"] != first["tickets"]
    for bad in ("skip=-1", "skip=x", "limit=0", "status=lost", "before=nope"):
        assert call("GET", f"/tickets?{bad}", people.emp1).status_code == 400, bad


def test_active_conversations_are_my_open_work_and_the_waiting_tickets(call, new_ticket, rest, people, app):
    mine, resolved, closed, others, waiting = (new_ticket(people.customer)["id"] for _ in range(5))
    for ticket_id in (mine, resolved, closed):
        rest("POST", f"/{ticket_id}/assign", people.emp1, "employee")
    rest("POST", f"/{others}/assign", people.emp2, "employee")
    rest("PUT", f"/{resolved}/status", people.emp1, "employee", {"status": "in_progress"})
    rest("PUT", f"/{resolved}/status", people.emp1, "employee", {"status": "resolved"})
    rest("PUT", f"/{closed}/close", people.emp1, "employee")
    with app.app_context():  # the oldest activity last, whatever the clock did between writes
        for age, ticket_id in enumerate((waiting, mine, resolved)):
            db.get_db().tickets.update_one({"_id": ObjectId(ticket_id)},
                                           {"$set": {"updatedAt": utcnow() + timedelta(minutes=10 - age)}})
    shown = ids(data(call("GET", "/active-conversations", people.emp1))["conversations"])
    assert [t for t in shown if t in (mine, resolved, closed, others, waiting)] == [waiting, mine, resolved]
    assert len(shown) <= desk.ACTIVE_SIZE


def test_the_five_original_quick_responses_are_sent_as_my_message(
        call, new_ticket, rest, people, socket_client):
    ticket = new_ticket(people.customer)
    rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee")
    owner = socket_client(make_token(people.customer, "buyer"))
    events(owner)
    for template in ("greeting", "investigating", "resolved", "followup", "closing"):
        answer = quick(call, people.emp1, ticket["id"], template)
        sent = data(answer, 201)["message"]
        assert answer.get_json()["message"] == "Quick response sent"
        assert (sent["message"], sent["senderId"], sent["senderType"]) == (
            canned.TEMPLATES[template], people.emp1, "employee")
        assert ("ticket:message", dict(sent, role="agent")) in events(owner)
    refused = quick(call, people.emp1, ticket["id"], "bribe")
    assert (refused.status_code, refused.get_json()["error"]) == (400, "Invalid template ID")
    history = data(rest("GET", f"/{ticket['id']}", people.customer))["messages"]
    assert [m["message"] for m in history[1:]] == list(canned.TEMPLATES.values())


def test_a_quick_response_obeys_the_ticket_rules(call, new_ticket, rest, people):
    ticket = new_ticket(people.customer)
    rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee")
    rest("PUT", f"/{ticket['id']}/close", people.emp1, "employee")
    closed = quick(call, people.emp1, ticket["id"], "greeting")
    assert (closed.status_code, closed.get_json()["error"]) == (409, "Ticket is closed")
    missing = quick(call, people.emp1, "f" * 24, "greeting")
    assert missing.status_code == 404


def test_user_history_is_the_customers_last_twenty_newest_first(call, new_ticket, people):
    made = [new_ticket(people.customer)["id"] for _ in range(22)]
    new_ticket(people.other)
    shown = ids(data(call("GET", f"/user-history/{people.customer}", people.emp1))["tickets"])
    assert shown == list(reversed(made))[:20]


def test_stats_measure_the_response_time_from_assignment_to_my_first_reply(
        call, new_ticket, rest, people, app):
    assert data(call("GET", "/stats", people.emp1))["stats"] == {
        "activeTickets": 0, "firstResponseAverage": 0, "resolutionAverage": 0, "slaBreaches": 0,
        "resolvedToday": 0, "averageResponseTime": 0, "responsesMeasured": 0, "totalAssigned": 0}
    answered = []
    for waited in (120, 60):
        ticket_id = new_ticket(people.customer)["id"]
        rest("POST", f"/{ticket_id}/assign", people.emp1, "employee")
        with app.app_context():  # the test sets when the assignment happened
            db.get_db().tickets.update_one({"_id": ObjectId(ticket_id)},
                                           {"$set": {"assignedAt": utcnow() - timedelta(seconds=waited)}})
        rest("POST", f"/{ticket_id}/messages", people.customer, "buyer", {"message": "hello?"})
        rest("POST", f"/{ticket_id}/messages", people.emp1, "employee", {"message": "first reply"})
        rest("POST", f"/{ticket_id}/messages", people.emp1, "employee", {"message": "a later reply"})
        answered.append(ticket_id)
    rest("PUT", f"/{answered[0]}/status", people.emp1, "employee", {"status": "resolved"})
    new_ticket(people.customer)  # waiting: nobody's
    stats = data(call("GET", "/stats", people.emp1))["stats"]
    assert stats["responsesMeasured"] == 2 and 89 <= stats["averageResponseTime"] <= 92
    assert (stats["activeTickets"], stats["resolvedToday"], stats["totalAssigned"]) == (1, 1, 2)
    assert data(call("GET", "/stats", people.emp2))["stats"]["totalAssigned"] == 0


def test_a_reassigned_ticket_is_timed_from_its_new_assignees_first_reply(call, new_ticket, rest, people):
    ticket_id = new_ticket(people.customer)["id"]
    rest("GET", "/employee/all", people.emp2, "employee")  # the backend learns employee 2
    rest("POST", f"/{ticket_id}/assign", people.admin, "admin", {"employeeId": people.emp1})
    rest("POST", f"/{ticket_id}/assign", people.admin, "admin", {"employeeId": people.emp2})
    rest("POST", f"/{ticket_id}/messages", people.emp1, "employee", {"message": "not mine any more"})
    assert data(call("GET", "/stats", people.emp2))["stats"]["responsesMeasured"] == 0
    rest("POST", f"/{ticket_id}/messages", people.emp2, "employee", {"message": "mine"})
    assert data(call("GET", "/stats", people.emp2))["stats"]["responsesMeasured"] == 1
    assert data(call("GET", "/stats", people.emp1))["stats"]["totalAssigned"] == 0
