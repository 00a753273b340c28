"""Message pages read by the conversation's own sequence numbers (chat/pages.py), real database."""
from collections import Counter

import pytest

from gharbazaar import db
from gharbazaar.auth import Actor
from gharbazaar.chat import pages, repository, service
from tests.support import unique


def actor(role="buyer"):
    user_id = unique(role)
    return Actor(user_id, role, f"{user_id}@example.com", None)


def text(content):
    return {"content": content, "type": None, "fileUrl": None, "clientMessageId": None}


@pytest.fixture
def counted(make_app):
    app = make_app(DB_METRICS=True)
    with app.test_request_context():
        yield app


@pytest.fixture
def talk(counted):
    buyer, seller = actor(), actor("seller")
    conversation, _ = service.create_conversation(buyer, {
        "otherUserId": seller.id, "propertyId": unique("prop"), "propertyTitle": None, "initialMessage": None,
        "type": None})
    return buyer, seller, conversation["id"]


def every_page(who, conv_id, limit):
    """Follow the before cursor from the newest page to the oldest; return the pages' contents."""
    found, before = [], None
    while True:
        page = service.list_messages(who, conv_id, limit=limit, before=before)
        found.append([m["content"] for m in page["messages"]])
        if not page["hasMore"]:
            return found
        before = page["nextBefore"]


def test_pages_span_gaps_in_the_sequence_wider_than_their_window(talk):
    buyer, seller, conv_id = talk
    oid = db.object_id(conv_id)
    for n in range(7):
        service.send_message(buyer if n % 2 else seller, conv_id, text(f"m{n}"))
        for _ in range(3 if n < 5 else 15):  # reads, edits, deletes take sequence numbers too
            repository.claim_seq(oid)
    assert every_page(buyer, conv_id, 2) == [["m5", "m6"], ["m3", "m4"], ["m1", "m2"], ["m0"]]
    assert every_page(buyer, conv_id, 50) == [[f"m{n}" for n in range(7)]]


def test_the_newest_page_is_one_query_when_its_window_holds_it(counted, talk):
    buyer, _seller, conv_id = talk
    for n in range(12):
        service.send_message(buyer, conv_id, text(f"m{n}"))
    before = Counter(db.command_counts(counted))
    page = service.list_messages(buyer, conv_id, limit=5)
    assert [m["content"] for m in page["messages"]] == [f"m{n}" for n in range(7, 12)]
    assert dict(Counter(db.command_counts(counted)) - before) == {"find": 2}  # the conversation, the page


def test_a_page_before_a_message_of_another_conversation_is_read_by_id(talk):
    buyer, seller, conv_id = talk
    other, _ = service.create_conversation(buyer, {
        "otherUserId": seller.id, "propertyId": unique("prop"), "propertyTitle": None, "initialMessage": None,
        "type": None})
    mine = [service.send_message(buyer, conv_id, text(f"m{n}"))[0] for n in range(3)]
    elsewhere = service.send_message(buyer, other["id"], text("later, elsewhere"))[0]
    page = service.list_messages(buyer, conv_id, limit=5, before=elsewhere["id"])
    assert [m["id"] for m in page["messages"]] == [m["id"] for m in mine]
    top = repository.find_conversation(db.object_id(conv_id))["seq"]
    newest_first = pages.page_of_messages(db.object_id(conv_id), 5, top=top)
    assert [d["content"] for d in newest_first] == ["m2", "m1", "m0"]
