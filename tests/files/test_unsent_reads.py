"""An upload is its uploader's until a message carries it: the other side reads it only once sent
(ticket staff excepted: the support widget sends no message with its uploads). Signed links work."""
import io
from urllib.parse import urlsplit

from tests.support import unique
from tests.support.files import pdf_bytes, png_bytes
from tests.support.people import new_person
from tests.support.tickets import TICKET


def ok(answer, status=201):
    assert answer.status_code == status, answer.get_json()
    return answer.get_json()["data"]


def post_file(client, who, path, data, **form):
    return ok(client.post(path, headers=who.headers, content_type="multipart/form-data",
                          data={**form, "file": (io.BytesIO(data), "a.png")}))


def read(client, stored, who=None):
    """Return the status of a stored file: by its signed link alone, or with who's token alone."""
    parts = urlsplit(stored["url"])
    if who is None:
        return client.get(f"{parts.path}?{parts.query}").status_code
    return client.get(parts.path, headers=who.headers).status_code


def test_the_other_participant_reads_a_chat_upload_only_once_a_message_carries_it(client):
    buyer, seller = new_person("buyer"), new_person("seller")
    body = {"otherUserId": seller.id, "propertyId": unique("prop")}
    created = ok(client.post("/api/v1/chat/conversations", json=body, headers=buyer.headers))
    conv_id = created["conversation"]["id"]
    stored = post_file(client, buyer, "/api/v1/chat/upload", png_bytes(), conversationId=conv_id)
    assert read(client, stored, seller) == 404, "unsent: the uploader's alone"
    assert read(client, stored, buyer) == 200 and read(client, stored) == 200
    sent = {"fileUrl": stored["url"]}
    ok(client.post(f"/api/v1/chat/conversations/{conv_id}/messages", json=sent, headers=buyer.headers))
    assert read(client, stored, seller) == 200


def test_a_ticket_upload_is_read_by_staff_unsent_and_by_the_customer_once_sent(client):
    customer, employee = new_person("buyer"), new_person("employee")
    ticket_id = ok(client.post("/api/v1/tickets", json=TICKET, headers=customer.headers))["ticket"]["id"]
    path = f"/api/v1/tickets/{ticket_id}"
    widget = post_file(client, customer, f"{path}/upload", pdf_bytes())  # the widget sends no message
    assert read(client, widget, employee) == 200 and read(client, widget, customer) == 200
    staff = post_file(client, employee, f"{path}/files", png_bytes())
    assert read(client, staff, customer) == 404, "unsent: not yet the customer's to read"
    assert read(client, staff, employee) == 200 and read(client, staff) == 200
    reply = {"message": "Here is the receipt.", "fileUrl": staff["url"]}
    ok(client.post(f"{path}/messages", json=reply, headers=employee.headers))
    assert read(client, staff, customer) == 200
