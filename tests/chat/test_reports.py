"""Reports over REST and Socket.IO: a "Report" ticket with a snapshot of the reported messages that
staff see, later edits and deletions do not reach, the reported user never hears of, and whose
hash chain a recomputation here verifies (and catches tampering)."""
import hashlib
import json

import pytest

from gharbazaar import db
from gharbazaar.tickets import evidence
from tests.support.sockets import received

API = "/api/v1/chat"
PHONE = "call me on 9876543210"


def send(client, who, conv_id, content):
    response = client.post(f"{API}/conversations/{conv_id}/messages", json={"content": content},
                           headers=who.headers)
    return response.get_json()["data"]["message"]


def report(client, sock, who, transport, message_id=None, conv_id=None, reason="scam_or_fraud", details=""):
    body = {"reason": reason, "details": details}
    if transport == "rest":
        path = (f"{API}/messages/{message_id}/report" if message_id
                else f"{API}/conversations/{conv_id}/report")
        response = client.post(path, json=body, headers=who.headers)
        return response.status_code, response.get_json()
    event, ref = (("report_message", {"messageId": message_id}) if message_id
                  else ("report_conversation", {"conversationId": conv_id}))
    ack = sock.emit(event, dict(body, **ref), callback=True)
    return (201 if ack["success"] else None), ack


def ticket_as(client, who, ticket_id):
    response = client.get(f"/api/v1/tickets/{ticket_id}", headers=who.headers)
    return response.status_code, response.get_json()


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_a_reported_message_becomes_a_ticket_whose_evidence_only_staff_see(
        client, pair, start, person, socket_client, transport):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    message = send(client, buyer, conv_id, PHONE)
    ssock, bsock = socket_client(seller.token), socket_client(buyer.token)
    bsock.get_received()
    status, body = report(client, ssock, seller, transport, message_id=message["id"],
                          details="asked for money")
    assert status == 201 and body["success"] is True, body
    made = body["data"]["report"]
    assert made["messageIds"] == [message["id"]] and made["conversationId"] == conv_id
    staff = person("employee")
    status, seen = ticket_as(client, staff, made["ticketId"])
    assert status == 200 and seen["data"]["ticket"]["categoryTitle"] == "Report"
    [snapshot] = seen["data"]["evidence"]
    [kept] = snapshot["messages"]
    assert kept["content"] == PHONE, "staff see the original, not the masked form"
    assert (kept["senderId"], kept["messageId"], kept["createdAt"]) == (buyer.id, message["id"],
                                                                        message["createdAt"])
    assert snapshot["reportedUserId"] == buyer.id and snapshot["subject"]["details"] == "asked for money"
    status, own = ticket_as(client, seller, made["ticketId"])
    assert status == 200 and "evidence" not in own["data"], "the reporter sees the ticket, not the evidence"
    assert ticket_as(client, buyer, made["ticketId"])[0] == 403
    assert received(bsock) == [], "the reported user learns nothing"
    assert buyer.id not in json.dumps(client.get("/api/v1/tickets", headers=buyer.headers).get_json())


def test_evidence_outlives_the_senders_later_edit_and_delete(client, pair, start, person):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    first, second = send(client, buyer, conv_id, "pay booking fee first"), send(client, buyer, conv_id, PHONE)
    send(client, seller, conv_id, "why?")
    _, body = report(client, None, seller, "rest", conv_id=conv_id, reason="payment_request")
    client.put(f"{API}/messages/{first['id']}", json={"content": "nothing to see"}, headers=buyer.headers)
    client.delete(f"{API}/messages/{second['id']}", headers=buyer.headers)
    _, seen = ticket_as(client, person("admin"), body["data"]["report"]["ticketId"])
    contents = [m["content"] for m in seen["data"]["evidence"][0]["messages"]]
    assert contents == ["pay booking fee first", PHONE, "why?"]


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_reports_are_refused_for_outsiders_and_for_ones_own_message(
        client, pair, start, person, socket_client, transport):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    message = send(client, buyer, conv_id, "hello")
    outsider = person()
    sock = socket_client(outsider.token)
    _, body = report(client, sock, outsider, transport, message_id=message["id"])
    assert (body["error"], body["code"]) == ("Message not found", "not_found")
    _, body = report(client, sock, outsider, transport, conv_id=conv_id)
    assert (body["error"], body["code"]) == ("Not authorized for this conversation", "forbidden")
    _, body = report(client, socket_client(buyer.token), buyer, transport, message_id=message["id"])
    assert (body["error"], body["code"]) == ("You cannot report your own message", "validation_error")
    _, body = report(client, socket_client(seller.token), seller, transport, message_id=message["id"],
                     reason="because")
    assert body["code"] == "validation_error"


def recompute(snapshots):
    """Recompute the chain from scratch (independently of evidence.verify): the first bad seq or None."""
    previous = "0" * 64
    for position, snapshot in enumerate(snapshots, start=1):
        body = {key: snapshot[key] for key in ("seq", "prevHash", "ticketId", "takenAt", "reporterId",
                                               "reportedUserId", "subject", "messages")}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if (snapshot["seq"] != position or snapshot["prevHash"] != previous
                or hashlib.sha256(canonical.encode()).hexdigest() != snapshot["hash"]):
            return snapshot["seq"]
        previous = snapshot["hash"]
    return None


def test_the_evidence_hash_chain_recomputes_and_catches_tampering(app, client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    for text in ("token advance please", PHONE, "send OTP"):
        message = send(client, buyer, conv_id, text)
        assert report(client, None, seller, "rest", message_id=message["id"])[0] == 201
    store = db.get_db(app)[evidence.EVIDENCE]
    stored = list(store.find({}, projection={"_id": 0}).sort("seq", 1))
    assert [s["seq"] for s in stored] == [1, 2, 3] and recompute(stored) is None
    assert stored[1]["prevHash"] == stored[0]["hash"] and stored[2]["prevHash"] == stored[1]["hash"]
    with app.app_context():
        assert evidence.verify() == (3, None)
    store.update_one({"seq": 2}, {"$set": {"messages.0.content": "call me later"}})
    tampered = list(store.find({}, projection={"_id": 0}).sort("seq", 1))
    assert recompute(tampered) == 2
    with app.app_context():
        assert evidence.verify() == (2, 2)
    store.delete_one({"seq": 2})
    with app.app_context():
        assert evidence.verify()[1] == 3, "a removed snapshot breaks the link of the next one"


def test_a_report_about_an_employee_is_never_theirs_to_see_or_handle(client, person, start, socket_client):
    customer, reported, colleague, admin = person(), person("employee"), person("employee"), person("admin")
    conv_id = start(reported, customer)  # staff may chat like anyone else
    send(client, customer, conv_id, PHONE)
    desk = socket_client(reported.token)
    assert desk.emit("join_employee_room", None, callback=True)["success"] is True
    _, body = report(client, None, customer, "rest", conv_id=conv_id, reason="harassment")
    ticket_id = body["data"]["report"]["ticketId"]
    denied = {"success": False, "error": "Not authorized for this ticket", "code": "forbidden"}
    status, seen = ticket_as(client, reported, ticket_id)
    assert (status, seen) == (403, denied), "not even as staff: the evidence holds what chat masked"
    assert ticket_as(client, admin, ticket_id)[1]["data"]["ticket"]["assignedTo"] is None, \
        "the only employee available is the one reported: it waits"
    for path in ("/api/v1/tickets/employee/all?status=all", "/api/v1/employee/tickets?status=all",
                 "/api/v1/employee/active-conversations", f"/api/v1/employee/user-history/{customer.id}"):
        listed = client.get(path, headers=reported.headers).get_json()
        assert ticket_id not in json.dumps(listed), path
        assert ticket_id in json.dumps(client.get(path, headers=admin.headers).get_json()), path
    ack = desk.emit("assign_ticket", {"ticketId": ticket_id}, callback=True)
    assert (ack["code"], ack["error"]) == ("forbidden", "Not authorized for this ticket")
    by_admin = client.post(f"/api/v1/tickets/{ticket_id}/assign", json={"employeeId": reported.id},
                           headers=admin.headers)
    assert by_admin.status_code == 403
    assert by_admin.get_json()["error"] == "This report is about that employee. Assign it to someone else."
    other = socket_client(colleague.token)
    assert other.emit("join_employee_room", None, callback=True)["success"] is True
    assert ticket_as(client, admin, ticket_id)[1]["data"]["ticket"]["assignedTo"] == colleague.id
