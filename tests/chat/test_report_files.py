"""A reported image or document stays evidence: the report records its file id, the file outlives
the sender's delete (hidden from the chat, bytes kept), and whoever may read the report ticket
(staff and the reporter, never the reported user) can download it, over REST and Socket.IO."""
from datetime import timedelta

import pytest

from gharbazaar.files import unsent
from gharbazaar.models import utcnow
from tests.support.files import pdf_bytes, png_bytes

API = "/api/v1/chat"


def send_file(client, who, conv_id, upload, data, name):
    stored = upload(who, conv_id, data, name).get_json()["data"]
    message = client.post(f"{API}/conversations/{conv_id}/messages", json={"fileUrl": stored["url"]},
                          headers=who.headers).get_json()["data"]["message"]
    return stored, message, "/" + stored["url"].split("/", 3)[3]


def report_message(client, sock, who, message_id, transport):
    body = {"reason": "scam_or_fraud", "details": "fake deed"}
    if transport == "rest":
        response = client.post(f"{API}/messages/{message_id}/report", json=body, headers=who.headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]["report"]
    ack = sock.emit("report_message", dict(body, messageId=message_id), callback=True)
    assert ack["success"] is True, ack
    return ack["data"]["report"]


def evidence_files(client, staff, ticket_id):
    seen = client.get(f"/api/v1/tickets/{ticket_id}", headers=staff.headers).get_json()["data"]
    return [m.get("fileId") for m in seen["evidence"][0]["messages"]]


def download(client, file_id, who):
    response = client.get(f"/api/v1/files/{file_id}", headers=who.headers)
    return response.status_code, response.data


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_a_reported_document_stays_readable_by_staff_and_the_reporter_after_its_delete(
        client, pair, start, person, upload, socket_client, transport):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    stored, message, link = send_file(client, buyer, conv_id, upload, pdf_bytes(), "deed.pdf")
    report = report_message(client, socket_client(seller.token), seller, message["id"], transport)
    staff, outsider = person("employee"), person()
    assert evidence_files(client, staff, report["ticketId"]) == [stored["fileId"]]
    assert download(client, stored["fileId"], staff) == (200, pdf_bytes()), "staff read it through the ticket"

    assert client.delete(f"{API}/messages/{message['id']}", headers=buyer.headers).status_code == 200
    assert client.get(link).status_code == 404, "gone from the chat: its link serves nobody"
    assert download(client, stored["fileId"], buyer)[0] == 404, "the reported user may not read the report"
    assert download(client, stored["fileId"], outsider)[0] == 404
    assert download(client, stored["fileId"], staff) == (200, pdf_bytes()), "the evidence keeps the bytes"
    assert download(client, stored["fileId"], seller) == (200, pdf_bytes()), "the reporter reads their ticket"


def test_a_reported_employees_image_is_kept_from_them_and_from_the_unsent_sweep(
        app, client, person, start, upload):
    customer, reported, colleague = person(), person("employee"), person("employee")
    conv_id = start(reported, customer)  # staff may chat like anyone else
    stored, message, _link = send_file(client, reported, conv_id, upload, png_bytes(), "proof.png")
    response = client.post(f"{API}/conversations/{conv_id}/report", json={"reason": "harassment"},
                           headers=customer.headers)
    ticket_id = response.get_json()["data"]["report"]["ticketId"]
    assert evidence_files(client, colleague, ticket_id) == [stored["fileId"]]
    assert client.delete(f"{API}/messages/{message['id']}", headers=reported.headers).status_code == 200
    with app.test_request_context():
        later = utcnow() + timedelta(seconds=app.config["UNSENT_FILE_TTL_S"] + 60)
        assert unsent.sweep(now=later) == 0, "no message shows it, but a report holds it"
    assert download(client, stored["fileId"], reported)[0] == 404, "staff, but the report is about them"
    assert download(client, stored["fileId"], colleague) == (200, png_bytes())
