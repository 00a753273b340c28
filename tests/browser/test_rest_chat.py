"""Chat REST from the frontend's page: every call preflighted, as the real frontend makes it."""
import pytest

from tests.support import unique

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHAT = "/api/v1/chat"


@pytest.fixture
def buyer(open_page):
    return open_page("buyer", name="Asha Buyer")


@pytest.fixture
def seller(open_page):
    return open_page("seller", name="Ravi Seller")


def start(buyer, seller, **body):
    answer = buyer.api("POST", f"{CHAT}/conversations", {"otherUserId": seller.id, **body})
    assert answer.status == 201, answer.body
    return answer.data["conversation"]


def test_conversations_are_created_once_per_pair_and_property_then_listed_and_read(buyer, seller):
    property_id = unique("villa")
    created = start(buyer, seller, propertyId=property_id, propertyTitle="Villa by the lake")
    assert created["id"] == created["_id"] and set(created["participants"]) == {buyer.id, seller.id}
    again = buyer.api("POST", f"{CHAT}/conversations", {"otherUserId": seller.id, "propertyId": property_id})
    assert again.status == 200 and again.data["conversation"]["id"] == created["id"]

    listed = seller.api("GET", f"{CHAT}/conversations")
    assert listed.status == 200
    assert [c["id"] for c in listed.data["conversations"]] == [created["id"]]
    one = seller.api("GET", f"{CHAT}/conversations/{created['id']}")
    assert one.status == 200
    assert one.data["conversation"]["otherUser"]["id"] == buyer.id
    assert one.data["conversation"]["otherUser"]["name"]


def test_a_conversation_with_yourself_is_refused(buyer):
    answer = buyer.api("POST", f"{CHAT}/conversations", {"otherUserId": buyer.id})
    assert (answer.status, answer.body["success"]) == (400, False)
    assert answer.body["error"] == "Cannot create conversation with yourself"


def test_messages_are_posted_paged_read_edited_and_deleted(buyer, seller):
    conv_id = start(buyer, seller)["id"]
    sent = [buyer.api("POST", f"{CHAT}/conversations/{conv_id}/messages", {"content": text})
            for text in ("Is it available?", "Can I visit on Sunday?")]
    assert [a.status for a in sent] == [201, 201]
    first = sent[0].data["message"]
    assert (first["senderId"], first["content"], first["type"], first["read"]) == (
        buyer.id, "Is it available?", "text", False)

    page = seller.api("GET", f"{CHAT}/conversations/{conv_id}/messages?limit=50")
    assert page.status == 200 and page.data["hasMore"] is False
    assert [m["content"] for m in page.data["messages"]] == ["Is it available?", "Can I visit on Sunday?"]

    assert seller.api("POST", f"{CHAT}/conversations/{conv_id}/read").status == 200
    after = buyer.api("GET", f"{CHAT}/conversations/{conv_id}/messages").data["messages"]
    assert all(m["read"] is True and m["readAt"] for m in after)

    edited = buyer.api("PUT", f"{CHAT}/messages/{first['id']}", {"content": "Still available?"})
    assert edited.status == 200
    assert (edited.data["message"]["content"], edited.data["message"]["edited"]) == ("Still available?", True)
    deleted = buyer.api("DELETE", f"{CHAT}/messages/{first['id']}")
    assert deleted.status == 200
    gone = deleted.data["message"]
    assert (gone["deleted"], gone["content"]) == (True, "[Message deleted]")


def test_only_participants_see_a_conversation_s_messages(buyer, seller, open_page):
    conv_id = start(buyer, seller)["id"]
    outsider = open_page("buyer")
    answer = outsider.api("GET", f"{CHAT}/conversations/{conv_id}/messages")
    assert answer.status == 403
    assert answer.body == {"success": False, "error": "Not authorized to view this conversation",
                           "code": "forbidden"}


def test_deleting_a_conversation_hides_it_for_the_caller_until_a_new_message(buyer, seller):
    conv_id = start(buyer, seller)["id"]
    assert seller.api("DELETE", f"{CHAT}/conversations/{conv_id}").status == 200
    assert seller.api("GET", f"{CHAT}/conversations").data["conversations"] == []
    assert [c["id"] for c in buyer.api("GET", f"{CHAT}/conversations").data["conversations"]] == [conv_id]

    assert buyer.api("POST", f"{CHAT}/conversations/{conv_id}/messages", {"content": "Hello?"}).status == 201
    assert [c["id"] for c in seller.api("GET", f"{CHAT}/conversations").data["conversations"]] == [conv_id]
