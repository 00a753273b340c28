"""Message pages read by the conversation's own sequence numbers (chat/pages.py), real database."""
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from gharbazaar import db
from gharbazaar.auth import Actor
from gharbazaar.chat import pages, repository, service
from gharbazaar.models import utcnow
from tests.support import unique


def actor(role="buyer"):
    user_id = unique(role)
    return Actor(user_id, role, f"{user_id}@example.com", None)


def text(content):
    return {"content": content, "type": None, "fileUrl": None, "clientMessageId": None}


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


def conversations_aged(me, ages):
    """Create one conversation of `me` per age (a timedelta ago; negative: ahead of this clock)."""
    ids = []
    for age in ages:
        conversation, _ = service.create_conversation(me, {
            "otherUserId": actor("seller").id, "propertyId": unique("prop"), "propertyTitle": None,
            "initialMessage": None, "type": None})
        db.get_db().conversations.update_one({"_id": db.object_id(conversation["id"])},
                                             {"$set": {"lastMessageAt": utcnow() - age}})
        ids.append(conversation["id"])
    return ids


def every_list_page(who, limit):
    found, cursor = [], {}
    while True:
        page = service.list_conversations(who, limit, **cursor)
        found += [c["id"] for c in page["conversations"]]
        if not page["hasMore"]:
            return found
        cursor = {"before": datetime.fromisoformat(page["nextBefore"].replace("Z", "+00:00")),
                  "before_id": page["nextBeforeId"]}


def test_the_conversation_list_runs_across_every_slice_of_activity_in_order(counted):
    me = actor()
    ages = [timedelta(minutes=-2), timedelta(minutes=5), timedelta(minutes=59), timedelta(hours=3),
            timedelta(hours=3), timedelta(hours=30), timedelta(days=20), timedelta(days=30),
            timedelta(days=400), timedelta(days=3650)]
    ids = conversations_aged(me, ages)
    same_instant = utcnow() - timedelta(hours=3)  # ties: the exact cursor keeps both
    db.get_db().conversations.update_many({"_id": {"$in": [db.object_id(i) for i in ids[3:5]]}},
                                          {"$set": {"lastMessageAt": same_instant}})
    expected = ids[:3] + sorted(ids[3:5], reverse=True) + ids[5:]
    for limit in (1, 2, 3, 50):
        assert every_list_page(me, limit) == expected, limit


def test_a_list_page_its_last_hour_holds_is_one_query_however_long_the_list(counted):
    me = actor()
    ids = conversations_aged(me, [timedelta(minutes=n) for n in range(1, 13)] + [timedelta(days=90)] * 3)
    before = Counter(db.command_counts(counted))
    page = pages.page_of_conversations(me.id, 5)
    assert [str(d["_id"]) for d in page] == ids[:5]
    assert dict(Counter(db.command_counts(counted)) - before) == {"find": 1}


def test_a_cursor_at_the_start_of_the_calendar_reads_what_is_older_without_overflowing(counted):
    me = actor()
    conversations_aged(me, [timedelta(minutes=1)])
    year_one = datetime(1, 1, 1, tzinfo=timezone.utc)
    for before in (year_one, year_one + timedelta(minutes=30), year_one + timedelta(days=3)):
        assert pages.page_of_conversations(me.id, 5, before=before) == []
        assert pages.page_of_conversations(me.id, 5, before=before, before_id=db.object_id("0" * 24)) == []
