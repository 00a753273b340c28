"""The send hot path: two database round trips, and the conversation right when a send is not stored."""
from collections import Counter

import pytest
from pymongo.errors import AutoReconnect

from gharbazaar import db
from gharbazaar.chat import repository
from tests.support.sockets import chat_events as events

API = "/api/v1/chat"


@pytest.fixture
def counted(make_app):
    """An app that counts its database commands (DB_METRICS), with its REST client."""
    app = make_app(DB_METRICS=True)
    return app, app.test_client()


def commands_during(app, work):
    before = Counter(db.command_counts(app))
    result = work()
    return result, dict(Counter(db.command_counts(app)) - before)


def conversation(client, a, b, **body):
    response = client.post(f"{API}/conversations", json={"otherUserId": b.id, "propertyId": "p1", **body},
                           headers=a.headers)
    assert response.status_code == 201
    return response.get_json()["data"]["conversation"]["id"]


def listed(client, who, conv_id):
    """Return the conversation as it appears in who's conversation list."""
    body = client.get(f"{API}/conversations", headers=who.headers).get_json()["data"]
    return next(c for c in body["conversations"] if c["id"] == conv_id)


@pytest.fixture
def joined(counted, pair, socket_client):
    """The buyer's socket in a new conversation with the seller, on the counting app: (app, sock, id)."""
    app, client = counted
    buyer, seller = pair
    conv_id = conversation(client, buyer, seller)
    sock = socket_client(buyer.token, target=app)
    assert sock.emit("join_conversation", conv_id, callback=True)["success"] is True
    return app, sock, conv_id


def test_a_socket_message_costs_two_database_round_trips(joined):
    app, sock, conv_id = joined
    body = {"conversationId": conv_id, "content": "first"}
    assert sock.emit("send_message", body, callback=True)["success"] is True
    second = dict(body, content="second")
    ack, commands = commands_during(app, lambda: sock.emit("send_message", second, callback=True))
    assert ack["success"] is True and ack["data"]["message"]["content"] == "second"
    assert commands == {"findAndModify": 1, "insert": 1}


def test_typing_costs_no_database_round_trip_once_the_conversation_is_known(joined):
    app, sock, conv_id = joined
    ack, commands = commands_during(app, lambda: sock.emit(
        "typing", {"conversationId": conv_id, "isTyping": True}, callback=True))
    assert ack["success"] is True and commands == {}


def test_a_known_conversation_still_refuses_outsiders(counted, pair, person, socket_client):
    app, client = counted
    buyer, seller = pair
    conv_id = conversation(client, buyer, seller)
    assert client.post(f"{API}/conversations/{conv_id}/messages", json={"content": "hi"},
                       headers=buyer.headers).status_code == 201  # now known to this process
    outsider = socket_client(person().token, target=app)
    for event, payload in (("send_message", {"conversationId": conv_id, "content": "x"}),
                           ("typing", {"conversationId": conv_id, "isTyping": True})):
        assert outsider.emit(event, payload, callback=True) == {
            "success": False, "error": "Not authorized for this conversation", "code": "forbidden"}
    page = client.get(f"{API}/conversations/{conv_id}/messages", headers=buyer.headers).get_json()["data"]
    assert [m["content"] for m in page["messages"]] == ["hi"]


def test_a_retried_client_message_id_leaves_unread_counts_and_preview_as_one_message(
        client, pair, start, socket_client):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    sock = socket_client(buyer.token)
    body = {"conversationId": conv_id, "content": "only once", "clientMessageId": "retry-1"}
    first = sock.emit("send_message", body, callback=True)["data"]["message"]
    for _ in range(3):
        assert sock.emit("send_message", body, callback=True)["data"]["message"] == first
    seen_by_seller = listed(client, seller, conv_id)
    assert seen_by_seller["unreadCount"] == 1
    assert seen_by_seller["lastMessage"] == "only once"
    assert listed(client, buyer, conv_id)["unreadCount"] == 0
    assert len(events(sock, "new_message")) == 0  # the sender is not in the room: nothing echoed


def test_a_message_the_database_fails_to_store_leaves_the_conversation_as_it_was(
        client, pair, start, monkeypatch):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    url = f"{API}/conversations/{conv_id}/messages"
    assert client.post(url, json={"content": "stored"}, headers=buyer.headers).status_code == 201
    before = listed(client, seller, conv_id)

    def fail(_doc):
        raise AutoReconnect("connection lost")
    monkeypatch.setattr(repository, "insert_message", fail)
    response = client.post(url, json={"content": "lost"}, headers=buyer.headers)
    assert response.status_code == 503
    monkeypatch.undo()
    after = listed(client, seller, conv_id)
    assert (after["lastMessage"], after["unreadCount"], after["lastMessageAt"]) == (
        before["lastMessage"], before["unreadCount"], before["lastMessageAt"])
    again = client.post(url, json={"content": "retried"}, headers=buyer.headers)
    assert again.status_code == 201
    assert listed(client, seller, conv_id)["unreadCount"] == before["unreadCount"] + 1


def test_reading_costs_three_round_trips_and_keeps_later_messages_unread(counted, pair, socket_client):
    app, client = counted
    buyer, seller = pair
    conv_id = conversation(client, buyer, seller)
    url = f"{API}/conversations/{conv_id}/messages"
    sent = [client.post(url, json={"content": f"m{i}"}, headers=buyer.headers).get_json()["data"]["message"]
            for i in range(3)]
    sock = socket_client(seller.token, target=app)
    read = {"conversationId": conv_id, "upToMessageId": sent[1]["id"]}
    ack, commands = commands_during(app, lambda: sock.emit("mark_as_read", read, callback=True))
    assert ack["success"] is True and ack["data"]["count"] == 2
    assert commands == {"findAndModify": 1, "update": 2}
    assert listed(client, seller, conv_id)["unreadCount"] == 1
    ack, commands = commands_during(app, lambda: sock.emit("mark_as_read", read, callback=True))
    assert ack["data"]["count"] == 0 and commands == {"findAndModify": 1, "update": 1}
    assert listed(client, seller, conv_id)["unreadCount"] == 1


def test_an_unread_count_that_drifted_low_never_goes_below_zero(app, client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    for i in range(2):
        client.post(f"{API}/conversations/{conv_id}/messages", json={"content": f"m{i}"},
                    headers=buyer.headers)
    with app.app_context():
        db.get_db()[repository.CONVERSATIONS].update_one({"_id": db.object_id(conv_id)},
                                                         {"$set": {"unreadCounts": [1, 1]}})
    response = client.post(f"{API}/conversations/{conv_id}/read", json={}, headers=seller.headers)
    assert response.status_code == 200 and response.get_json()["data"]["count"] == 2
    assert listed(client, seller, conv_id)["unreadCount"] == 0
