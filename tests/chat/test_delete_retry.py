"""A delete the database interrupted after the soft delete is finished by the sender's retry, over
REST and Socket.IO alike: the file stops being served at once and is removed, the other participant
hears `message_deleted`, the preview follows. Finished deletes are announced once."""
import pytest
from pymongo.errors import NetworkTimeout

from gharbazaar import db
from gharbazaar.files import repository as stored_files
from tests.support.files import png_bytes
from tests.support.sockets import chat_events as events

API = "/api/v1/chat"


def delete(client, sock, who, message_id, transport):
    """Delete over one transport; return (status, error code or None)."""
    if transport == "rest":
        response = client.delete(f"{API}/messages/{message_id}", headers=who.headers)
        return response.status_code, response.get_json().get("code")
    ack = sock.emit("delete_message", {"messageId": message_id}, callback=True)
    return (200, None) if ack["success"] else (503 if ack["code"] == "unavailable" else 400, ack["code"])


def preview(client, who, conv_id):
    return client.get(f"{API}/conversations/{conv_id}", headers=who.headers).get_json()[
        "data"]["conversation"]["lastMessage"]


@pytest.fixture
def fail_removal_once(monkeypatch):
    """Make the next removal of a file's bytes time out, as a database that went away would."""
    real, failed = stored_files.delete, []

    def delete_once(file_id):
        if not failed:
            failed.append(file_id)
            raise NetworkTimeout("injected: the database went away mid-delete")
        return real(file_id)

    monkeypatch.setattr(stored_files, "delete", delete_once)
    return failed


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_a_retried_delete_removes_the_file_tells_the_room_and_updates_the_preview(
        app, client, room, upload, fail_removal_once, transport):
    buyer, seller, conv_id, bsock, ssock = room
    stored = upload(buyer, conv_id, png_bytes(), "plot.png").get_json()["data"]
    sent = client.post(f"{API}/conversations/{conv_id}/messages", json={"fileUrl": stored["url"]},
                       headers=buyer.headers).get_json()["data"]["message"]
    link = "/" + stored["url"].split("/", 3)[3]
    assert client.get(link).status_code == 200 and preview(client, seller, conv_id) == "plot.png"
    bsock.get_received(), ssock.get_received()

    assert delete(client, bsock, buyer, sent["id"], transport) == (503, "unavailable")
    assert fail_removal_once == [stored["fileId"]], "the removal failed, after the soft delete"
    assert client.get(link).status_code == 404, "a deleted message's file is not served, removed or not"

    assert delete(client, bsock, buyer, sent["id"], transport) == (200, None)
    assert client.get(link).status_code == 404
    assert client.get(f"/api/v1/files/{stored['fileId']}", headers=buyer.headers).status_code == 404
    assert db.get_db(app)["fs.files"].count_documents({}) == 0, "the bytes are gone, not only hidden"
    gone = events(ssock, "message_deleted")
    assert [g["id"] for g in gone] == [sent["id"]], "the other participant hears of it once"
    assert preview(client, seller, conv_id) == "[Message deleted]"

    assert delete(client, bsock, buyer, sent["id"], transport) == (200, None)
    assert events(ssock, "message_deleted") == [], "a finished delete is not announced again"


def test_an_upload_another_message_still_shows_is_served_after_one_is_deleted(client, room, upload):
    buyer, seller, conv_id, _bsock, _ssock = room
    stored = upload(buyer, conv_id, png_bytes()).get_json()["data"]
    first, second = (client.post(f"{API}/conversations/{conv_id}/messages", json={"fileUrl": stored["url"]},
                                 headers=buyer.headers).get_json()["data"]["message"] for _ in range(2))
    link = "/" + stored["url"].split("/", 3)[3]
    assert delete(client, None, buyer, first["id"], "rest") == (200, None)
    assert client.get(link).status_code == 200, "withdrawn while deleting, served again: still shown"
    assert delete(client, None, buyer, second["id"], "rest") == (200, None)
    assert client.get(link).status_code == 404
