"""The chat REST API (/api/v1/chat) through the Flask test client."""
import re

import pytest

from tests.support import unique

API = "/api/v1/chat"
MESSAGE_FIELDS = ["id", "_id", "conversationId", "senderId", "senderEmail", "senderName", "content", "type",
                  "fileUrl", "thumbnailUrl", "fileName", "fileSize", "read", "readAt", "edited", "deleted",
                  "clientMessageId", "seq", "changeSeq", "createdAt", "updatedAt", "safety"]
CONVERSATION_FIELDS = ["id", "_id", "type", "conversationType", "participants", "propertyId", "propertyTitle",
                       "lastMessage", "lastMessageAt", "seq", "unreadCount", "otherUser", "contactSharing",
                       "createdAt", "updatedAt"]
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def send(client, who, conversation_id, **body):
    return client.post(f"{API}/conversations/{conversation_id}/messages", json=body, headers=who.headers)


def test_creating_a_conversation_answers_201_then_200_with_the_document(client, pair):
    buyer, seller = pair
    body = {"otherUserId": seller.id, "propertyId": 4711, "propertyTitle": "2BHK in Pune"}
    first = client.post(f"{API}/conversations", json=body, headers=buyer.headers)
    again = client.post(f"{API}/conversations", json=body, headers=buyer.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    conv = first.get_json()["data"]["conversation"]
    assert first.get_json()["success"] is True
    assert list(conv) == CONVERSATION_FIELDS
    assert conv["id"] == conv["_id"] == again.get_json()["data"]["conversation"]["id"]
    assert conv["participants"] == [buyer.id, seller.id] and conv["propertyId"] == "4711"
    assert conv["type"] == conv["conversationType"] == "property"
    assert conv["unreadCount"] == 0 and conv["lastMessage"] == "" and ISO.match(conv["lastMessageAt"])
    assert conv["otherUser"] == {"id": seller.id, "name": seller.id, "email": None}


def test_a_blank_property_is_the_direct_conversation(client, pair):
    buyer, seller = pair
    first = client.post(f"{API}/conversations", json={"otherUserId": seller.id, "propertyId": ""},
                        headers=buyer.headers)
    again = client.post(f"{API}/conversations", json={"otherUserId": buyer.id, "propertyId": None},
                        headers=seller.headers)
    assert (first.status_code, again.status_code) == (201, 200)
    conv = again.get_json()["data"]["conversation"]
    assert conv["propertyId"] is None and conv["type"] == "direct"
    assert conv["id"] == first.get_json()["data"]["conversation"]["id"]


def test_a_conversation_with_yourself_is_a_400(client, person):
    me = person()
    response = client.post(f"{API}/conversations", json={"otherUserId": me.id}, headers=me.headers)
    assert response.status_code == 400
    assert response.get_json() == {"success": False, "error": "Cannot create conversation with yourself",
                                   "code": "validation_error",
                                   "details": [{"field": "otherUserId", "message": "Must be another user."}]}


def test_an_id_is_trimmed_so_yourself_padded_is_still_yourself(client, person):
    me = person()
    response = client.post(f"{API}/conversations", json={"otherUserId": f" {me.id}\t"}, headers=me.headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == "Cannot create conversation with yourself"


@pytest.mark.parametrize("other", ["   \t\n", "u2\x00", "\x1b[31mu2", "x" * 257])
def test_a_user_id_nobody_could_have_is_refused(client, person, other):
    response = client.post(f"{API}/conversations", json={"otherUserId": other}, headers=person().headers)
    assert response.status_code == 400
    assert response.get_json()["details"] == [{"field": "otherUserId", "message": "Not a valid user id."}]


@pytest.mark.parametrize("body", [{}, {"otherUserId": 42}, {"otherUserId": {"$ne": None}},
                                  {"otherUserId": "x", "propertyTitle": ["a"]}])
def test_bad_conversation_bodies_are_400(client, person, body):
    response = client.post(f"{API}/conversations", json=body, headers=person().headers)
    assert response.status_code == 400 and response.get_json()["code"] == "validation_error"


def test_chat_needs_a_token(client):
    response = client.get(f"{API}/conversations")
    assert response.status_code == 401
    assert response.get_json()["error"] == "No token provided. Please login."


def test_new_conversations_over_the_limit_are_429(make_app, person):
    client, me = make_app(RATE_LIMIT_CONVERSATIONS="1 per hour").test_client(), person()
    first = client.post(f"{API}/conversations", json={"otherUserId": "s1"}, headers=me.headers)
    second = client.post(f"{API}/conversations", json={"otherUserId": "s2"}, headers=me.headers)
    assert first.status_code == 201
    assert second.status_code == 429 and second.get_json()["code"] == "rate_limited"
    assert int(second.headers["Retry-After"]) >= 1


def test_the_other_users_email_shows_only_once_they_have_written(client, pair):
    buyer, seller = pair
    client.get(f"{API}/conversations", headers=seller.headers)  # the backend learns the seller's email
    created = client.post(f"{API}/conversations", json={"otherUserId": seller.id}, headers=buyer.headers)
    conv = created.get_json()["data"]["conversation"]
    assert conv["otherUser"]["email"] is None
    assert send(client, buyer, conv["id"], content="Is it available?").status_code == 201
    mine = client.get(f"{API}/conversations/{conv['id']}", headers=buyer.headers).get_json()["data"]
    assert mine["conversation"]["otherUser"]["email"] is None
    assert send(client, seller, conv["id"], content="Yes").status_code == 201
    mine = client.get(f"{API}/conversations/{conv['id']}", headers=buyer.headers).get_json()["data"]
    assert mine["conversation"]["otherUser"]["email"] == f"{seller.id}@example.com"


def test_list_and_get_show_the_callers_view(client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    assert send(client, buyer, conv_id, content="Hello").status_code == 201
    listed = client.get(f"{API}/conversations", headers=seller.headers).get_json()["data"]
    (conv,) = listed["conversations"]
    assert conv["id"] == conv_id and conv["unreadCount"] == 1 and conv["lastMessage"] == "Hello"
    assert conv["otherUser"] == {"id": buyer.id, "name": "Asha Buyer", "email": f"{buyer.id}@example.com"}
    mine = client.get(f"{API}/conversations/{conv_id}", headers=buyer.headers).get_json()["data"]
    assert mine["conversation"]["unreadCount"] == 0


def test_conversation_list_pages_with_limit_and_before(client, person, start, age):
    me = person()
    ids = [start(me, person("seller")) for _ in range(3)]
    for minutes, conv_id in zip((30, 20, 10), ids):
        age(conv_id, minutes)
    page = client.get(f"{API}/conversations?limit=2", headers=me.headers).get_json()["data"]
    assert [c["id"] for c in page["conversations"]] == [ids[2], ids[1]] and page["hasMore"] is True
    rest = client.get(f"{API}/conversations", query_string={"before": page["nextBefore"]},
                      headers=me.headers).get_json()["data"]
    assert [c["id"] for c in rest["conversations"]] == ids[:1]
    exact = client.get(f"{API}/conversations", headers=me.headers, query_string={
        "before": page["nextBefore"], "beforeId": page["nextBeforeId"]}).get_json()["data"]
    assert [c["id"] for c in exact["conversations"]] == ids[:1]
    for query in ("limit=0", "limit=101", "before=yesterday", "before=2026-01-01T00:00:00Z&beforeId=x"):
        assert client.get(f"{API}/conversations?{query}", headers=me.headers).status_code == 400, query


def test_messages_are_sent_listed_and_paged(client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    sent = [send(client, buyer, conv_id, content=f"  m{n}  ").get_json()["data"]["message"] for n in range(3)]
    assert list(sent[0]) == MESSAGE_FIELDS
    assert sent[0]["content"] == "m0" and sent[0]["type"] == "text" and sent[0]["senderName"] == "Asha Buyer"
    assert sent[0]["read"] is False and sent[0]["deleted"] is False and ISO.match(sent[0]["createdAt"])
    page = client.get(f"{API}/conversations/{conv_id}/messages?limit=2", headers=seller.headers).get_json()
    assert [m["content"] for m in page["data"]["messages"]] == ["m1", "m2"]
    assert page["data"]["hasMore"] is True and page["data"]["nextBefore"] == sent[1]["id"]
    older = client.get(f"{API}/conversations/{conv_id}/messages", query_string={"before": sent[1]["id"]},
                       headers=seller.headers)
    assert [m["content"] for m in older.get_json()["data"]["messages"]] == ["m0"]
    skipped = client.get(f"{API}/conversations/{conv_id}/messages?skip=1&limit=1", headers=seller.headers)
    assert [m["content"] for m in skipped.get_json()["data"]["messages"]] == ["m1"]
    bad = client.get(f"{API}/conversations/{conv_id}/messages?before=nope", headers=seller.headers)
    assert bad.status_code == 400


@pytest.mark.parametrize("body, field", [
    ({"content": "   "}, "content"), ({"content": "x" * 10001}, "content"), ({}, "content"),
    ({"content": {"$ne": None}}, "content"), ({"content": "hi", "type": "video"}, "type"),
    ({"content": "", "type": "image"}, "fileUrl"),
])
def test_bad_messages_are_400(client, pair, start, body, field):
    buyer, seller = pair
    response = send(client, buyer, start(buyer, seller), **body)
    assert response.status_code == 400 and response.get_json()["code"] == "validation_error"
    assert response.get_json()["details"][0]["field"].startswith(field)


def test_ten_thousand_characters_after_trim_are_allowed(client, pair, start):
    buyer, seller = pair
    response = send(client, buyer, start(buyer, seller), content="  " + "x" * 10000 + "\n")
    assert response.status_code == 201 and len(response.get_json()["data"]["message"]["content"]) == 10000


def test_a_repeated_client_message_id_answers_the_original_with_200(client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    first = send(client, buyer, conv_id, content="hi", clientMessageId="tmp-1")
    again = send(client, buyer, conv_id, content="hi", clientMessageId="tmp-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["data"]["message"] == first.get_json()["data"]["message"]
    assert first.get_json()["data"]["message"]["clientMessageId"] == "tmp-1"


def test_messages_over_the_limit_are_429(make_app, pair, start):
    app = make_app(RATE_LIMIT_MESSAGES="2 per minute")
    client, (buyer, seller) = app.test_client(), pair
    conv_id = client.post(f"{API}/conversations", json={"otherUserId": seller.id},
                          headers=buyer.headers).get_json()["data"]["conversation"]["id"]
    answers = [send(client, buyer, conv_id, content=str(n)) for n in range(3)]
    assert [answer.status_code for answer in answers] == [201, 201, 429]
    # The message limit's own window, not the REST limit's (15 minutes) that flask-limiter adds.
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60  # rounded up, never past the window


def test_a_retry_of_a_stored_message_and_a_reopening_are_answered_past_the_message_limit(
        make_app, pair):
    app = make_app(RATE_LIMIT_MESSAGES="2 per minute")
    client, (buyer, seller) = app.test_client(), pair
    body = {"otherUserId": seller.id, "propertyId": "p-1", "initialMessage": "Is it available?"}
    created = client.post(f"{API}/conversations", json=body, headers=buyer.headers)
    conv_id = created.get_json()["data"]["conversation"]["id"]
    for _ in range(3):  # the contact form sends its initialMessage every time
        assert client.post(f"{API}/conversations", json=body, headers=buyer.headers).status_code == 200
    url = f"{API}/conversations/{conv_id}/messages"
    first = client.post(url, json={"content": "hello", "clientMessageId": "c-1"}, headers=buyer.headers)
    assert first.status_code == 201, "re-opening spent none of the two"
    assert client.post(url, json={"content": "more", "clientMessageId": "c-2"},
                       headers=buyer.headers).status_code == 429
    retried = client.post(url, json={"content": "hello", "clientMessageId": "c-1"}, headers=buyer.headers)
    assert retried.status_code == 200
    assert retried.get_json()["data"]["message"] == first.get_json()["data"]["message"]
    assert client.post(f"{API}/conversations", json=body, headers=buyer.headers).status_code == 200


def test_read_marks_the_other_sides_messages(client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    send(client, buyer, conv_id, content="one")
    send(client, seller, conv_id, content="mine")
    receipt = client.post(f"{API}/conversations/{conv_id}/read", headers=seller.headers).get_json()["data"]
    assert receipt["count"] == 1 and receipt["userId"] == seller.id and ISO.match(receipt["readAt"])
    messages = client.get(f"{API}/conversations/{conv_id}/messages", headers=buyer.headers)
    assert [m["read"] for m in messages.get_json()["data"]["messages"]] == [True, False]


def test_edit_and_delete_over_rest(client, pair, start):
    buyer, seller = pair
    message = send(client, buyer, start(buyer, seller), content="draft").get_json()["data"]["message"]
    url = f"{API}/messages/{message['id']}"
    refused = client.put(url, json={"content": "x"}, headers=seller.headers)
    assert refused.status_code == 403 and refused.get_json()["error"] == "Not authorized to edit this message"
    edited = client.put(url, json={"content": " final "}, headers=buyer.headers).get_json()["data"]["message"]
    assert edited["content"] == "final" and edited["edited"] is True and ISO.match(edited["editedAt"])
    refused = client.delete(url, headers=seller.headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "Not authorized to delete this message"
    deleted = client.delete(url, headers=buyer.headers).get_json()["data"]["message"]
    assert deleted["deleted"] is True and deleted["content"] == "[Message deleted]"
    gone = client.put(url, json={"content": "again"}, headers=buyer.headers)
    assert gone.status_code == 404 and gone.get_json()["error"] == "Message not found"
    assert client.put(f"{API}/messages/nope", json={"content": "x"}, headers=buyer.headers).status_code == 404


def test_delete_hides_the_conversation_for_the_caller_only(client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    response = client.delete(f"{API}/conversations/{conv_id}", headers=seller.headers)
    assert response.status_code == 200 and response.get_json()["data"]["hidden"] is True

    def listed(who):
        data = client.get(f"{API}/conversations", headers=who.headers).get_json()["data"]
        return [c["id"] for c in data["conversations"]]
    assert listed(seller) == [] and listed(buyer) == [conv_id]
    assert client.get(f"{API}/conversations/{conv_id}", headers=seller.headers).status_code == 200
    send(client, buyer, conv_id, content="ping")
    assert listed(seller) == [conv_id]


def test_outsiders_learn_nothing_over_rest(client, pair, start, person):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    message = send(client, buyer, conv_id, content="private").get_json()["data"]["message"]
    outsider, unknown = person(), "0" * 24
    for target in (conv_id, unknown):
        view = client.get(f"{API}/conversations/{target}/messages", headers=outsider.headers)
        assert view.status_code == 403
        assert view.get_json() == {"success": False, "error": "Not authorized to view this conversation",
                                   "code": "forbidden"}
        for method, path, body in [("get", "", None), ("delete", "", None),
                                   ("post", "/messages", {"content": "x"}), ("post", "/read", None)]:
            response = getattr(client, method)(f"{API}/conversations/{target}{path}", json=body,
                                               headers=outsider.headers)
            assert response.status_code == 403, (method, path)
            assert response.get_json()["error"] == "Not authorized for this conversation"
    for method, body in [("put", {"content": "x"}), ("delete", None)]:
        response = getattr(client, method)(f"{API}/messages/{message['id']}", json=body,
                                           headers=outsider.headers)
        assert response.status_code == 404 and response.get_json()["error"] == "Message not found"
    malformed = client.get(f"{API}/conversations/{unique('bad')}", headers=outsider.headers)
    assert malformed.status_code == 404 and malformed.get_json()["error"] == "Conversation not found"
    listed = client.get(f"{API}/conversations", headers=outsider.headers).get_json()["data"]
    assert listed["conversations"] == []
    history = client.get(f"{API}/conversations/{conv_id}/messages", headers=seller.headers).get_json()["data"]
    assert [m["content"] for m in history["messages"]] == ["private"]
