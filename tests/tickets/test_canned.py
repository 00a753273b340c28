"""Canned replies: a team set out of the box, personal sets, placeholders checked on save, filled on send."""
import pytest

from gharbazaar.auth import Actor
from gharbazaar.tickets import canned
from tests.support import auth, make_token
from tests.support.sockets import drain as events

DESK = "/api/v1/employee"


@pytest.fixture
def app(make_app):
    return make_app(AUTO_ASSIGN=False)


@pytest.fixture
def call(client):
    """call(method, path, user, role='employee', body=None) on the desk."""
    def send(method, path, user, role="employee", body=None):
        return client.open(f"{DESK}{path}", method=method, headers=auth(make_token(user, role, name=user)),
                           json=body)
    return send


def data(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()["data"]


def refusal(response):
    body = response.get_json()
    return response.status_code, body["code"], body["error"]


def test_the_original_five_templates_are_the_team_set_out_of_the_box(call, people):
    replies = data(call("GET", "/canned-replies", people.emp1))["cannedReplies"]
    assert {r["id"]: r["content"] for r in replies} == canned.TEMPLATES
    assert {r["scope"] for r in replies} == {"team"}
    assert refusal(call("GET", "/canned-replies", people.customer, "buyer")) == (
        403, "forbidden", "Only employees can access this resource")


def test_employees_keep_personal_replies_and_only_admins_change_the_team_set(call, people):
    body = {"title": "Refund",
            "content": "Hi {{customer.name}}, ticket {{ticket.id}} is with {{employee.name}}."}
    mine = data(call("POST", "/canned-replies", people.emp1, body=body), 201)["cannedReply"]
    assert (mine["scope"], mine["ownerId"]) == ("personal", people.emp1)
    assert mine["id"] in {r["id"] for r in data(call("GET", "/canned-replies", people.emp1))["cannedReplies"]}
    theirs = data(call("GET", "/canned-replies", people.emp2))["cannedReplies"]
    assert mine["id"] not in {r["id"] for r in theirs}
    # Someone else's personal reply does not exist for them.
    assert refusal(call("PUT", f"/canned-replies/{mine['id']}", people.emp2, body={"title": "x"}))[0] == 404
    assert refusal(call("DELETE", f"/canned-replies/{mine['id']}", people.emp2))[0] == 404
    changed = data(call("PUT", f"/canned-replies/{mine['id']}", people.emp1, body={"title": "Refunds"}))
    assert changed["cannedReply"]["title"] == "Refunds"
    team = {"title": "Hours", "content": "We answer 9 to 6.", "scope": "team"}
    assert refusal(call("POST", "/canned-replies", people.emp1, body=team)) == (
        403, "forbidden", "Only admins can manage team canned replies")
    assert refusal(call("DELETE", "/canned-replies/greeting", people.emp1))[0] == 403
    made = data(call("POST", "/canned-replies", people.admin, "admin", body=team), 201)["cannedReply"]
    assert made["scope"] == "team" and made["ownerId"] is None
    deleted = data(call("DELETE", "/canned-replies/greeting", people.admin, "admin"))["cannedReply"]
    assert deleted["id"] == "greeting"
    shown = {r["id"] for r in data(call("GET", "/canned-replies", people.emp2))["cannedReplies"]}
    assert made["id"] in shown and "greeting" not in shown
    assert refusal(call("POST", "/canned-replies", people.customer, "buyer", body=body))[0] == 403


def test_a_deleted_out_of_the_box_reply_stays_deleted_for_a_new_process(call, make_app, people, db_name):
    data(call("DELETE", "/canned-replies/closing", people.admin, "admin"))
    other = make_app(AUTO_ASSIGN=False).test_client()  # a second app on the same database seeds again
    answer = other.get(f"{DESK}/canned-replies", headers=auth(make_token(people.emp1, "employee")))
    assert "closing" not in {r["id"] for r in answer.get_json()["data"]["cannedReplies"]}


@pytest.mark.parametrize("content, unknown", [("Hi {{customer.email}}", "customer.email"),
                                              ("{{ ticket.status }}", "ticket.status"), ("{{}}", "")])
def test_an_unknown_placeholder_is_refused_when_saving(call, people, content, unknown):
    answer = call("POST", "/canned-replies", people.emp1, body={"title": "t", "content": content})
    assert refusal(answer) == (400, "validation_error", f"Unknown placeholder {{{{{unknown}}}}}")
    change = call("PUT", "/canned-replies/greeting", people.admin, "admin", body={"content": content})
    assert refusal(change)[0] == 400


def test_quick_response_sends_a_canned_reply_with_its_placeholders_filled(
        call, rest, new_ticket, people, socket_client):
    body = {"title": "Ack", "content": "Dear {{customer.name}}, {{employee.name}} has ticket {{ticket.id}}."}
    reply = data(call("POST", "/canned-replies", people.emp1, body=body), 201)["cannedReply"]
    ticket = new_ticket(people.customer)
    rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee")
    customer = socket_client(make_token(people.customer, "buyer"))
    events(customer)
    use = {"ticketId": ticket["id"], "templateId": reply["id"]}
    sent = data(call("POST", "/quick-response", people.emp1, body=use), 201)["message"]
    expected = f"Dear {ticket['userName']}, {people.emp1} has ticket {ticket['id']}."
    assert sent["message"] == expected
    assert [p["message"] for _, p in events(customer, "ticket:message")] == [expected]
    # Another employee cannot send my personal reply.
    other = call("POST", "/quick-response", people.emp2, body=use)
    assert refusal(other) == (400, "validation_error", "Invalid template ID")


def test_a_canned_reply_inserted_by_hand_is_sent_filled_never_raw(call, rest, new_ticket, people):
    ticket = new_ticket(people.customer)
    rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee")
    answer = rest("POST", f"/{ticket['id']}/messages", people.emp1, "employee",
                  {"message": "Ticket {{ticket.id}} for {{customer.name}}"})
    sent = answer.get_json()["data"]["message"]["message"]
    assert sent == f"Ticket {ticket['id']} for {ticket['userName']}"
    # A customer's text is theirs: never rewritten.
    answer = rest("POST", f"/{ticket['id']}/messages", people.customer, "buyer", {"message": "{{ticket.id}}"})
    assert answer.get_json()["data"]["message"]["message"] == "{{ticket.id}}"


def test_placeholders_are_read_in_linear_time_whatever_the_text():
    # "{{" and a run of spaces with no closing braces: the old pattern tried every way of sharing
    # the spaces between its three parts (seconds of CPU at 3,000; this one would not finish).
    hostile = "{{" + " " * 20_000 + "x"
    canned.check_placeholders(hostile)
    ticket = {"_id": "t1", "userId": "cust", "userName": "Asha"}
    employee = Actor("emp", "employee")
    assert canned.fill(hostile, ticket, employee) == hostile
    assert canned.fill("Hi {{ customer.name }}, {{ticket.id}}", ticket, employee) == "Hi Asha, t1"
