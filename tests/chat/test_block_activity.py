"""A blocked user sees none of the blocker's activity in their conversation: typing and reads."""
API = "/api/v1/chat"


def names(sock, event):
    return [e["args"][0] for e in sock.get_received() if e["name"] == event]


def joined(socket_client, who, conv_id):
    sock = socket_client(who.token)
    assert sock.emit("join_conversation", conv_id, callback=True)["success"] is True
    sock.get_received()
    return sock


def test_typing_is_not_relayed_either_way_between_a_blocked_pair(client, room, socket_client):
    buyer, seller, conv_id, blocker, blocked = room
    watcher = joined(socket_client, seller, conv_id)  # the blocked user's other tab
    assert client.post(f"{API}/blocks", json={"userId": seller.id}, headers=buyer.headers).status_code == 200
    ack = blocker.emit("typing", {"conversationId": conv_id, "isTyping": True}, callback=True)
    assert ack["data"]["dropped"] is True
    ack = blocked.emit("typing", {"conversationId": conv_id, "isTyping": True}, callback=True)
    assert ack["data"]["dropped"] is True
    assert names(watcher, "user_typing") == [] and names(blocker, "user_typing") == []


def test_a_blockers_read_reaches_their_own_tabs_and_not_the_blocked_user(client, room, socket_client):
    buyer, seller, conv_id, reader, blocked = room
    assert reader.emit("send_message", {"conversationId": conv_id, "content": "hi"}, callback=True)["success"]
    for text in ("one", "two"):
        assert blocked.emit("send_message", {"conversationId": conv_id, "content": text},
                            callback=True)["success"] is True
    other_tab = joined(socket_client, buyer, conv_id)
    blocked.get_received(), reader.get_received()
    assert client.post(f"{API}/blocks", json={"userId": seller.id}, headers=buyer.headers).status_code == 200
    ack = reader.emit("mark_as_read", {"conversationId": conv_id}, callback=True)
    assert ack["success"] is True and ack["data"]["count"] == 2
    (told,) = names(other_tab, "messages_read")
    assert told["userId"] == buyer.id and told["count"] == 2
    assert names(reader, "messages_read") == []  # the reading socket has its ack
    assert names(blocked, "messages_read") == []
    conversations = client.get(f"{API}/conversations", headers=buyer.headers).get_json()["data"]
    assert conversations["conversations"][0]["unreadCount"] == 0  # the reader's own count still falls
    # The other way is not hidden: the blocker still sees the blocked user's reads.
    assert blocked.emit("mark_as_read", {"conversationId": conv_id}, callback=True)["data"]["count"] == 1
    assert [r["userId"] for r in names(other_tab, "messages_read")] == [seller.id]
