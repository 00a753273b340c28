"""Chat uploads and file messages: real small files, refusals, signed links, deletion."""
import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from gharbazaar import db
from gharbazaar.files import unsent as unsent_files
from gharbazaar.models import utcnow
from tests.support.files import docx_bytes, pdf_bytes, png_bytes

API = "/api/v1/chat"
INVALID_TYPE = "Invalid file type. Only images and documents are allowed."


def local(url):
    """Return the path and query of an absolute link, for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def send_file(client, who, conv_id, url, **body):
    return client.post(f"{API}/conversations/{conv_id}/messages", json={"fileUrl": url, **body},
                       headers=who.headers)


@pytest.mark.parametrize("data, name, file_type, mime", [
    (png_bytes(), "house.png", "image", "image/png"),
    (pdf_bytes(), "deed.pdf", "document", "application/pdf"),
    (docx_bytes(), "agreement.docx", "document",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_a_participant_uploads_images_and_documents(client, pair, start, upload, data, name, file_type, mime):
    buyer, seller = pair
    response = upload(buyer, start(buyer, seller), data, name, "application/octet-stream")
    assert response.status_code == 201
    answer = response.get_json()["data"]
    assert answer["metadata"] == {"fileName": name, "fileSize": len(data), "fileType": file_type,
                                  "mimeType": mime}
    assert answer["url"].startswith("http://localhost/api/v1/files/" + answer["fileId"] + "?exp=")
    assert answer["thumbnailUrl"] == (answer["url"] if file_type == "image" else None)
    served = client.get(local(answer["url"]))
    assert served.status_code == 200 and served.data == data and served.mimetype == mime


def test_upload_refusals(client, pair, start, upload, person):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    outsider = upload(person(), conv_id, png_bytes())
    assert outsider.status_code == 403
    assert outsider.get_json()["error"] == "Not authorized for this conversation"
    missing_id = upload(buyer, None, png_bytes())
    assert missing_id.status_code == 400 and missing_id.get_json()["details"][0]["field"] == "conversationId"
    no_file = client.post(f"{API}/upload", data={"conversationId": conv_id}, headers=buyer.headers,
                          content_type="multipart/form-data")
    assert no_file.status_code == 400
    for empty in (b"", b"\xef\xbb\xbf"):  # a byte-order mark alone is an empty text file
        refused = upload(buyer, conv_id, empty, "notes.txt", "text/plain")
        assert refused.status_code == 400 and refused.get_json()["error"] == "The file is empty"


@pytest.mark.parametrize("data, name", [
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "photo.png"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "photo.svg"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(64), "photo.jpg"),
])
def test_disguised_files_are_415(pair, start, upload, data, name):
    buyer, seller = pair
    response = upload(buyer, start(buyer, seller), data, name, "image/png")
    assert response.status_code == 415
    assert response.get_json() == {"success": False, "error": INVALID_TYPE, "code": "unsupported_media_type"}


@pytest.mark.parametrize("size", [1024 * 1024 + 10, 3 * 1024 * 1024])
def test_files_over_the_limit_are_413(make_app, pair, size):
    client, (buyer, seller) = make_app(MAX_UPLOAD_MB=1).test_client(), pair
    conv_id = client.post(f"{API}/conversations", json={"otherUserId": seller.id},
                          headers=buyer.headers).get_json()["data"]["conversation"]["id"]

    data = png_bytes() + bytes(size)
    response = client.post(f"{API}/upload", headers=buyer.headers, content_type="multipart/form-data",
                           data={"conversationId": conv_id, "file": (io.BytesIO(data), "big.png")})
    assert response.status_code == 413
    assert response.get_json()["error"] == "File too large. Maximum size: 1MB"


def test_a_file_message_carries_the_stored_file(client, pair, start, upload):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    stored = upload(buyer, conv_id, png_bytes(), "view.png").get_json()["data"]
    response = send_file(client, buyer, conv_id, stored["url"], fileName="spoofed.exe", fileSize=1)
    assert response.status_code == 201
    message = response.get_json()["data"]["message"]
    assert message["type"] == "image" and message["content"] == ""
    assert message["fileName"] == "view.png" and message["fileSize"] == len(png_bytes())
    assert message["fileUrl"] == message["thumbnailUrl"] == stored["url"]
    assert client.get(f"{API}/conversations/{conv_id}", headers=seller.headers).get_json()[
        "data"]["conversation"]["lastMessage"] == "view.png"
    pdf = upload(buyer, conv_id, pdf_bytes(), "deed.pdf").get_json()["data"]
    document = send_file(client, buyer, conv_id, pdf["url"], content="the deed", type="file")
    assert document.get_json()["data"]["message"]["thumbnailUrl"] is None
    wrong = send_file(client, buyer, conv_id, pdf["url"], type="image")
    assert wrong.status_code == 400


def test_a_file_message_must_use_a_file_of_this_conversation(client, pair, start, upload, person):
    buyer, seller = pair
    conv_id, elsewhere = start(buyer, seller), start(buyer, person("seller"))
    foreign = upload(buyer, elsewhere, png_bytes()).get_json()["data"]
    for url in (foreign["url"], "https://evil.example/x.png", "http://localhost/api/v1/files/" + "0" * 24):
        response = send_file(client, buyer, conv_id, url)
        assert response.status_code == 400, url
        assert response.get_json()["error"] == "File not found for this conversation"


def test_files_are_served_to_participants_and_signed_links_only(client, pair, start, upload, person):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    stored = upload(buyer, conv_id, pdf_bytes()).get_json()["data"]
    bare = f"/api/v1/files/{stored['fileId']}"
    assert client.get(bare, headers=seller.headers).status_code == 404  # the uploader's until sent
    assert send_file(client, buyer, conv_id, stored["url"]).status_code == 201
    served = client.get(bare, headers=seller.headers)
    assert served.status_code == 200 and served.headers["Content-Disposition"].startswith("attachment")
    assert client.get(bare, headers=person().headers).status_code == 404
    assert client.get(bare).status_code == 401
    assert client.get(bare + "?exp=1&sig=forged").status_code == 403
    assert client.get(local(stored["url"])).status_code == 200


def test_history_links_are_signed_afresh_and_deleted_files_are_gone(make_app, pair, start, upload, client):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    stored = upload(buyer, conv_id, png_bytes()).get_json()["data"]
    message = send_file(client, buyer, conv_id, stored["url"]).get_json()["data"]["message"]
    other_host = make_app(PUBLIC_URL="https://chat.example").test_client()
    history = other_host.get(f"{API}/conversations/{conv_id}/messages", headers=seller.headers)
    (seen,) = history.get_json()["data"]["messages"]
    assert seen["fileUrl"].startswith("https://chat.example/api/v1/files/" + stored["fileId"])
    gone = client.delete(f"{API}/messages/{message['id']}", headers=buyer.headers).get_json()
    gone = gone["data"]["message"]
    assert (gone["fileUrl"], gone["thumbnailUrl"], gone["fileName"], gone["fileSize"]) == (None,) * 4
    assert gone["type"] == "text" and gone["content"] == "[Message deleted]"
    assert client.get(local(stored["url"])).status_code == 404
    assert client.get(f"/api/v1/files/{stored['fileId']}", headers=buyer.headers).status_code == 404
    with make_app(indexes=False).app_context():
        stored_doc = db.get_db().messages.find_one({})
    assert "fileId" not in stored_doc and "fileUrl" not in stored_doc


@pytest.mark.parametrize("resend_lands", ["before the check", "after the check"])
def test_a_file_resent_as_its_first_message_is_deleted_is_never_shown_removed(
        client, pair, start, upload, monkeypatch, resend_lands):
    # The re-send passed its file check before the delete began; its insert lands while the
    # delete decides whether the file is still shown.
    from gharbazaar.chat import repository
    buyer, seller = pair
    conv_id = start(buyer, seller)
    stored = upload(buyer, conv_id, png_bytes()).get_json()["data"]
    first = send_file(client, buyer, conv_id, stored["url"]).get_json()["data"]["message"]
    real_in_use, resent = repository.file_in_use, []

    def in_use(conversation_id, file_id):
        if resend_lands == "before the check":
            resent.append(send_file(client, buyer, conv_id, stored["url"]))
            return real_in_use(conversation_id, file_id)
        used = real_in_use(conversation_id, file_id)
        resent.append(send_file(client, buyer, conv_id, stored["url"]))
        return used

    monkeypatch.setattr(repository, "file_in_use", in_use)
    assert client.delete(f"{API}/messages/{first['id']}", headers=buyer.headers).status_code == 200
    monkeypatch.undo()
    (answer,) = resent
    served = client.get(local(stored["url"])).status_code
    history = client.get(f"{API}/conversations/{conv_id}/messages", headers=seller.headers)
    shown = [m for m in history.get_json()["data"]["messages"] if m["fileUrl"]]
    if answer.status_code == 201:  # stored and acknowledged: its file is served
        assert served == 200 and len(shown) == 1
    else:  # withdrawn: told why, and nothing shows the removed file
        assert answer.status_code == 400
        assert answer.get_json()["details"][0]["message"] == "Removed meanwhile."
        assert served == 404 and shown == []


def test_uploads_no_message_carried_are_removed_when_they_come_of_age(app, client, pair, start, upload):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    sent = upload(buyer, conv_id, png_bytes()).get_json()["data"]
    unsent = upload(buyer, conv_id, png_bytes()).get_json()["data"]
    assert send_file(client, buyer, conv_id, sent["url"]).status_code == 201
    with app.app_context():
        assert unsent_files.sweep() == 0  # both younger than UNSENT_FILE_TTL_S
        later = utcnow() + timedelta(seconds=app.config["UNSENT_FILE_TTL_S"] + 60)
        assert unsent_files.sweep(now=later) == 1
        assert unsent_files.sweep(now=later) == 0  # that window is done
    assert client.get(local(unsent["url"])).status_code == 404
    assert client.get(local(sent["url"])).status_code == 200


def test_a_blocked_user_cannot_store_a_file_where_they_cannot_send(client, pair, start, upload):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    blocked = client.post(f"{API}/blocks", json={"userId": buyer.id}, headers=seller.headers)
    assert blocked.status_code in (200, 201)
    refused = upload(buyer, conv_id, png_bytes())
    assert refused.status_code == 403 and refused.get_json()["error"] == "You cannot message this user"
    assert upload(seller, conv_id, png_bytes()).status_code == 201  # the blocker still may
