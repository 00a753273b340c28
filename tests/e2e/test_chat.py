"""Chat end to end: the real server process (eventlet) with two and three real Socket.IO clients."""
import threading

import pytest
import requests

from tests.support.people import new_person
from tests.support.files import png_bytes

pytestmark = pytest.mark.e2e
API = "/api/v1/chat"


@pytest.fixture
def recorder(live_server, real_client):
    return lambda who, **kwargs: real_client(live_server.url, who.token, **kwargs)


@pytest.fixture
def talk(live_server):
    """Create a conversation over the live REST API; return its id."""
    def create(a, b):
        response = live_server.post(f"{API}/conversations", json={"otherUserId": b.id}, headers=a.headers)
        assert response.status_code == 201, response.text
        return response.json()["data"]["conversation"]["id"]
    return create


def joined(rec, conv_id):
    assert rec.emit("join_conversation", {"conversationId": conv_id})["success"] is True
    return rec


@pytest.mark.parametrize("namespace, transports", [("/", ("websocket",)), ("/chat", ("polling",))])
def test_two_clients_chat_type_read_edit_and_delete(recorder, talk, namespace, transports):
    buyer, seller = new_person("buyer", "Asha"), new_person("seller", "Ravi")
    conv_id = talk(buyer, seller)
    b = joined(recorder(buyer, namespace=namespace, transports=transports), conv_id)
    s = joined(recorder(seller, namespace=namespace, transports=transports), conv_id)

    ack = b.emit("send_message", {"conversationId": conv_id, "content": "Is it available?"})
    message = ack["data"]["message"]
    assert s.wait_for("new_message") == message == b.wait_for("new_message")
    assert s.wait_for("message_notification") == {"conversationId": conv_id, "message": message}

    b.emit("typing", {"conversationId": conv_id, "isTyping": True}, ack=False)
    assert s.wait_for("user_typing") == {"conversationId": conv_id, "userId": buyer.id, "isTyping": True}

    receipt = s.emit("mark_as_read", {"conversationId": conv_id})["data"]
    assert b.wait_for("messages_read") == receipt and receipt["count"] == 1

    b.emit("edit_message", {"messageId": message["id"], "content": "Still available?"})
    edited = s.wait_for("message_edited")
    assert edited["content"] == "Still available?"
    b.emit("delete_message", {"messageId": message["id"]})
    gone = {"id": message["id"], "_id": message["id"], "conversationId": conv_id,
            "changeSeq": edited["changeSeq"] + 1}
    assert s.wait_for("message_deleted") == gone
    assert "user_typing" not in [name for name, _ in b.seen]
    assert "messages_read" not in [name for name, _ in s.seen]


def test_three_clients_an_outsider_hears_nothing(recorder, talk, live_server):
    buyer, seller, outsider = new_person(), new_person("seller"), new_person()
    conv_id = talk(buyer, seller)
    b, s = joined(recorder(buyer), conv_id), joined(recorder(seller), conv_id)
    o = recorder(outsider)

    refused = o.emit("join_conversation", conv_id)
    assert refused == {"success": False, "error": "Not authorized for this conversation", "code": "forbidden"}
    assert o.wait_for("error") == {"message": "Not authorized for this conversation", "code": "forbidden",
                                   "event": "join_conversation"}
    assert o.emit("send_message", {"conversationId": conv_id, "content": "let me in"})["code"] == "forbidden"
    assert o.emit("typing", {"conversationId": conv_id, "isTyping": True})["code"] == "forbidden"

    rest = live_server.post(f"{API}/conversations/{conv_id}/messages", json={"content": "private"},
                            headers=buyer.headers)
    assert rest.status_code == 201
    assert s.wait_for("message_notification")["message"]["content"] == "private"
    b.emit("typing", {"conversationId": conv_id, "isTyping": True}, ack=False)
    s.wait_for("user_typing")
    s.emit("mark_as_read", {"conversationId": conv_id})
    b.wait_for("messages_read")
    # Everything above was sent before this ack is answered, on the outsider's own ordered connection.
    assert o.emit("presence:heartbeat", {})["success"] is True
    assert {name for name, _ in o.seen} == {"error"}
    outsider_view = live_server.get(f"{API}/conversations/{conv_id}/messages", headers=outsider.headers)
    assert outsider_view.status_code == 403


def test_racing_creations_over_http_make_one_conversation(live_server):
    buyer, seller = new_person(), new_person("seller")
    barrier, answers = threading.Barrier(10), []

    def create(me, other):
        barrier.wait()
        answers.append(requests.post(f"{live_server.url}{API}/conversations", timeout=20, headers=me.headers,
                                     json={"otherUserId": other.id, "propertyId": "villa-9"}))
    threads = [threading.Thread(target=create, args=(buyer, seller) if n % 2 else (seller, buyer))
               for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
    assert len({a.json()["data"]["conversation"]["id"] for a in answers}) == 1


def test_a_file_message_reaches_the_other_side_with_a_working_link(recorder, talk, live_server):
    buyer, seller = new_person(), new_person("seller")
    conv_id = talk(buyer, seller)
    s = joined(recorder(seller), conv_id)
    b = recorder(buyer)
    data = png_bytes()
    stored = live_server.post(f"{API}/upload", headers=buyer.headers, data={"conversationId": conv_id},
                              files={"file": ("porch.png", data, "image/png")})
    assert stored.status_code == 201, stored.text
    url = stored.json()["data"]["url"]
    sent = b.emit("send_message", {"conversationId": conv_id, "content": "", "type": "image", "fileUrl": url})
    assert sent["success"] is True, sent
    message = s.wait_for("new_message")
    assert message["type"] == "image" and message["fileName"] == "porch.png"
    image = requests.get(message["thumbnailUrl"], timeout=10)
    assert image.status_code == 200 and image.content == data
    assert image.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
