"""The chat service on its own (no transport), against the real test database."""
import threading
from datetime import datetime, timedelta

import pytest
from pymongo.errors import ConnectionFailure

from gharbazaar import db
from gharbazaar.auth import Actor
from gharbazaar.chat import repository, send_batch, service
from gharbazaar.models import utcnow
from gharbazaar.errors import Forbidden, NotFound, RateLimited, ValidationFailed
from gharbazaar.presence import service as presence
from tests.support import unique
from tests.support.races import before_next_call


def actor(role="buyer", name=None):
    user_id = unique(role)
    return Actor(user_id, role, f"{user_id}@example.com", name)


def body(other, property_id=None, **extra):
    data = {"otherUserId": other.id, "propertyId": property_id, "propertyTitle": None,
            "initialMessage": None, "type": None}
    data.update(extra)
    return data


def text(content, client_id=None):
    return {"content": content, "type": None, "fileUrl": None, "clientMessageId": client_id}


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


@pytest.fixture
def convo(ctx):
    """A conversation between a new buyer and seller: (buyer, seller, conversation id)."""
    buyer, seller = actor("buyer", "Asha"), actor("seller", "Ravi")
    conversation, _ = service.create_conversation(buyer, body(seller, unique("prop")))
    return buyer, seller, conversation["id"]


def _parse(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def in_threads(app, count, work):
    """Run work() in `count` threads released at once; return their results."""
    barrier, results, failures = threading.Barrier(count), [], []

    def run():
        with app.test_request_context():
            barrier.wait()
            try:
                results.append(work())
            except Exception as exc:  # reported below: a thread must not swallow a failure
                failures.append(exc)
    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures, failures
    return results


def test_creating_twice_returns_the_same_conversation_from_either_side(ctx):
    buyer, seller, prop = actor(), actor("seller"), unique("prop")
    first, created = service.create_conversation(buyer, body(seller, prop))
    again, created_again = service.create_conversation(buyer, body(seller, prop))
    reverse, created_reverse = service.create_conversation(seller, body(buyer, prop))
    assert (created, created_again, created_reverse) == (True, False, False)
    assert first["id"] == again["id"] == reverse["id"]
    other, created_other = service.create_conversation(buyer, body(seller, unique("prop")))
    assert created_other and other["id"] != first["id"]


def test_a_conversation_with_yourself_is_refused(ctx):
    me = actor()
    with pytest.raises(ValidationFailed, match="^Cannot create conversation with yourself$"):
        service.create_conversation(me, body(me))


def test_new_conversations_are_rate_limited_but_reopening_is_free(make_app):
    app = make_app(RATE_LIMIT_CONVERSATIONS="2 per hour")
    with app.test_request_context():
        me, seller = actor(), actor("seller")
        service.create_conversation(me, body(seller, "p1"))
        service.create_conversation(me, body(seller, "p2"))
        assert service.create_conversation(me, body(seller, "p1"))[1] is False
        with pytest.raises(RateLimited):
            service.create_conversation(me, body(seller, "p3"))


def test_racing_creations_make_one_conversation(ctx):
    buyer, seller, prop = actor(), actor("seller"), unique("prop")
    results = in_threads(ctx, 8, lambda: service.create_conversation(buyer, body(seller, prop)))
    assert len({conv["id"] for conv, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * 7 + [True]


def test_initial_message_is_sent_once_with_the_new_conversation(ctx):
    buyer, seller, prop = actor(), actor("seller"), unique("prop")
    conv, _ = service.create_conversation(buyer, body(seller, prop, initialMessage="  Is it free?  "))
    service.create_conversation(buyer, body(seller, prop, initialMessage="Is it free?"))
    page = service.list_messages(seller, conv["id"])
    assert [m["content"] for m in page["messages"]] == ["Is it free?"]
    assert conv["lastMessage"] == "Is it free?"


def test_a_creation_retried_after_its_first_message_failed_sends_it_once(ctx, monkeypatch):
    # The conversation was written, then the database failed before its first message: the
    # client's retry finds the conversation (200) and must not lose what the user typed.
    buyer, seller, prop = actor(), actor("seller"), unique("prop")
    real_store = send_batch.store

    def database_away(doc, participants):
        raise ConnectionFailure("database away")

    monkeypatch.setattr(send_batch, "store", database_away)
    with pytest.raises(ConnectionFailure):
        service.create_conversation(buyer, body(seller, prop, initialMessage="Is it free?"))
    monkeypatch.setattr(send_batch, "store", real_store)
    for _ in range(2):
        conv, created = service.create_conversation(buyer, body(seller, prop, initialMessage="Is it free?"))
        assert created is False and conv["lastMessage"] == "Is it free?"
    service.create_conversation(seller, body(buyer, prop, initialMessage="Not the creator's"))
    page = service.list_messages(seller, conv["id"])
    assert [m["content"] for m in page["messages"]] == ["Is it free?"]


def test_unread_counts_are_per_user_and_reset_on_read(convo):
    buyer, seller, conv_id = convo
    for n in range(3):
        service.send_message(buyer, conv_id, text(f"m{n}"))
    service.send_message(seller, conv_id, text("reply"))
    assert service.get_conversation(seller, conv_id)["unreadCount"] == 3
    assert service.get_conversation(buyer, conv_id)["unreadCount"] == 1
    receipt = service.mark_read(seller, conv_id)
    assert receipt["count"] == 3 and receipt["userId"] == seller.id and receipt["readAt"].endswith("Z")
    assert service.get_conversation(seller, conv_id)["unreadCount"] == 0
    assert service.get_conversation(buyer, conv_id)["unreadCount"] == 1
    assert service.mark_read(seller, conv_id)["count"] == 0


def test_reading_up_to_a_message_leaves_later_ones_unread(convo):
    buyer, seller, conv_id = convo
    sent = [service.send_message(buyer, conv_id, text(f"m{n}"))[0] for n in range(4)]
    assert service.mark_read(seller, conv_id, up_to=sent[1]["id"])["count"] == 2
    assert service.get_conversation(seller, conv_id)["unreadCount"] == 2
    messages = service.list_messages(seller, conv_id)["messages"]
    assert [m["read"] for m in messages] == [True, True, False, False]
    assert messages[0]["readAt"] is not None and messages[3]["readAt"] is None


def test_a_hidden_conversation_returns_with_a_new_message(convo):
    buyer, seller, conv_id = convo
    service.hide_conversation(seller, conv_id)
    assert conv_id not in [c["id"] for c in service.list_conversations(seller, 50)["conversations"]]
    assert conv_id in [c["id"] for c in service.list_conversations(buyer, 50)["conversations"]]
    service.send_message(buyer, conv_id, text("still interested?"))
    assert conv_id in [c["id"] for c in service.list_conversations(seller, 50)["conversations"]]


def test_a_message_arriving_while_a_conversation_is_hidden_brings_it_back(convo, monkeypatch):
    # The message is claimed between the hide's read of the conversation and its write.
    buyer, seller, conv_id = convo
    before_next_call(monkeypatch, repository, "set_hidden",
                     lambda: service.send_message(buyer, conv_id, text("just now")))
    service.hide_conversation(seller, conv_id)
    assert conv_id in [c["id"] for c in service.list_conversations(seller, 50)["conversations"]]


def test_conversation_list_is_newest_activity_first_with_a_cursor(ctx, age):
    me = actor()
    ids = [service.create_conversation(me, body(actor("seller"), unique("prop")))[0]["id"] for _ in range(3)]
    for minutes, conv_id in zip((30, 20, 10), ids):
        age(conv_id, minutes)
    service.send_message(me, ids[0], text("bump"))
    first = service.list_conversations(me, 2)
    assert [c["id"] for c in first["conversations"]] == [ids[0], ids[2]]
    assert first["hasMore"] is True and first["nextBeforeId"] == ids[2]
    rest = service.list_conversations(me, 2, before=_parse(first["nextBefore"]))
    assert [c["id"] for c in rest["conversations"]] == [ids[1]] and rest["hasMore"] is False


def test_the_exact_cursor_keeps_conversations_active_in_the_same_instant(ctx, age):
    me = actor()
    ids = [service.create_conversation(me, body(actor("seller"), unique("prop")))[0]["id"] for _ in range(3)]
    when = utcnow() - timedelta(minutes=5)
    for conv_id in ids:  # the same instant for all three
        age(conv_id, when=when)
    seen, cursor = [], {}
    while True:
        page = service.list_conversations(me, 1, **cursor)
        seen += [c["id"] for c in page["conversations"]]
        if not page["hasMore"]:
            break
        cursor = {"before": _parse(page["nextBefore"]), "before_id": page["nextBeforeId"]}
    assert seen == ids[::-1]


def test_a_cursor_page_holds_the_rest_of_its_instant_then_older_conversations(ctx, age):
    me = actor()
    ids = [service.create_conversation(me, body(actor("seller"), unique("prop")))[0]["id"] for _ in range(5)]
    when = utcnow() - timedelta(minutes=5)
    for conv_id in ids[2:]:  # three in one instant, two older
        age(conv_id, when=when)
    for minutes, conv_id in zip((20, 10), ids[:2]):
        age(conv_id, minutes)
    pages, cursor = [], {}
    while True:
        page = service.list_conversations(me, 2, **cursor)
        pages.append([c["id"] for c in page["conversations"]])
        if not page["hasMore"]:
            break
        cursor = {"before": _parse(page["nextBefore"]), "before_id": page["nextBeforeId"]}
    assert pages == [[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]


def test_message_pages_follow_a_before_cursor_oldest_first(convo):
    buyer, _, conv_id = convo
    sent = [service.send_message(buyer, conv_id, text(f"m{n}"))[0]["id"] for n in range(5)]
    newest = service.list_messages(buyer, conv_id, limit=2)
    assert [m["id"] for m in newest["messages"]] == sent[3:]
    assert newest["hasMore"] is True and newest["nextBefore"] == sent[3]
    middle = service.list_messages(buyer, conv_id, limit=2, before=newest["nextBefore"])
    assert [m["id"] for m in middle["messages"]] == sent[1:3]
    last = service.list_messages(buyer, conv_id, limit=2, before=middle["nextBefore"])
    assert [m["id"] for m in last["messages"]] == sent[:1]
    assert last["hasMore"] is False and last["nextBefore"] is None
    skipped = service.list_messages(buyer, conv_id, limit=2, skip=2)
    assert [m["id"] for m in skipped["messages"]] == sent[1:3]


def test_a_repeated_client_message_id_returns_the_original(convo):
    buyer, seller, conv_id = convo
    first, created = service.send_message(buyer, conv_id, text("hello", "c-1"))
    again, created_again = service.send_message(buyer, conv_id, text("hello (retry)", "c-1"))
    assert created and not created_again and again == first
    other, created_other = service.send_message(seller, conv_id, text("same id, other sender", "c-1"))
    assert created_other and other["id"] != first["id"]
    assert len(service.list_messages(buyer, conv_id)["messages"]) == 2
    assert service.get_conversation(seller, conv_id)["unreadCount"] == 1


def test_racing_retries_of_one_client_message_id_store_one_message(ctx, convo):
    buyer, seller, conv_id = convo
    results = in_threads(ctx, 6, lambda: service.send_message(buyer, conv_id, text("once", "race-1")))
    assert len({message["id"] for message, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(service.list_messages(seller, conv_id)["messages"]) == 1
    assert service.get_conversation(seller, conv_id)["unreadCount"] == 1


def stored_message(message_id):
    return repository.find_message(db.object_id(message_id))


def test_of_two_racing_edits_the_later_numbered_one_stands_everywhere(convo, monkeypatch):
    buyer, seller, conv_id = convo
    message, _ = service.send_message(buyer, conv_id, text("draft"))
    # "second" is numbered and stored whole between this edit's number and its write.
    before_next_call(monkeypatch, repository, "update_message",
                     lambda: service.edit_message(buyer, message["id"], "second"))
    answer = service.edit_message(buyer, message["id"], "first")  # numbered before "second"
    stored = stored_message(message["id"])
    assert stored["content"] == answer["content"] == "second"
    assert stored["changeSeq"] == repository.find_conversation(db.object_id(conv_id))["seq"]
    assert service.get_conversation(seller, conv_id)["lastMessage"] == "second"


def test_a_delete_overtaken_by_an_edit_still_deletes_with_the_latest_number(convo, monkeypatch):
    buyer, _seller, conv_id = convo
    message, _ = service.send_message(buyer, conv_id, text("draft"))
    before_next_call(monkeypatch, repository, "update_message",
                     lambda: service.edit_message(buyer, message["id"], "edited"))
    gone = service.delete_message(buyer, message["id"])
    stored = stored_message(message["id"])
    assert gone["deleted"] is True and stored["content"] == "[Message deleted]"
    assert stored["changeSeq"] == repository.find_conversation(db.object_id(conv_id))["seq"]


def test_an_older_changes_preview_never_overwrites_a_newer_one(convo):
    buyer, seller, conv_id = convo
    message, _ = service.send_message(buyer, conv_id, text("draft"))
    old = stored_message(message["id"])
    service.edit_message(buyer, message["id"], "newer")
    repository.refresh_preview(dict(old, content="older"))  # a slow refresh of an earlier change
    assert service.get_conversation(seller, conv_id)["lastMessage"] == "newer"


def test_only_the_sender_edits_and_never_a_deleted_message(convo):
    buyer, seller, conv_id = convo
    message, _ = service.send_message(buyer, conv_id, text("draft"))
    with pytest.raises(Forbidden, match="^Not authorized to edit this message$"):
        service.edit_message(seller, message["id"], "hijack")
    with pytest.raises(NotFound, match="^Message not found$"):
        service.edit_message(actor(), message["id"], "outsider")
    edited = service.edit_message(buyer, message["id"], "final")
    assert edited["content"] == "final" and edited["edited"] is True and edited["editedAt"]
    with pytest.raises(Forbidden, match="^Not authorized to delete this message$"):
        service.delete_message(seller, message["id"])
    gone = service.delete_message(buyer, message["id"])
    assert gone["deleted"] is True and gone["content"] == "[Message deleted]"
    assert service.delete_message(buyer, message["id"]) == gone
    with pytest.raises(NotFound, match="^Message not found$"):
        service.edit_message(buyer, message["id"], "resurrect")
    assert service.get_conversation(seller, conv_id)["lastMessage"] == "[Message deleted]"


def test_outsiders_get_the_same_answer_for_foreign_and_unknown_conversations(convo):
    _, _, conv_id = convo
    outsider = actor()
    for conversation_id in (conv_id, "0" * 24):
        with pytest.raises(Forbidden) as foreign:
            service.get_conversation(outsider, conversation_id)
        assert foreign.value.message == "Not authorized for this conversation"
    with pytest.raises(NotFound, match="^Conversation not found$"):
        service.get_conversation(outsider, "not-an-id")


def test_contacts_are_everyone_sharing_a_conversation(convo):
    buyer, seller, _ = convo
    third = actor("seller")
    service.create_conversation(buyer, body(third, unique("prop")))
    assert presence.contacts_of(buyer.id) == {seller.id, third.id}
    assert presence.contacts_of(seller.id) == {buyer.id}
    assert presence.contacts_of(actor().id) == set()


def test_other_user_names_are_learned_and_never_missing(ctx):
    named = actor(name="Asha")
    email_only = Actor(unique("seller"), "seller", "ravi.k@example.com")
    conv, _ = service.create_conversation(named, body(email_only, unique("prop")))
    assert conv["otherUser"] == {"id": email_only.id, "name": email_only.id, "email": None}
    service.send_message(email_only, conv["id"], text("hi"))
    assert service.get_conversation(named, conv["id"])["otherUser"] == {
        "id": email_only.id, "name": "ravi.k", "email": "ravi.k@example.com"}
    assert service.get_conversation(email_only, conv["id"])["otherUser"]["name"] == "Asha"


def test_the_queries_have_their_indexes(ctx):
    db.ensure_indexes(ctx)
    conversations = db.get_db()[repository.CONVERSATIONS].index_information()
    messages = db.get_db()[repository.MESSAGES].index_information()
    assert conversations["one_per_pair_and_property"]["unique"] is True
    assert messages["conversation_sequence"]["key"] == [("conversationId", 1), ("seq", -1)]
    assert messages["one_per_dedupe_key"]["unique"] is True
    assert conversations["by_visible_activity"]["key"][0] == ("visibleTo", 1)


def test_an_index_no_query_uses_any_more_is_dropped(ctx):
    messages = db.get_db()[repository.MESSAGES]
    # as an earlier release created it
    messages.create_index([("conversationId", 1), ("_id", -1)], name="conversation_newest")
    db.ensure_indexes(ctx)
    names = set(messages.index_information())
    assert "conversation_newest" not in names and {"conversation_sequence", "by_file"} <= names
