"""The desk's tools in real pages: an employee inserts a canned reply, writes a note no customer sees."""
from types import SimpleNamespace

import pytest

from tests.browser.pages import TICKET

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
TICKETS, DESK = "/api/v1/tickets", "/api/v1/employee"
NOTE = "Internal: refund flagged by the bank, do not promise a date"
# The composer: a textarea the canned reply is inserted into, sent as the page's ticket message.
INSERT_AND_SEND = """([content, ticketId]) => {
  const box = document.createElement("textarea");
  box.id = "composer";
  document.body.append(box);
  box.value = content;
  return gb.emit("main", "ticket_message", {ticketId, message: document.getElementById("composer").value});
}"""


@pytest.fixture
def desk(open_page):
    """An available employee holding the customer's new ticket, a colleague and the customer, following it."""
    employee, colleague = open_page("employee", name="Esha Employee"), open_page("employee", name="Colin")
    customer = open_page("buyer", name="Asha Buyer")
    employee.connected()
    assert employee.emit("join_employee_room")["success"] is True
    ticket = customer.api("POST", TICKETS, TICKET).data["ticket"]
    assert ticket["assignedTo"] == employee.id
    for page in (employee, colleague, customer):
        if page is not employee:
            page.connected()
        assert page.emit("join_ticket", {"ticketId": ticket["id"]})["success"] is True
    return SimpleNamespace(employee=employee, colleague=colleague, customer=customer, ticket=ticket)


def test_an_inserted_canned_reply_reaches_the_customer_with_its_placeholders_filled(desk):
    body = {"title": "Refund",
            "content": "Hi {{customer.name}}, {{employee.name}} is on ticket {{ticket.id}}."}
    made = desk.employee.api("POST", f"{DESK}/canned-replies", body)
    assert made.status == 201, made.body
    listed = desk.employee.api("GET", f"{DESK}/canned-replies").data["cannedReplies"]
    chosen = next(r for r in listed if r["id"] == made.data["cannedReply"]["id"])
    assert {"greeting", "closing"} <= {r["id"] for r in listed}  # the team set is there too
    ack = desk.employee.js(INSERT_AND_SEND, chosen["content"], desk.ticket["id"])
    assert ack["success"] is True, ack
    expected = f"Hi Asha Buyer, Esha Employee is on ticket {desk.ticket['id']}."
    assert [m["message"] for m in desk.customer.wait_for("ticket:message")] == [expected]
    quick = desk.employee.api("POST", f"{DESK}/quick-response",
                              {"ticketId": desk.ticket["id"], "templateId": chosen["id"]})
    assert quick.status == 201 and quick.data["message"]["message"] == expected


def test_a_note_reaches_staff_live_and_the_customer_by_no_path(desk):
    ack = desk.employee.emit("ticket_note", {"ticketId": desk.ticket["id"], "note": NOTE})
    assert ack["success"] is True, ack
    assert [n["note"] for n in desk.colleague.wait_for("ticket:note")] == [NOTE]
    written = desk.employee.api("POST", f"{TICKETS}/{desk.ticket['id']}/notes", {"note": NOTE + " (2)"})
    assert written.status == 201
    desk.colleague.wait_for("ticket:note", count=2)
    desk.customer.settle()  # everything sent to the customer's socket before this round trip has arrived
    heard = desk.customer.js("() => JSON.stringify(gb.sockets.main.events)")
    assert NOTE not in heard and "ticket:note" not in heard
    for path in (f"{TICKETS}/{desk.ticket['id']}", TICKETS):
        answer = desk.customer.api("GET", path)
        assert answer.status == 200 and NOTE not in str(answer.body)
    refused = desk.customer.api("GET", f"{TICKETS}/{desk.ticket['id']}/notes")
    assert (refused.status, refused.body["error"]) == (403, "Only employees can use internal notes")
    notes = desk.colleague.api("GET", f"{TICKETS}/{desk.ticket['id']}/notes").data["notes"]
    assert [n["note"] for n in notes] == [NOTE, NOTE + " (2)"]
