"""Agreeing to share contact details, per conversation, over REST and Socket.IO: both must agree,
both are told, and then nothing is masked (history included); withdrawing masks again."""
import pytest

from gharbazaar.chat import safety_gate

from tests.support.sockets import received

API = "/api/v1/chat"
PHONE = "call me on 9876543210"


def agree(client, sock, who, conv_id, transport, withdraw=False):
    if transport == "rest":
        method = client.delete if withdraw else client.post
        response = method(f"{API}/conversations/{conv_id}/contact-sharing", headers=who.headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["data"]
    event = "contact-sharing:withdraw" if withdraw else "contact-sharing:agree"
    ack = sock.emit(event, {"conversationId": conv_id}, callback=True)
    assert ack["success"] is True, ack
    return ack["data"]


def seller_sees(client, seller, conv_id):
    body = client.get(f"{API}/conversations/{conv_id}/messages", headers=seller.headers).get_json()
    return body["data"]["messages"][-1]["content"]


def updates(sock):
    return [payload for name, payload in received(sock) if name == "contact-sharing:updated"]


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_masking_stops_only_once_both_agree_and_both_are_told(client, room, transport):
    buyer, seller, conv_id, bsock, ssock = room
    client.post(f"{API}/conversations/{conv_id}/messages", json={"content": PHONE}, headers=buyer.headers)
    bsock.get_received(), ssock.get_received()
    first = agree(client, bsock, buyer, conv_id, transport)
    assert first["contactSharing"] == {"agreedBy": [buyer.id], "active": False}
    assert updates(bsock) == [first] and updates(ssock) == [first], "both sides see who agreed"
    assert "9876543210" not in seller_sees(client, seller, conv_id), "one agreement is not enough"
    second = agree(client, ssock, seller, conv_id, transport)
    assert second == {"conversationId": conv_id, "userId": seller.id,
                      "contactSharing": {"agreedBy": [buyer.id, seller.id], "active": True}}
    assert updates(bsock) == [second] and updates(ssock) == [second]
    assert seller_sees(client, seller, conv_id) == PHONE, "existing history is shown unmasked"
    conversation = client.get(f"{API}/conversations/{conv_id}", headers=seller.headers).get_json()["data"]
    assert conversation["conversation"]["contactSharing"]["active"] is True
    assert conversation["conversation"]["lastMessage"] == PHONE


def test_after_agreement_new_masked_messages_are_one_broadcast_unmasked(client, room):
    buyer, seller, conv_id, bsock, ssock = room
    for who, sock in ((buyer, bsock), (seller, ssock)):
        agree(client, sock, who, conv_id, "rest")
    bsock.get_received(), ssock.get_received()
    client.post(f"{API}/conversations/{conv_id}/messages", json={"content": PHONE}, headers=buyer.headers)
    [seen] = [p for name, p in received(ssock) if name == "new_message"]
    assert seen["content"] == PHONE and seen["safety"] == {"categories": ["phone"], "action": "mask"}


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_withdrawing_masks_again_for_what_is_read_next(client, room, transport):
    buyer, seller, conv_id, bsock, ssock = room
    client.post(f"{API}/conversations/{conv_id}/messages", json={"content": PHONE}, headers=buyer.headers)
    for who, sock in ((buyer, bsock), (seller, ssock)):
        agree(client, sock, who, conv_id, transport)
    assert seller_sees(client, seller, conv_id) == PHONE
    bsock.get_received(), ssock.get_received()
    state = agree(client, bsock, buyer, conv_id, transport, withdraw=True)
    assert state["contactSharing"] == {"agreedBy": [seller.id], "active": False}
    assert updates(ssock) == [state]
    assert "9876543210" not in seller_sees(client, seller, conv_id)


def test_outsiders_cannot_agree_for_a_conversation(client, room, person, socket_client):
    _buyer, _seller, conv_id, _b, _s = room
    stranger = person()
    response = client.post(f"{API}/conversations/{conv_id}/contact-sharing", headers=stranger.headers)
    assert response.status_code == 403
    assert response.get_json()["error"] == "Not authorized for this conversation"
    sock = socket_client(stranger.token)
    ack = sock.emit("contact-sharing:agree", conv_id, callback=True)
    assert ack == {"success": False, "error": "Not authorized for this conversation", "code": "forbidden"}


def test_an_edit_inspected_while_sharing_is_withdrawn_reaches_the_other_side_masked(
        client, room, monkeypatch):
    buyer, seller, conv_id, bsock, ssock = room
    message = client.post(f"{API}/conversations/{conv_id}/messages", json={"content": "hello"},
                          headers=buyer.headers).get_json()["data"]["message"]
    for who, sock in ((buyer, bsock), (seller, ssock)):
        agree(client, sock, who, conv_id, "rest")
    real_screen = safety_gate.screen

    def withdrawn_meanwhile(content):
        agree(client, ssock, seller, conv_id, "rest", withdraw=True)
        return real_screen(content)
    monkeypatch.setattr(safety_gate, "screen", withdrawn_meanwhile)
    bsock.get_received(), ssock.get_received()
    ack = bsock.emit("edit_message", {"messageId": message["id"], "content": PHONE}, callback=True)
    assert ack["success"] is True and ack["data"]["message"]["content"] == PHONE
    [theirs] = [p for name, p in received(ssock) if name == "message_edited"]
    assert "9876543210" not in theirs["content"], "numbered after the withdrawal: masked"
