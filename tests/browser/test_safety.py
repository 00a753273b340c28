"""The chat safety guard seen from two real browser pages: the recipient gets the masked form."""
from types import SimpleNamespace

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PHONE = "call me on 9876543210"


@pytest.fixture
def chat(open_page):
    """A buyer and a seller, both connected (upgraded to websocket) and in their conversation."""
    buyer, seller = open_page("buyer", name="Asha Buyer"), open_page("seller", name="Ravi Seller")
    created = buyer.api("POST", "/api/v1/chat/conversations", {"otherUserId": seller.id})
    assert created.status == 201, created.body
    conv_id = created.data["conversation"]["id"]
    for page in (buyer, seller):
        assert page.connected()["transport"] == "websocket"
        assert page.emit("join_conversation", {"conversationId": conv_id})["success"] is True
    return SimpleNamespace(buyer=buyer, seller=seller, id=conv_id)


def test_the_recipient_page_gets_one_masked_message_and_the_sender_page_the_original(chat):
    ack = chat.buyer.emit("send_message", {"conversationId": chat.id, "content": PHONE})
    assert ack["success"] is True and ack["data"]["message"]["content"] == PHONE
    [masked] = chat.seller.wait_for("new_message")
    [own] = chat.buyer.wait_for("new_message")
    assert own["content"] == PHONE
    assert masked["id"] == own["id"] and "9876543210" not in masked["content"]
    assert masked["content"].startswith("call me on ")
    assert masked["safety"] == own["safety"] == {"categories": ["phone"], "action": "mask"}
    chat.seller.settle()
    assert len(chat.seller.received("new_message")) == 1, "the recipient gets the message once"
    [note] = chat.seller.wait_for("message_notification")
    assert note["message"]["content"] == masked["content"]
    # Read back over REST from each page: each side keeps its own form.
    path = f"/api/v1/chat/conversations/{chat.id}/messages"
    assert [m["content"] for m in chat.seller.api("GET", path).data["messages"]] == [masked["content"]]
    assert [m["content"] for m in chat.buyer.api("GET", path).data["messages"]] == [PHONE]
