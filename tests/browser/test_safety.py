"""The chat safety guard seen from two real browser pages: the recipient gets the masked form."""
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PHONE = "call me on 9876543210"


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
