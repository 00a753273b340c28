"""Blocking over REST and Socket.IO: the blocked user can no longer write to the blocker, start a
conversation with them or see their presence; history stays readable; unblocking undoes it."""
import pytest

from tests.support.sockets import chat_events as events, received

API = "/api/v1/chat"
BLOCKED = {"success": False, "error": "You cannot message this user", "code": "forbidden"}


def block(client, sock, blocker, user_id, transport, undo=False):
    if transport == "rest":
        if undo:
            response = client.delete(f"{API}/blocks/{user_id}", headers=blocker.headers)
        else:
            response = client.post(f"{API}/blocks", json={"userId": user_id}, headers=blocker.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["data"]
    ack = sock.emit("unblock_user" if undo else "block_user", {"userId": user_id}, callback=True)
    assert ack["success"] is True, ack
    return ack["data"]


def send_rest(client, who, conv_id, content="hello"):
    response = client.post(f"{API}/conversations/{conv_id}/messages", json={"content": content},
                           headers=who.headers)
    return response.status_code, response.get_json()


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_a_blocked_user_cannot_send_edit_or_start_conversations_until_unblocked(
        client, pair, start, socket_client, transport):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    _, sent = send_rest(client, seller, conv_id, "before the block")
    bsock, ssock = socket_client(buyer.token), socket_client(seller.token)
    answer = block(client, bsock, buyer, seller.id, transport)
    assert answer["userId"] == seller.id and answer["blocked"] is True and answer["blockedAt"]
    assert events(ssock, "user_blocked") == [], "the blocked user is not told"
    assert events(bsock, "user_blocked") == [answer], "the blocker's other tabs are"
    # Both transports refuse the blocked user, whatever the transport of the block.
    assert send_rest(client, seller, conv_id) == (403, BLOCKED)
    ack = ssock.emit("send_message", {"conversationId": conv_id, "content": "hello"}, callback=True)
    assert ack == BLOCKED
    message_id = sent["data"]["message"]["id"]
    assert ssock.emit("edit_message", {"messageId": message_id, "content": "x"}, callback=True) == BLOCKED
    created = client.post(f"{API}/conversations", json={"otherUserId": buyer.id, "propertyId": "another"},
                          headers=seller.headers)
    assert created.status_code == 403 and created.get_json() == BLOCKED
    # History stays readable for both, and the blocker may still write.
    for who in (buyer, seller):
        page = client.get(f"{API}/conversations/{conv_id}/messages", headers=who.headers).get_json()["data"]
        assert [m["content"] for m in page["messages"]] == ["before the block"]
    assert send_rest(client, buyer, conv_id, "from the blocker")[0] == 201
    listed = client.get(f"{API}/blocks", headers=buyer.headers).get_json()["data"]["blocks"]
    assert [b["userId"] for b in listed] == [seller.id]
    undone = block(client, bsock, buyer, seller.id, transport, undo=True)
    assert undone == {"userId": seller.id, "blockedAt": None, "blocked": False}
    assert send_rest(client, seller, conv_id, "after the unblock")[0] == 201
    assert client.get(f"{API}/blocks", headers=buyer.headers).get_json()["data"]["blocks"] == []


def test_a_conversation_started_by_the_blocker_is_read_only_for_the_blocked_user(client, pair, start):
    buyer, seller = pair
    client.post(f"{API}/blocks", json={"userId": seller.id}, headers=buyer.headers)
    conv_id = start(buyer, seller)
    assert send_rest(client, seller, conv_id) == (403, BLOCKED)
    client.delete(f"{API}/blocks/{seller.id}", headers=buyer.headers)
    assert send_rest(client, seller, conv_id)[0] == 201


def test_blocking_is_idempotent_and_oneself_cannot_be_blocked(client, person):
    me = person()
    for _ in range(2):
        assert client.post(f"{API}/blocks", json={"userId": "someone"}, headers=me.headers).status_code == 200
    assert len(client.get(f"{API}/blocks", headers=me.headers).get_json()["data"]["blocks"]) == 1
    own = client.post(f"{API}/blocks", json={"userId": me.id}, headers=me.headers)
    assert own.status_code == 400 and own.get_json()["error"] == "You cannot block yourself"
    assert client.delete(f"{API}/blocks/never-blocked", headers=me.headers).status_code == 200


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_only_the_blocker_lifts_a_block_unblocking_oneself_is_refused(
        client, pair, start, person, socket_client, transport):
    buyer, seller = pair
    third = person()
    conversations = [start(buyer, seller), start(third, seller)]
    for blocker in (buyer, third):
        client.post(f"{API}/blocks", json={"userId": seller.id}, headers=blocker.headers)
    if transport == "rest":
        response = client.delete(f"{API}/blocks/{seller.id}", headers=seller.headers)
        refused = (response.status_code, response.get_json())
    else:
        ack = socket_client(seller.token).emit("unblock_user", {"userId": seller.id}, callback=True)
        refused = (400, ack)
    assert refused[0] == 400
    assert (refused[1]["code"], refused[1]["error"]) == ("validation_error", "You cannot unblock yourself")
    for conv_id in conversations:  # both blocks hold: "unblocking" oneself lifted every block on one
        assert send_rest(client, seller, conv_id) == (403, BLOCKED)


def test_the_blocked_user_stops_seeing_the_blockers_presence(client, pair, start, socket_client):
    buyer, seller = pair
    start(buyer, seller)
    watcher = socket_client(seller.token)
    first = socket_client(buyer.token)
    assert [p["userId"] for p in events(watcher, "presence:user-online")] == [buyer.id], "seen before"
    first.disconnect()
    watcher.get_received()
    client.post(f"{API}/blocks", json={"userId": seller.id}, headers=buyer.headers)
    socket_client(buyer.token)
    assert [name for name, _ in received(watcher) if name.startswith("presence:")] == []
    ack = watcher.emit("presence:get-status", {"userIds": [buyer.id]}, callback=True)
    assert ack["data"]["users"] == [{"userId": buyer.id, "status": "offline", "lastSeen": None}]
    client.delete(f"{API}/blocks/{seller.id}", headers=buyer.headers)
    ack = watcher.emit("presence:get-status", {"userIds": [buyer.id]}, callback=True)
    assert ack["data"]["users"][0]["status"] == "online"


def test_an_unblock_shows_each_side_the_other_online_again(client, pair, start, socket_client):
    # Both screens were shown the other offline while blocked; get-status is not asked again by itself.
    buyer, seller = pair
    start(buyer, seller)
    client.post(f"{API}/blocks", json={"userId": seller.id}, headers=buyer.headers)
    blocker, blocked = socket_client(buyer.token), socket_client(seller.token)
    blocker.get_received(), blocked.get_received()
    assert client.delete(f"{API}/blocks/{seller.id}", headers=buyer.headers).status_code == 200
    assert events(blocked, "presence:user-online") == [{"userId": buyer.id, "status": "online"}]
    assert events(blocker, "presence:user-online") == [{"userId": seller.id, "status": "online"}]


def test_an_unblock_says_nothing_of_one_who_looks_offline_or_still_blocks(client, pair, start, socket_client):
    buyer, seller = pair
    start(buyer, seller)
    client.post(f"{API}/blocks", json={"userId": seller.id}, headers=buyer.headers)
    client.post(f"{API}/blocks", json={"userId": buyer.id}, headers=seller.headers)  # blocked both ways
    blocker, blocked = socket_client(buyer.token), socket_client(seller.token)
    assert blocker.emit("presence:update-status", {"status": "offline"}, callback=True)["success"] is True
    blocker.get_received(), blocked.get_received()
    client.delete(f"{API}/blocks/{seller.id}", headers=buyer.headers)  # the seller's block still holds
    assert events(blocked, "presence:user-online") == [] and events(blocker, "presence:user-online") == []
    client.delete(f"{API}/blocks/{buyer.id}", headers=seller.headers)  # now contacts: the buyer looks offline
    assert events(blocked, "presence:user-online") == []
    assert events(blocker, "presence:user-online") == [{"userId": seller.id, "status": "online"}]


def test_the_blocked_users_typing_is_dropped_until_unblocked(client, pair, start, socket_client):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    bsock, ssock = socket_client(buyer.token), socket_client(seller.token)
    for sock in (bsock, ssock):
        sock.emit("join_conversation", conv_id, callback=True)
        sock.get_received()
    typing = {"conversationId": conv_id, "isTyping": True}
    assert ssock.emit("typing", typing, callback=True)["data"].get("dropped") is None, "relayed before"
    assert [e["userId"] for e in events(bsock, "user_typing")] == [seller.id]
    client.post(f"{API}/blocks", json={"userId": seller.id}, headers=buyer.headers)
    assert ssock.emit("typing", typing, callback=True)["data"]["dropped"] is True
    assert events(bsock, "user_typing") == [], "the blocker never sees the blocked user typing"
    client.delete(f"{API}/blocks/{seller.id}", headers=buyer.headers)
    assert ssock.emit("typing", typing, callback=True)["data"].get("dropped") is None
    assert [e["userId"] for e in events(bsock, "user_typing")] == [seller.id]
