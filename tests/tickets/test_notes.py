"""Internal notes: staff write and read them, staff following the ticket see them live, customers never."""
import pytest

from tests.support import auth, make_token
from tests.support.sockets import drain as events

NOTE = "Customer is on the fraud watch list: verify ID first"
DENIED = (403, "forbidden", "Only employees can use internal notes")


@pytest.fixture
def app(make_app):
    return make_app(AUTO_ASSIGN=False)


def refusal(response):
    body = response.get_json()
    return response.status_code, body["code"], body["error"]


@pytest.fixture
def ticket(rest, new_ticket, people):
    made = new_ticket(people.customer)
    assert rest("POST", f"/{made['id']}/assign", people.emp1, "employee").status_code == 200
    return made


def follow(socket_client, user, role, ticket_id):
    sock = socket_client(make_token(user, role))
    assert sock.emit("join_ticket", {"ticketId": ticket_id}, callback=True)["success"] is True
    events(sock)
    return sock


def test_staff_write_and_read_notes_over_rest_and_customers_are_refused(rest, ticket, people):
    path = f"/{ticket['id']}/notes"
    made = rest("POST", path, people.emp2, "employee", {"note": NOTE})
    assert made.status_code == 201
    note = made.get_json()["data"]["note"]
    assert (note["note"], note["authorId"], note["ticketId"]) == (NOTE, people.emp2, ticket["id"])
    listed = rest("GET", path, people.admin, "admin").get_json()["data"]["notes"]
    assert [n["id"] for n in listed] == [note["id"]]
    assert refusal(rest("GET", path, people.customer)) == DENIED
    assert refusal(rest("POST", path, people.customer, "buyer", {"note": "mine"})) == DENIED
    assert refusal(rest("POST", path, people.emp1, "employee", {"note": ""}))[0] == 400
    assert rest("GET", f"/{'f' * 24}/notes", people.emp1, "employee").status_code == 404


def test_a_note_reaches_staff_following_the_ticket_live_and_no_customer_socket(
        socket_client, rest, ticket, people):
    staff = follow(socket_client, people.emp2, "employee", ticket["id"])
    owner_room = follow(socket_client, people.customer, "buyer", ticket["id"])
    owner_tab = socket_client(make_token(people.customer, "buyer"))  # only in its user: room
    assignee_tab = socket_client(make_token(people.emp1, "employee"))
    events(owner_tab), events(assignee_tab)
    ack = staff.emit("ticket_note", {"ticketId": ticket["id"], "note": NOTE}, callback=True)
    assert ack["success"] is True and ack["data"]["note"]["note"] == NOTE
    rest("POST", f"/{ticket['id']}/notes", people.emp1, "employee", {"note": NOTE + " (2)"})
    assert [p["note"] for _, p in events(staff, "ticket:note")] == [NOTE, NOTE + " (2)"]
    for sock in (owner_room, owner_tab):
        assert all(NOTE not in repr(payload) for _, payload in events(sock))
    refused = owner_room.emit("ticket_note", {"ticketId": ticket["id"], "note": "hi"}, callback=True)
    assert (refused["success"], refused["code"], refused["error"]) == (False, "forbidden", DENIED[2])


def test_a_note_is_in_no_answer_the_customer_can_get(rest, ticket, people, client):
    rest("POST", f"/{ticket['id']}/notes", people.emp1, "employee", {"note": NOTE})
    headers = auth(make_token(people.customer, "buyer"))
    answers = [rest("GET", f"/{ticket['id']}", people.customer), rest("GET", "", people.customer),
               client.post("/api/v1/sync", json={"since": "2000-01-01T00:00:00.000Z"}, headers=headers)]
    for answer in answers:
        assert answer.status_code == 200, answer.get_json()
        assert NOTE not in answer.get_data(as_text=True)
    assert ticket["id"] in answers[2].get_data(as_text=True)  # resync did carry the ticket
    # Staff's own view of the ticket keeps notes apart from messages too.
    assert NOTE not in rest("GET", f"/{ticket['id']}", people.emp1, "employee").get_data(as_text=True)
