"""Chat over Socket.IO between two users, each in a browser context of their own."""
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def say(chat, text="Is it available?"):
    """The buyer sends a message; return it as the seller received it."""
    ack = chat.buyer.emit("send_message", {"conversationId": chat.id, "content": text})
    assert ack["success"] is True, ack
    return chat.seller.wait_for("new_message")[-1]


def test_a_message_reaches_both_sides_and_notifies_only_the_other(chat):
    message = say(chat)
    assert (message["conversationId"], message["senderId"], message["content"]) == (
        chat.id, chat.buyer.id, "Is it available?")
    assert message["id"] == message["_id"]
    assert chat.buyer.wait_for("new_message") == [message]
    assert chat.seller.wait_for("message_notification") == [{"conversationId": chat.id, "message": message}]
    chat.buyer.settle()
    assert chat.buyer.received("message_notification") == []


def test_typing_is_shown_to_the_other_side_only(chat):
    chat.buyer.send("typing", {"conversationId": chat.id, "isTyping": True})
    typing = chat.seller.wait_for("user_typing")
    assert typing == [{"conversationId": chat.id, "userId": chat.buyer.id, "isTyping": True}]
    chat.buyer.settle()
    assert chat.buyer.received("user_typing") == []


def test_reading_tells_the_sender_only(chat):
    say(chat)
    assert chat.seller.emit("mark_as_read", {"conversationId": chat.id})["success"] is True
    receipt = chat.buyer.wait_for("messages_read")[0]
    assert (receipt["conversationId"], receipt["userId"], receipt["count"]) == (chat.id, chat.seller.id, 1)
    assert receipt["readAt"].endswith("Z")
    chat.seller.settle()
    assert chat.seller.received("messages_read") == []


def test_edits_and_deletions_reach_both_sides(chat):
    message = say(chat)
    same = (message["id"], message["id"], chat.id)
    edit = {"messageId": message["id"], "content": "Still available?"}
    assert chat.buyer.emit("edit_message", edit)["success"] is True
    for page in (chat.buyer, chat.seller):
        edited = page.wait_for("message_edited")[0]
        assert (edited["id"], edited["_id"], edited["conversationId"]) == same
        assert (edited["content"], edited["edited"]) == ("Still available?", True) and edited["editedAt"]

    assert chat.buyer.emit("delete_message", {"messageId": message["id"]})["success"] is True
    for page in (chat.buyer, chat.seller):
        deleted = page.wait_for("message_deleted")[0]
        assert (deleted["id"], deleted["_id"], deleted["conversationId"]) == same


def test_only_the_sender_may_edit_or_delete(chat):
    message = say(chat)
    refused = chat.seller.emit("edit_message", {"messageId": message["id"], "content": "mine now"})
    assert refused == {"success": False, "error": "Not authorized to edit this message", "code": "forbidden"}
    refused = chat.seller.emit("delete_message", {"messageId": message["id"]})
    assert refused["success"] is False and refused["error"] == "Not authorized to delete this message"
    errors = chat.seller.wait_for("error", count=2)
    assert [e["event"] for e in errors] == ["edit_message", "delete_message"]


def test_after_leaving_the_conversation_only_notifications_arrive(chat):
    assert chat.seller.emit("leave_conversation", {"conversationId": chat.id})["success"] is True
    chat.buyer.emit("send_message", {"conversationId": chat.id, "content": "Are you there?"})
    notified = chat.seller.wait_for("message_notification")
    assert notified[0]["message"]["content"] == "Are you there?"
    chat.seller.settle()
    assert chat.seller.received("new_message") == []
    assert [m["content"] for m in chat.buyer.wait_for("new_message")] == ["Are you there?"]


def test_typing_at_a_held_key_pace_is_never_refused_nor_cut_off(chat):
    sent = chat.buyer.js("([c]) => gb.holdKey('main', c, 40, 2000)", chat.id)
    assert 60 <= sent <= 90, sent  # 40 keystrokes a second for 2 s, give or take the timer
    chat.buyer.settle()
    state = chat.buyer.state()
    assert state["connected"] and state["disconnects"] == [], state
    assert chat.buyer.received("error") == []
    assert chat.seller.wait_for("user_typing")[0]["userId"] == chat.buyer.id
    ack = chat.buyer.emit("send_message", {"conversationId": chat.id, "content": "Done typing"})
    assert ack["success"] is True, ack
