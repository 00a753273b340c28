"""REST /api/v1/tickets: every endpoint, its roles and its error texts (nobody available: no auto-assign)."""
import io

import pytest

from tests.support import auth, make_token
from tests.support.tickets import TICKET

TICKET_KEYS = {"id", "_id", "userId", "userRole", "userName", "userEmail", "categoryId", "categoryTitle",
               "subCategoryId", "subCategoryTitle", "problem", "status", "assignedTo", "assignedToName",
               "history", "feedback", "createdAt", "updatedAt", "closedAt", "sla"}
MESSAGE_KEYS = {"id", "_id", "ticketId", "senderId", "senderType", "senderName", "message", "fileUrl",
                "fileName", "timestamp"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def error(response):
    body = response.get_json()
    return response.status_code, body["code"], body["error"]


@pytest.fixture
def assigned(rest, new_ticket, people):
    """A ticket of the customer's, taken by emp1."""
    ticket = new_ticket(people.customer)
    response = rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee")
    assert response.status_code == 200
    return response.get_json()["data"]["ticket"]


def test_a_customer_opens_a_ticket_whose_problem_is_the_first_message(rest, people):
    response = rest("POST", "", people.customer, body={**TICKET, "categoryId": "c-1"})
    assert response.status_code == 201
    ticket = response.get_json()["data"]["ticket"]
    assert set(ticket) == TICKET_KEYS and ticket["id"] == ticket["_id"]
    assert (ticket["status"], ticket["userId"], ticket["userRole"]) == ("open", people.customer, "buyer")
    assert ticket["userEmail"] == f"{people.customer}@example.com" and ticket["categoryId"] == "c-1"
    assert ticket["createdAt"].endswith("Z") and ticket["assignedTo"] is None and ticket["feedback"] is None
    assert ticket["history"] == [{"status": "open", "by": people.customer, "at": ticket["createdAt"],
                                  "reason": "created"}]
    body = rest("GET", f"/{ticket['id']}", people.customer).get_json()
    (first,) = body["data"]["messages"]
    assert body["messages"] == body["data"]["messages"] and set(first) == MESSAGE_KEYS
    assert (first["message"], first["senderType"], first["ticketId"]) == (TICKET["problem"], "customer",
                                                                          ticket["id"])


@pytest.mark.parametrize("role", ["employee", "admin"])
def test_staff_cannot_open_tickets(rest, role):
    answer = rest("POST", "", "e1", role, TICKET)
    assert error(answer) == (403, "forbidden", "Employees cannot create support tickets")


@pytest.mark.parametrize("body", [
    {**TICKET, "problem": ""}, {**TICKET, "problem": "   "}, {**TICKET, "problem": "x" * 5001},
    {k: v for k, v in TICKET.items() if k != "categoryTitle"}, {**TICKET, "problem": {"$ne": None}},
])
def test_bad_ticket_bodies_are_refused(rest, body):
    assert rest("POST", "", "c1", body=body).status_code == 400


def test_a_problem_of_5000_characters_is_accepted(rest):
    assert rest("POST", "", "c1", body={**TICKET, "problem": "x" * 5000}).status_code == 201


def test_outsiders_cannot_read_a_ticket_and_unknown_ids_are_not_found(rest, new_ticket, people):
    ticket = new_ticket(people.customer)
    answer = rest("GET", f"/{ticket['id']}", people.other)
    assert error(answer) == (403, "forbidden", "Not authorized for this ticket")
    for bad in ("nope", "0" * 24):
        assert error(rest("GET", f"/{bad}", people.customer)) == (404, "not_found", "Ticket not found")
    assert rest("GET", f"/{ticket['id']}", people.emp2, "employee").status_code == 200


def test_an_assignee_no_longer_staff_is_an_outsider_to_the_ticket_they_still_hold(rest, assigned, people):
    """Access follows the token's role: an employee moved off the desk (a buyer token, the same id)."""
    path, denied = f"/{assigned['id']}", (403, "forbidden", "Not authorized for this ticket")
    assert error(rest("GET", path, people.emp1)) == denied
    assert error(rest("POST", f"{path}/messages", people.emp1, body={"message": "still here"})) == denied
    upload = rest("POST", f"{path}/upload", people.emp1, data={"file": (io.BytesIO(PNG), "a.png")},
                  content_type="multipart/form-data")
    assert error(upload) == denied
    assert rest("GET", path, people.emp1, "employee").status_code == 200, "as staff again, it is theirs"


def test_customers_list_only_their_own_tickets_newest_first_with_a_cursor(rest, new_ticket, people):
    mine = [new_ticket(people.customer)["id"] for _ in range(3)]
    new_ticket(people.other, "seller")
    first = rest("GET", "?limit=2", people.customer).get_json()["data"]
    assert [t["id"] for t in first["tickets"]] == mine[::-1][:2]
    assert first["hasMore"] is True and first["nextBefore"] == mine[1]
    rest_page = rest("GET", f"?limit=2&before={first['nextBefore']}", people.customer).get_json()["data"]
    assert [t["id"] for t in rest_page["tickets"]] == [mine[0]] and rest_page["hasMore"] is False
    assert rest("GET", "?status=closed", people.customer).get_json()["data"]["tickets"] == []
    assert rest("GET", "?before=2024-01-01", people.customer).status_code == 400
    assert rest("GET", "?status=weird", people.customer).status_code == 400


def test_staff_list_every_ticket_filtered_and_top_level(rest, new_ticket, assigned, people):
    other = new_ticket(people.other, "seller")
    body = rest("GET", "/employee/all", people.emp2, "employee").get_json()
    ids = [t["id"] for t in body["data"]["tickets"]]
    assert ids == [other["id"], assigned["id"]] and body["tickets"] == body["data"]["tickets"]
    mine = rest("GET", "/employee/all?assignedTo=me", people.emp1, "employee").get_json()["tickets"]
    assert [t["id"] for t in mine] == [assigned["id"]]
    waiting = rest("GET", "/employee/all?status=open", people.emp1, "employee").get_json()["tickets"]
    assert [t["id"] for t in waiting] == [other["id"]]
    assert error(rest("GET", "/employee/all", people.customer)) == (403, "forbidden",
                                                                    "Only employees can view all tickets")


def test_an_employee_takes_a_ticket_and_a_second_one_gets_a_409(rest, assigned, people):
    assert (assigned["status"], assigned["assignedTo"], assigned["assignedToName"]) == (
        "assigned", people.emp1, people.emp1)
    assert assigned["history"][-1]["status"] == "assigned" and assigned["history"][-1]["by"] == people.emp1
    late = rest("POST", f"/{assigned['id']}/assign", people.emp2, "employee")
    assert error(late) == (409, "invalid_transition", "Ticket is already assigned")


def test_only_staff_assign_and_only_admins_assign_to_others(rest, new_ticket, people):
    ticket = new_ticket(people.customer)
    assert error(rest("POST", f"/{ticket['id']}/assign", people.customer)) == (
        403, "forbidden", "Only employees can assign tickets")
    for_other = rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee", {"employeeId": people.emp2})
    assert error(for_other) == (403, "forbidden", "Only admins can assign tickets to other employees")
    assert rest("POST", f"/{ticket['id']}/assign", people.admin, "admin",
                {"employeeId": people.customer}).status_code == 400


def test_an_admin_assigns_and_reassigns_to_known_employees(rest, new_ticket, people):
    for emp in (people.emp1, people.emp2):
        rest("GET", "/employee/all", emp, "employee")  # the backend learns them
    ticket = new_ticket(people.customer)
    first = rest("POST", f"/{ticket['id']}/assign", people.admin, "admin", {"employeeId": people.emp1})
    assert first.get_json()["data"]["ticket"]["assignedTo"] == people.emp1
    second = rest("POST", f"/{ticket['id']}/assign", people.admin, "admin", {"employeeId": people.emp2})
    ticket = second.get_json()["data"]["ticket"]
    assert (ticket["status"], ticket["assignedTo"]) == ("assigned", people.emp2)
    assert [h["status"] for h in ticket["history"]] == ["open", "assigned", "assigned"]
    # To the employee who already holds it: a no-op answered with the ticket, no new history.
    again = rest("POST", f"/{ticket['id']}/assign", people.admin, "admin", {"employeeId": people.emp2})
    assert again.status_code == 200 and again.get_json()["data"]["ticket"] == ticket


def test_replies_move_the_ticket_and_closed_is_final(rest, assigned, people, online):
    path = f"/{assigned['id']}"
    online(people.emp1)  # available: the customer's reopening goes back to emp1
    reply = rest("POST", f"{path}/messages", people.emp2, "employee", {"message": "Looking into it"})
    assert reply.status_code == 201
    message = reply.get_json()["data"]["message"]
    assert set(message) == MESSAGE_KEYS and message["senderType"] == "employee"
    assert rest("GET", path, people.customer).get_json()["data"]["ticket"]["status"] == "in_progress"
    body = {"status": "resolved", "reason": "refunded"}
    resolved = rest("PUT", f"{path}/status", people.emp1, "employee", body)
    assert resolved.get_json()["data"]["ticket"]["history"][-1]["reason"] == "refunded"
    again = rest("POST", f"{path}/messages", people.customer, body={"message": "Still missing"})
    assert again.status_code == 201
    ticket = rest("GET", path, people.customer).get_json()["data"]["ticket"]
    assert ticket["status"] == "in_progress" and ticket["history"][-1]["by"] == people.customer
    closed = rest("PUT", f"{path}/close", people.emp1, "employee").get_json()["data"]["ticket"]
    assert closed["status"] == "closed" and closed["closedAt"].endswith("Z")
    assert error(rest("POST", f"{path}/messages", people.customer, body={"message": "hello?"})) == (
        409, "conflict", "Ticket is closed")
    assert error(rest("PUT", f"{path}/close", people.emp1, "employee")) == (
        409, "invalid_transition", "Ticket is closed")


@pytest.mark.parametrize("body", [{"message": ""}, {"message": " "}, {"message": "x" * 3001}, {}])
def test_bad_messages_are_refused(rest, assigned, people, body):
    assert rest("POST", f"/{assigned['id']}/messages", people.customer, body=body).status_code == 400


def test_outsiders_cannot_write_and_messages_are_rate_limited(make_app, people):
    client = make_app(RATE_LIMIT_MESSAGES="2 per minute").test_client()
    headers = auth(make_token(people.customer))
    ticket = client.post("/api/v1/tickets", json=TICKET, headers=headers).get_json()["data"]["ticket"]
    path = f"/api/v1/tickets/{ticket['id']}/messages"
    outsider = client.post(path, json={"message": "hi"}, headers=auth(make_token(people.other)))
    assert error(outsider) == (403, "forbidden", "Not authorized for this ticket")
    assert client.post(path, json={"message": "one"}, headers=headers).status_code == 201
    limited = client.post(path, json={"message": "two"}, headers=headers)
    assert limited.status_code == 429 and limited.headers["Retry-After"]


def test_only_the_assignee_or_an_admin_changes_status_or_closes(rest, assigned, people):
    path = f"/{assigned['id']}"
    assert error(rest("PUT", f"{path}/status", people.emp2, "employee", {"status": "in_progress"})) == (
        403, "forbidden", "Only assigned employee can change ticket status")
    for user, role in ((people.emp2, "employee"), (people.customer, "buyer")):
        assert error(rest("PUT", f"{path}/close", user, role)) == (
            403, "forbidden", "Only assigned employee can close this ticket")
    assert error(rest("PUT", f"{path}/status", people.emp1, "employee", {"status": "resolved"})) == (
        409, "invalid_transition", "Cannot change ticket status from assigned to resolved")
    assert rest("PUT", f"{path}/status", people.emp1, "employee", {"status": "bogus"}).status_code == 400
    started = rest("PUT", f"{path}/status", people.admin, "admin", {"status": "in_progress"})
    assert started.get_json()["data"]["ticket"]["status"] == "in_progress"


def test_an_admin_closes_an_open_ticket(rest, new_ticket, people):
    ticket = new_ticket(people.customer)
    closed = rest("PUT", f"/{ticket['id']}/close", people.admin, "admin").get_json()["data"]["ticket"]
    assert closed["status"] == "closed" and closed["history"][-1]["by"] == people.admin


def test_feedback_is_the_owners_once_after_resolution(rest, assigned, people):
    path = f"/{assigned['id']}"
    assert error(rest("POST", f"{path}/feedback", people.customer, body={"rating": 5})) == (
        409, "conflict", "Feedback can be given only after the ticket is resolved")
    rest("PUT", f"{path}/close", people.emp1, "employee")
    assert error(rest("POST", f"{path}/feedback", people.emp1, "employee", {"rating": 5})) == (
        403, "forbidden", "Only the ticket owner can give feedback")
    for bad in (0, 6, "5", True, 4.5, None):
        assert rest("POST", f"{path}/feedback", people.customer, body={"rating": bad}).status_code == 400
    given = rest("POST", f"{path}/feedback", people.customer, body={"rating": 4, "remarks": "Quick"})
    feedback = given.get_json()["data"]["ticket"]["feedback"]
    assert (feedback["rating"], feedback["remarks"]) == (4, "Quick") and feedback["submittedAt"].endswith("Z")
    assert error(rest("POST", f"{path}/feedback", people.customer, body={"rating": 1})) == (
        409, "conflict", "Feedback already submitted")


@pytest.mark.parametrize("route", ["upload", "files"])
def test_ticket_files_are_uploaded_attached_and_guarded(client, rest, assigned, new_ticket, people, route):
    def upload(user, role="buyer", ticket_id=assigned["id"]):
        return rest("POST", f"/{ticket_id}/{route}", user, role,
                    data={"file": (io.BytesIO(PNG), "receipt.png")}, content_type="multipart/form-data")
    answer = upload(people.customer)
    assert answer.status_code == 201
    stored = answer.get_json()["data"]
    assert set(stored) == {"url", "fileId", "fileName", "fileType"}
    assert (stored["fileName"], stored["fileType"]) == ("receipt.png", "image")
    assert upload(people.emp2, "employee").status_code == 201
    assert error(upload(people.other)) == (403, "forbidden", "Not authorized for this ticket")
    sent = rest("POST", f"/{assigned['id']}/messages", people.customer, body={"fileUrl": stored["url"]})
    message = sent.get_json()["data"]["message"]
    assert message["fileName"] == "receipt.png" and stored["fileId"] in message["fileUrl"]
    assert client.get(message["fileUrl"]).data == PNG
    raw = f"/api/v1/files/{stored['fileId']}"
    assert client.get(raw, headers=auth(make_token(people.customer))).status_code == 200
    assert client.get(raw, headers=auth(make_token(people.other))).status_code == 404
    elsewhere = new_ticket(people.customer)["id"]
    wrong = rest("POST", f"/{elsewhere}/messages", people.customer, body={"fileUrl": stored["url"]})
    assert error(wrong) == (400, "validation_error", "File not found for this ticket")


def test_a_closed_ticket_takes_no_more_files(rest, assigned, people):
    rest("PUT", f"/{assigned['id']}/close", people.emp1, "employee")
    refused = rest("POST", f"/{assigned['id']}/upload", people.customer,
                   data={"file": (io.BytesIO(PNG), "a.png")}, content_type="multipart/form-data")
    assert error(refused) == (409, "conflict", "Ticket is closed")


def test_every_ticket_route_needs_a_token(client):
    for method, path in (("GET", ""), ("POST", ""), ("GET", "/employee/all"), ("PUT", f"/{'0' * 24}/close")):
        answer = client.open(f"/api/v1/tickets{path}", method=method)
        assert error(answer) == (401, "unauthorized", "No token provided. Please login.")


def test_the_collection_answers_with_and_without_a_trailing_slash(rest, people):
    assert rest("POST", "/", people.customer, body=TICKET).status_code == 201
    assert len(rest("GET", "", people.customer).get_json()["data"]["tickets"]) == 1


def test_uploads_need_a_file_of_an_allowed_kind(rest, assigned, people):
    path = f"/{assigned['id']}/upload"
    assert rest("POST", path, people.customer, data={}, content_type="multipart/form-data").status_code == 400
    script = rest("POST", path, people.customer, data={"file": (io.BytesIO(b"MZ\x90\x00\x03"), "x.exe")},
                  content_type="multipart/form-data")
    assert error(script) == (415, "unsupported_media_type",
                             "Invalid file type. Only images and documents are allowed.")


@pytest.mark.parametrize("method, path, body, text", [
    ("GET", "/employee/all?status=bogus&limit=abc", None, "Only employees can view all tickets"),
    ("POST", "/{id}/assign", {"employeeId": {"$ne": None}}, "Only employees can assign tickets"),
    ("POST", "/{id}/assign", {"employeeId": 7, "extra": "x" * 5000}, "Only employees can assign tickets"),
    ("GET", "/{id}/notes", None, "Only employees can use internal notes"),
    ("POST", "/{id}/notes", {"note": ""}, "Only employees can use internal notes"),
    ("POST", "/{id}/notes", ["not", "an", "object"], "Only employees can use internal notes")])
def test_staff_only_routes_refuse_customers_before_reading_their_input(rest, new_ticket, people, method, path,
                                                                       body, text):
    ticket = new_ticket(people.customer)
    refused = rest(method, path.format(id=ticket["id"]), people.customer, "buyer", body)
    assert error(refused) == (403, "forbidden", text)


def test_a_ticket_message_shows_the_stored_file_name_never_the_clients(rest, new_ticket, people, client):
    ticket = new_ticket(people.customer)
    stored = client.post(f"/api/v1/tickets/{ticket['id']}/upload", headers=auth(make_token(people.customer)),
                         data={"file": (io.BytesIO(PNG), "receipt.png")},
                         content_type="multipart/form-data").get_json()["data"]
    typed = "Refund.exe\u202efdp.<img src=x onerror=alert(1)>"
    body = {"message": "see", "fileUrl": stored["url"], "fileName": typed}
    sent = rest("POST", f"/{ticket['id']}/messages", people.customer, body=body)
    assert sent.status_code == 201 and sent.get_json()["data"]["message"]["fileName"] == "receipt.png"
