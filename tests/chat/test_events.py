"""Chat over Socket.IO with the Flask-SocketIO test client (same app as the REST client)."""
import pytest

from tests.support.sockets import chat_events as events, received

API = "/api/v1/chat"


@pytest.fixture
def connect(socket_client):
    def open_socket(who, namespace="/"):
        sock = socket_client(who.token, namespace=namespace)
        assert sock.is_connected(namespace)
        return sock
    return open_socket


@pytest.fixture
def room(pair, start, connect):
    """A conversation with the buyer and the seller joined on `/`: (buyer, seller, id, bsock, ssock)."""
    buyer, seller = pair
    conv_id = start(buyer, seller)
    bsock, ssock = connect(buyer), connect(seller)
    for sock in (bsock, ssock):
        assert sock.emit("join_conversation", conv_id, callback=True)["success"] is True
        sock.get_received()
    return buyer, seller, conv_id, bsock, ssock


def emit(sock, event, data, namespace="/"):
    return sock.emit(event, data, callback=True, namespace=namespace)


@pytest.mark.parametrize("namespace", ["/", "/chat"])
def test_join_accepts_a_bare_id_or_an_object(pair, start, connect, namespace):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    sock = connect(buyer, namespace)
    for payload in (conv_id, {"conversationId": conv_id}):
        ack = emit(sock, "join_conversation", payload, namespace)
        assert ack["success"] is True and ack["data"]["conversation"]["id"] == conv_id
    assert emit(sock, "leave_conversation", {"conversationId": conv_id}, namespace)["success"] is True


def test_join_refusals_use_the_contract_texts(pair, start, connect, person):
    conv_id = start(*pair)
    sock = connect(person())
    assert emit(sock, "join_conversation", "nope") == {
        "success": False, "error": "Conversation not found", "code": "not_found"}
    for target in (conv_id, "0" * 24):
        assert emit(sock, "join_conversation", target) == {
            "success": False, "error": "Not authorized for this conversation", "code": "forbidden"}
    missing = {"message": "Conversation not found", "code": "not_found", "event": "join_conversation"}
    refused = dict(missing, message="Not authorized for this conversation", code="forbidden")
    assert events(sock, "error") == [missing, refused, refused]


@pytest.mark.parametrize("event", ["join_conversation", "leave_conversation", "send_message", "typing",
                                   "mark_as_read", "edit_message", "delete_message"])
@pytest.mark.parametrize("payload", [None, 42, [1, 2], {}, {"conversationId": 5, "messageId": 5},
                                     {"conversationId": {"$gt": ""}, "messageId": {"$gt": ""}}])
def test_payloads_of_the_wrong_shape_get_a_validation_error(connect, person, event, payload):
    sock = connect(person())
    ack = emit(sock, event, payload)
    assert ack["success"] is False and ack["code"] == "validation_error"
    (error,) = events(sock, "error")
    assert error["code"] == "validation_error" and error["event"] == event


def test_a_socket_message_reaches_the_room_and_every_tab_of_the_other_user(room, connect):
    buyer, seller, conv_id, bsock, ssock = room
    seller_phone = connect(seller)  # another tab: not in the room, but in the user room
    ack = emit(bsock, "send_message", {"conversationId": conv_id, "content": "Hi!", "clientMessageId": "c1"})
    message = ack["data"]["message"]
    assert message["content"] == "Hi!" and message["senderId"] == buyer.id
    assert events(bsock, "new_message") == [message]
    assert received(ssock) == [("new_message", message),
                               ("message_notification", {"conversationId": conv_id, "message": message})]
    notification = {"conversationId": conv_id, "message": message}
    assert received(seller_phone) == [("message_notification", notification)]


def test_a_repeated_client_message_id_is_acked_with_the_original_and_not_rebroadcast(room):
    _, _, conv_id, bsock, ssock = room
    body = {"conversationId": conv_id, "content": "once", "clientMessageId": "dup-1"}
    first, again = emit(bsock, "send_message", body), emit(bsock, "send_message", body)
    assert again["data"]["message"] == first["data"]["message"]
    assert len(events(ssock, "new_message")) == 1


def test_a_rest_message_reaches_sockets_like_a_socket_message(room, client):
    buyer, _, conv_id, bsock, ssock = room
    response = client.post(f"{API}/conversations/{conv_id}/messages", json={"content": "via REST"},
                           headers=buyer.headers)
    message = response.get_json()["data"]["message"]
    assert events(bsock, "new_message") == [message]
    assert received(ssock) == [("new_message", message),
                               ("message_notification", {"conversationId": conv_id, "message": message})]


def test_the_message_limit_is_shared_by_rest_and_sockets(make_app, pair, socket_client):
    app = make_app(RATE_LIMIT_MESSAGES="2 per minute")
    client, (buyer, seller) = app.test_client(), pair
    conv_id = client.post(f"{API}/conversations", json={"otherUserId": seller.id},
                          headers=buyer.headers).get_json()["data"]["conversation"]["id"]
    assert client.post(f"{API}/conversations/{conv_id}/messages", json={"content": "1"},
                       headers=buyer.headers).status_code == 201
    sock = app.extensions["socketio"].test_client(app, auth={"token": buyer.token})
    body = {"conversationId": conv_id, "content": "x"}
    assert sock.emit("send_message", body, callback=True)["success"] is True
    assert sock.emit("send_message", body, callback=True)["code"] == "rate_limited"
    sock.disconnect()


def test_typing_goes_to_the_others_only_and_overflow_is_dropped_silently(make_app, pair):
    app = make_app(RATE_LIMIT_TYPING="2 per minute")
    buyer = pair[0]
    conv_id, bsock, ssock = _typing_room(app, pair)
    acks = [bsock.emit("typing", {"conversationId": conv_id, "isTyping": flag}, callback=True)
            for flag in (True, False, True)]
    assert [ack["success"] for ack in acks] == [True, True, True] and acks[2]["data"]["dropped"] is True
    assert events(ssock, "user_typing") == [
        {"conversationId": conv_id, "userId": buyer.id, "isTyping": True},
        {"conversationId": conv_id, "userId": buyer.id, "isTyping": False}]
    assert received(bsock) == []
    bsock.disconnect(), ssock.disconnect()


def test_a_stop_after_relayed_typing_is_never_dropped(make_app, pair):
    # The frontend sends a stop right after each message: after a burst of keys it met the relay
    # limit and was dropped, and the other side showed "typing..." until the next message.
    app = make_app(RATE_LIMIT_TYPING="2 per minute")
    conv_id, bsock, ssock = _typing_room(app, pair)
    flags = (True, True, True, False, False, True)
    acks = [emit(bsock, "typing", {"conversationId": conv_id, "isTyping": flag}) for flag in flags]
    assert [ack["data"].get("dropped", False) for ack in acks] == [False, False, True, False, True, True]
    assert [e["isTyping"] for e in events(ssock, "user_typing")] == [True, True, False]
    assert received(bsock) == []  # the sender hears nothing of its own typing
    bsock.disconnect(), ssock.disconnect()


def test_a_stop_from_another_tab_ends_the_typing_the_first_one_started(make_app, pair):
    app = make_app(RATE_LIMIT_TYPING="1 per minute")
    buyer = pair[0]
    conv_id, bsock, ssock = _typing_room(app, pair)
    tab = app.extensions["socketio"].test_client(app, auth={"token": buyer.token})
    assert emit(bsock, "typing", {"conversationId": conv_id, "isTyping": True})["data"]["isTyping"] is True
    ack = emit(tab, "typing", {"conversationId": conv_id.upper(), "isTyping": False})
    assert ack["success"] is True and "dropped" not in ack["data"]
    said = {"conversationId": conv_id, "userId": buyer.id}
    assert events(ssock, "user_typing") == [dict(said, isTyping=True), dict(said, isTyping=False)]
    tab.disconnect(), bsock.disconnect(), ssock.disconnect()


def _typing_room(app, pair):
    """Return (conversation id, buyer socket, seller socket), both joined, on `app`."""
    client, (buyer, seller) = app.test_client(), pair
    conv_id = client.post(f"{API}/conversations", json={"otherUserId": seller.id},
                          headers=buyer.headers).get_json()["data"]["conversation"]["id"]
    bsock, ssock = (app.extensions["socketio"].test_client(app, auth={"token": p.token}) for p in pair)
    for sock in (bsock, ssock):
        sock.emit("join_conversation", conv_id)
        sock.get_received()
    return conv_id, bsock, ssock


def test_typing_one_event_per_keystroke_never_counts_toward_the_connection_limit(make_app, pair):
    app = make_app(RATE_LIMIT_SOCKET_EVENTS="4 per minute")  # one is the join
    conv_id, bsock, ssock = _typing_room(app, pair)
    for _ in range(50):  # a held key for a second
        bsock.emit("typing", {"conversationId": conv_id, "isTyping": True})
    assert received(bsock) == [] and bsock.is_connected()
    # The connection's own budget is untouched: three other events still go through.
    acks = [emit(bsock, "mark_as_read", {"conversationId": conv_id}) for _ in range(3)]
    assert [ack["success"] for ack in acks] == [True, True, True]
    assert events(ssock, "user_typing")  # the first ones were relayed
    bsock.disconnect(), ssock.disconnect()


def test_typing_past_its_own_budget_is_dropped_silently(make_app, pair):
    app = make_app(RATE_LIMIT_SOCKET_TYPING="5 per minute", RATE_LIMIT_TYPING="100 per minute")
    conv_id, bsock, ssock = _typing_room(app, pair)
    acks = [emit(bsock, "typing", {"conversationId": conv_id, "isTyping": True}) for _ in range(8)]
    assert all(ack["success"] for ack in acks)
    assert [ack["data"].get("dropped", False) for ack in acks] == [False] * 5 + [True] * 3
    assert received(bsock) == [] and bsock.is_connected()
    assert len(events(ssock, "user_typing")) == 5
    bsock.disconnect(), ssock.disconnect()


def test_a_typing_flood_is_still_cut_off(make_app, pair):
    app = make_app(RATE_LIMIT_SOCKET_FLOOD="50 per minute")
    conv_id, bsock, ssock = _typing_room(app, pair)
    for _ in range(300):
        if not bsock.is_connected():
            break
        bsock.emit("typing", {"conversationId": conv_id, "isTyping": True})
    assert not bsock.is_connected()
    ssock.disconnect()


def test_typing_done_offline_and_sent_as_one_burst_on_reconnect_is_not_a_flood(make_app, pair):
    # socket.io-client sends what it buffered while offline at once: 300 keys is a minute of typing.
    conv_id, bsock, ssock = _typing_room(make_app(), pair)
    for _ in range(300):
        bsock.emit("typing", {"conversationId": conv_id, "isTyping": True})
    assert bsock.is_connected(), "dropped past the typing budget, not cut off"
    assert emit(bsock, "send_message", {"conversationId": conv_id, "content": "back"})["success"] is True
    bsock.disconnect(), ssock.disconnect()


def test_the_typing_relay_limit_holds_for_every_spelling_of_the_conversation_id(make_app, pair):
    app = make_app(RATE_LIMIT_TYPING="2 per minute")
    conv_id, bsock, ssock = _typing_room(app, pair)
    for spelling in (conv_id, conv_id.upper(), conv_id[:12].upper() + conv_id[12:], conv_id.upper()):
        ack = emit(bsock, "typing", {"conversationId": spelling, "isTyping": True})
        assert ack["success"] is True and ack["data"]["conversationId"] == conv_id
    assert len(events(ssock, "user_typing")) == 2
    bsock.disconnect(), ssock.disconnect()


def test_mark_as_read_tells_the_room_except_the_reader(room, connect):
    buyer, seller, conv_id, bsock, ssock = room
    sent = [emit(bsock, "send_message", {"conversationId": conv_id, "content": c})["data"]["message"]
            for c in ("a", "b")]
    bsock.get_received(), ssock.get_received()
    ack = emit(ssock, "mark_as_read", {"conversationId": conv_id, "upToMessageId": sent[0]["id"]})
    assert ack["data"]["count"] == 1
    assert events(bsock, "messages_read") == [ack["data"]]
    assert ack["data"]["userId"] == seller.id and ack["data"]["conversationId"] == conv_id
    assert received(ssock) == []


def test_a_rest_read_tells_the_whole_room(room, client):
    buyer, seller, conv_id, bsock, ssock = room
    emit(bsock, "send_message", {"conversationId": conv_id, "content": "a"})
    bsock.get_received(), ssock.get_received()
    receipt = client.post(f"{API}/conversations/{conv_id}/read", headers=seller.headers).get_json()["data"]
    assert events(bsock, "messages_read") == [receipt] and events(ssock, "messages_read") == [receipt]


def test_edit_and_delete_are_announced_and_guarded(room):
    buyer, seller, conv_id, bsock, ssock = room
    message = emit(bsock, "send_message", {"conversationId": conv_id, "content": "draft"})["data"]["message"]
    bsock.get_received(), ssock.get_received()
    refused = emit(ssock, "edit_message", {"messageId": message["id"], "content": "mine now"})
    assert refused["error"] == "Not authorized to edit this message"
    refused = emit(ssock, "delete_message", {"messageId": message["id"]})
    assert refused["error"] == "Not authorized to delete this message"
    edited = emit(bsock, "edit_message", {"messageId": message["id"], "content": "final"})["data"]["message"]
    expected = {"id": message["id"], "_id": message["id"], "conversationId": conv_id, "content": "final",
                "edited": True, "editedAt": edited["editedAt"], "changeSeq": edited["changeSeq"],
                "safety": {"categories": [], "action": "allow"}}
    assert events(ssock, "message_edited") == [expected] and events(bsock, "message_edited") == [expected]
    emit(bsock, "delete_message", {"messageId": message["id"]})
    gone = {"id": message["id"], "_id": message["id"], "conversationId": conv_id,
            "changeSeq": edited["changeSeq"] + 1}
    assert events(ssock, "message_deleted") == [gone] and events(bsock, "message_deleted") == [gone]
    again = emit(bsock, "edit_message", {"messageId": message["id"], "content": "x"})
    assert again["error"] == "Message not found"


def test_after_leaving_a_socket_gets_no_room_events(room):
    _, _, conv_id, bsock, ssock = room
    emit(ssock, "leave_conversation", conv_id)
    emit(bsock, "send_message", {"conversationId": conv_id, "content": "anyone?"})
    assert [name for name, _ in received(ssock)] == ["message_notification"]


def test_an_outsider_gets_errors_and_no_events(room, connect, person, client):
    buyer, _, conv_id, bsock, _ = room
    outsider = connect(person())
    outsider_chat = connect(person(), "/chat")
    message = emit(bsock, "send_message", {"conversationId": conv_id, "content": "secret"})["data"]["message"]
    attempts = [("join_conversation", conv_id),
                ("send_message", {"conversationId": conv_id, "content": "hi"}),
                ("typing", {"conversationId": conv_id, "isTyping": True}),
                ("mark_as_read", {"conversationId": conv_id}),
                ("edit_message", {"messageId": message["id"], "content": "x"}),
                ("delete_message", {"messageId": message["id"]})]
    for event, payload in attempts:
        assert emit(outsider, event, payload)["success"] is False, event
    emit(bsock, "typing", {"conversationId": conv_id, "isTyping": True})
    client.post(f"{API}/conversations/{conv_id}/messages", json={"content": "more"}, headers=buyer.headers)
    got = received(outsider)
    assert [name for name, _ in got] == ["error"] * len(attempts)
    assert [data["code"] for _, data in got] == ["forbidden"] * 4 + ["not_found"] * 2
    assert received(outsider_chat, "/chat") == []


def test_joining_rooms_is_limited_per_user(make_app, pair):
    app = make_app(RATE_LIMIT_JOINS="2 per minute")
    client = app.test_client()
    buyer, seller = pair
    created = client.post("/api/v1/chat/conversations", json={"otherUserId": seller.id},
                          headers=buyer.headers)
    conv_id = created.get_json()["data"]["conversation"]["id"]
    sock = app.extensions["socketio"].test_client(app, auth={"token": buyer.token})
    acks = [sock.emit("join_conversation", conv_id, callback=True) for _ in range(3)]
    assert [a["success"] for a in acks] == [True, True, False]
    assert acks[-1]["code"] == "rate_limited"
    sock.disconnect()
