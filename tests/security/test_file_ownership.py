"""A file belongs to its uploader: nobody can attach someone else's upload, or destroy it by deleting.

The attack: a participant attached the other participant's upload to a message of their own,
then deleted that message, which removed the file from under the other's message too. Each
test runs over REST and over Socket.IO.
"""
import io
from urllib.parse import urlsplit

import pytest

from tests.support.people import new_person
from tests.support.files import png_bytes
from tests.support import unique

API = "/api/v1/chat"
NOT_HERE = {"success": False, "error": "File not found for this conversation", "code": "validation_error"}


class Chat:
    """Send and delete messages over one transport; answers are the REST envelope or the ack."""

    def __init__(self, transport, client, socket_client):
        self.transport, self.client, self.socket_client = transport, client, socket_client
        self.sockets = {}

    def _socket(self, who):
        if who.id not in self.sockets:
            self.sockets[who.id] = self.socket_client(who.token)
        return self.sockets[who.id]

    def send(self, who, conversation_id, **body):
        if self.transport == "rest":
            return self.client.post(f"{API}/conversations/{conversation_id}/messages", json=body,
                                    headers=who.headers).get_json()
        payload = {"conversationId": conversation_id, **body}
        return self._socket(who).emit("send_message", payload, callback=True)

    def delete(self, who, message_id):
        if self.transport == "rest":
            return self.client.delete(f"{API}/messages/{message_id}", headers=who.headers).get_json()
        return self._socket(who).emit("delete_message", {"messageId": message_id}, callback=True)


@pytest.fixture(params=["rest", "socket"])
def chat(request, client, socket_client):
    return Chat(request.param, client, socket_client)


@pytest.fixture
def pair():
    return new_person("buyer", "Asha Buyer"), new_person("seller", "Ravi Seller")


def start(client, buyer, seller):
    body = {"otherUserId": seller.id, "propertyId": unique("prop")}
    response = client.post(f"{API}/conversations", json=body, headers=buyer.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]["conversation"]["id"]


def upload(client, who, conversation_id):
    response = client.post(f"{API}/upload", headers=who.headers, content_type="multipart/form-data", data={
        "conversationId": conversation_id, "file": (io.BytesIO(png_bytes()), "house.png", "image/png")})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def served(client, url, who=None):
    """Return the status of the file behind a link, by the link alone or with who's token only."""
    parts = urlsplit(url)
    if who is None:
        return client.get(f"{parts.path}?{parts.query}").status_code
    return client.get(parts.path, headers=who.headers).status_code


def history(client, who, conversation_id):
    response = client.get(f"{API}/conversations/{conversation_id}/messages", headers=who.headers)
    return {m["id"]: m for m in response.get_json()["data"]["messages"]}


def test_a_participant_cannot_attach_the_other_participants_file_nor_destroy_it(
        chat, client, pair):
    buyer, seller = pair
    conversation_id = start(client, buyer, seller)
    stored = upload(client, seller, conversation_id)
    sellers = chat.send(seller, conversation_id, fileUrl=stored["url"])["data"]["message"]

    refused = chat.send(buyer, conversation_id, content="mine now", fileUrl=stored["url"])
    assert {key: refused.get(key) for key in NOT_HERE} == NOT_HERE
    # Whatever the buyer deletes of their own, the seller's file stays.
    own = chat.send(buyer, conversation_id, content="a message of my own")["data"]["message"]
    assert chat.delete(buyer, own["id"])["success"] is True

    assert served(client, stored["url"]) == 200
    assert served(client, stored["url"], seller) == served(client, stored["url"], buyer) == 200
    kept = history(client, seller, conversation_id)[sellers["id"]]
    assert kept["deleted"] is False and kept["fileName"] == "house.png" and kept["fileUrl"]


def test_a_file_sent_twice_by_its_uploader_stays_until_its_last_message_is_deleted(
        chat, client, pair):
    buyer, seller = pair
    conversation_id = start(client, buyer, seller)
    stored = upload(client, buyer, conversation_id)
    first, second = (chat.send(buyer, conversation_id, fileUrl=stored["url"])["data"]["message"]
                     for _ in range(2))

    assert chat.delete(buyer, first["id"])["success"] is True
    assert served(client, stored["url"]) == 200 and served(client, stored["url"], seller) == 200
    assert history(client, seller, conversation_id)[second["id"]]["fileUrl"]

    assert chat.delete(buyer, second["id"])["success"] is True
    assert served(client, stored["url"]) == 404 and served(client, stored["url"], seller) == 404
