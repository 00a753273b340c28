"""The safety guard on every message path, over REST and Socket.IO: flags stored and shown, contact
details masked for the recipient only, blocked text refused, every read path in the viewer's form."""
import pytest
from bson import ObjectId

from gharbazaar import db
from gharbazaar.config import ConfigError
from tests.support.sockets import chat_events as events, received

API = "/api/v1/chat"
PHONE = "call me on 9876543210"
EMAIL = "mail me at ravi.k@gmail.com"
UPI = "pay the token advance on upi ravi@okaxis"
CLEAN_TEXT = "2BHK on 4th floor, 45 lakh, 1200 sqft"
CLEAN = {"categories": [], "action": "allow"}


def send(client, who, conv_id, content):
    return client.post(f"{API}/conversations/{conv_id}/messages", json={"content": content},
                       headers=who.headers)


def history(client, who, conv_id):
    body = client.get(f"{API}/conversations/{conv_id}/messages", headers=who.headers).get_json()
    return body["data"]["messages"]


def preview(client, who, conv_id):
    body = client.get(f"{API}/conversations", headers=who.headers).get_json()["data"]
    return next(c for c in body["conversations"] if c["id"] == conv_id)["lastMessage"]


def assert_masked_phone(text):
    assert "9876543210" not in text and text.startswith("call me on ") and text != PHONE


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_a_masked_message_reaches_each_participant_in_their_own_form(client, room, transport):
    buyer, seller, conv_id, bsock, ssock = room
    if transport == "rest":
        response = send(client, buyer, conv_id, PHONE)
        assert response.status_code == 201
        answer = response.get_json()["data"]["message"]
    else:
        ack = bsock.emit("send_message", {"conversationId": conv_id, "content": PHONE}, callback=True)
        answer = ack["data"]["message"]
    assert answer["content"] == PHONE
    assert answer["safety"] == {"categories": ["phone"], "action": "mask"}
    to_buyer, to_seller = received(bsock), received(ssock)
    [own] = [payload for name, payload in to_buyer if name == "new_message"]
    [theirs] = [payload for name, payload in to_seller if name == "new_message"]
    assert own["content"] == PHONE and own["id"] == theirs["id"]
    assert_masked_phone(theirs["content"])
    assert theirs["safety"] == own["safety"] == answer["safety"]
    [note] = [payload for name, payload in to_seller if name == "message_notification"]
    assert_masked_phone(note["message"]["content"])
    assert "message_notification" not in [name for name, _ in to_buyer]
    # Every read path afterwards: history, the list's preview, resync.
    assert history(client, buyer, conv_id)[-1]["content"] == PHONE
    assert_masked_phone(history(client, seller, conv_id)[-1]["content"])
    assert preview(client, buyer, conv_id) == PHONE
    assert_masked_phone(preview(client, seller, conv_id))
    for who, check in ((buyer, lambda text: text == PHONE), (seller, lambda text: "9876543210" not in text)):
        synced = client.post("/api/v1/sync", json={"conversations": {conv_id: 0}}, headers=who.headers)
        [entry] = synced.get_json()["data"]["conversations"]
        assert check(entry["messages"][-1]["content"]) and check(entry["conversation"]["lastMessage"])
        assert entry["messages"][-1]["safety"]["action"] == "mask"


def test_the_stored_message_keeps_the_original_and_its_flags(app, client, room):
    buyer, _seller, conv_id, _b, _s = room
    message = send(client, buyer, conv_id, EMAIL).get_json()["data"]["message"]
    stored = db.get_db(app).messages.find_one({"_id": ObjectId(message["id"])})
    assert stored["content"] == EMAIL and stored["safety"] == {"categories": ["email"], "action": "mask"}
    assert "ravi.k@gmail.com" not in stored["maskedContent"]


def test_a_clean_message_is_one_broadcast_with_clean_flags(client, room):
    buyer, _seller, conv_id, bsock, ssock = room
    message = send(client, buyer, conv_id, CLEAN_TEXT).get_json()["data"]["message"]
    assert message["safety"] == CLEAN
    assert events(bsock, "new_message") == events(ssock, "new_message") == [message]


def test_messages_stored_before_the_guard_read_as_clean(app, client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    send(client, buyer, conv_id, CLEAN_TEXT)
    db.get_db(app).messages.update_many({}, {"$unset": {"safety": "", "maskedContent": ""}})
    assert [m["safety"] for m in history(client, seller, conv_id)] == [CLEAN]


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_a_warned_message_carries_the_warning_to_the_recipient_unmasked(client, room, transport):
    buyer, seller, conv_id, bsock, ssock = room
    text = "please send token amount before the visit"
    if transport == "rest":
        send(client, buyer, conv_id, text)
    else:
        ack = bsock.emit("send_message", {"conversationId": conv_id, "content": text}, callback=True)
        assert ack["success"] is True
    [seen] = events(ssock, "new_message")
    assert seen["content"] == text and seen["safety"] == {"categories": ["payment"], "action": "warn"}
    assert history(client, seller, conv_id)[-1]["safety"]["action"] == "warn"


@pytest.fixture
def strict(make_app, pair, socket_client):
    """An app whose policy blocks phone numbers: (client, buyer, seller, conversation id, buyer socket)."""
    app = make_app(SAFETY_POLICY={"phone": "block"})
    client = app.test_client()
    buyer, seller = pair
    created = client.post(f"{API}/conversations", json={"otherUserId": seller.id, "propertyId": "p1"},
                          headers=buyer.headers)
    conv_id = created.get_json()["data"]["conversation"]["id"]
    sock = socket_client(buyer.token, target=app)
    return client, buyer, seller, conv_id, sock


def test_blocked_text_is_refused_over_rest_with_the_reason(strict):
    client, buyer, seller, conv_id, _sock = strict
    response = send(client, buyer, conv_id, PHONE)
    body = response.get_json()
    assert response.status_code == 422 and body["code"] == "message_blocked" and body["success"] is False
    assert body["error"] and "9876543210" not in str(body)
    assert body["details"] == [{"field": "content", "message": "Not allowed here: phone."}]
    assert history(client, seller, conv_id) == []
    created = client.post(f"{API}/conversations", headers=buyer.headers,
                          json={"otherUserId": seller.id, "propertyId": "p2", "initialMessage": PHONE})
    assert created.status_code == 422
    listed = client.get(f"{API}/conversations", headers=buyer.headers).get_json()["data"]["conversations"]
    assert [c["propertyId"] for c in listed] == ["p1"], "a refused first message left a conversation"


def test_blocked_text_is_refused_over_the_socket_with_an_error_event(strict):
    client, _buyer, seller, conv_id, sock = strict
    sock.get_received()
    ack = sock.emit("send_message", {"conversationId": conv_id, "content": PHONE}, callback=True)
    assert ack["success"] is False and ack["code"] == "message_blocked"
    assert ack["details"] == [{"field": "content", "message": "Not allowed here: phone."}]
    [error] = events(sock, "error")
    assert error == {"message": ack["error"], "code": "message_blocked", "event": "send_message"}
    assert events(sock, "new_message") == [] and history(client, seller, conv_id) == []


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_edits_are_inspected_like_new_messages(strict, transport):
    client, buyer, seller, conv_id, sock = strict
    message = send(client, buyer, conv_id, CLEAN_TEXT).get_json()["data"]["message"]
    if transport == "rest":
        response = client.put(f"{API}/messages/{message['id']}", json={"content": PHONE},
                              headers=buyer.headers)
        assert response.status_code == 422 and response.get_json()["code"] == "message_blocked"
    else:
        ack = sock.emit("edit_message", {"messageId": message["id"], "content": PHONE}, callback=True)
        assert ack["code"] == "message_blocked"
    assert history(client, seller, conv_id)[-1]["content"] == CLEAN_TEXT


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_an_edit_that_adds_contact_details_is_masked_for_the_recipient(client, room, transport):
    buyer, seller, conv_id, bsock, ssock = room
    message = send(client, buyer, conv_id, CLEAN_TEXT).get_json()["data"]["message"]
    bsock.get_received(), ssock.get_received()
    if transport == "rest":
        client.put(f"{API}/messages/{message['id']}", json={"content": UPI}, headers=buyer.headers)
    else:
        ack = bsock.emit("edit_message", {"messageId": message["id"], "content": UPI}, callback=True)
        assert ack["success"] is True
    [own], [theirs] = events(bsock, "message_edited"), events(ssock, "message_edited")
    assert own["content"] == UPI and "ravi@okaxis" not in theirs["content"]
    assert "upi" in theirs["safety"]["categories"] and theirs["safety"] == own["safety"]
    assert "ravi@okaxis" not in preview(client, seller, conv_id) and preview(client, buyer, conv_id) == UPI


REORDERED = "\u202e01234 56789\u202c"  # drawn right to left: "98765 43210", a mobile number


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_text_is_stored_and_inspected_as_it_is_drawn_without_reordering_controls(client, room, transport):
    buyer, seller, conv_id, bsock, ssock = room
    wrapped = "call \u2067me\u2069 on \u202d9876543210\u202c"
    answers = []
    for text in (REORDERED, wrapped):
        if transport == "rest":
            answers.append(send(client, buyer, conv_id, text).get_json()["data"]["message"])
        else:
            ack = bsock.emit("send_message", {"conversationId": conv_id, "content": text}, callback=True)
            answers.append(ack["data"]["message"])
    assert answers[0]["content"] == "01234 56789", "drawn as stored: no longer a number read backwards"
    assert answers[1]["content"] == PHONE and answers[1]["safety"]["action"] == "mask"
    shown = [m["content"] for m in history(client, seller, conv_id)] + [preview(client, seller, conv_id)]
    for text in shown:
        assert not any(ch in text for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    body = {"otherUserId": buyer.id, "propertyId": "p-2", "initialMessage": "\u202e\u202c"}
    created = client.post(f"{API}/conversations", headers=seller.headers, json=body)
    assert created.status_code == 201
    assert created.get_json()["data"]["conversation"]["lastMessage"] in ("", None), "nothing left to send"


def test_a_deleted_masked_message_reads_clean_and_shows_no_original(client, room):
    buyer, seller, conv_id, _b, _s = room
    message = send(client, buyer, conv_id, PHONE).get_json()["data"]["message"]
    client.delete(f"{API}/messages/{message['id']}", headers=buyer.headers)
    [seen] = history(client, seller, conv_id)
    assert seen["content"] == "[Message deleted]" and seen["safety"] == CLEAN


@pytest.mark.parametrize("settings, words", [
    ({"SAFETY_POLICY": {"phone": "shout"}}, "shout"),
    ({"SAFETY_POLICY": {"fax": "mask"}}, "fax"),
])
def test_an_invalid_policy_stops_the_app_from_starting(make_app, settings, words):
    with pytest.raises(ConfigError, match="SAFETY_POLICY") as raised:
        make_app(**settings)
    assert words in str(raised.value)


def test_the_policy_environment_variable_must_be_a_json_object():
    from gharbazaar.config import from_env
    with pytest.raises(ConfigError, match="SAFETY_POLICY is not valid JSON"):
        from_env({"SAFETY_POLICY": "{phone: block}"})
    with pytest.raises(ConfigError, match="JSON object"):
        from_env({"SAFETY_POLICY": '["phone"]'})
    parsed = from_env({"SAFETY_POLICY": '{"payment": "block"}', "SAFETY_LINK_ALLOWLIST": "a.in, b.com"})
    assert parsed["SAFETY_POLICY"] == {"payment": "block"}
    assert parsed["SAFETY_LINK_ALLOWLIST"] == ["a.in", "b.com"]
