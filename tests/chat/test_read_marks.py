"""Group commit of what read receipts write after their numbers (chat/read_marks.py), on the real test
database: each receipt marks its own share, stamped with its number; counts exact; never below zero."""
import threading
from collections import Counter

import pytest
from pymongo.errors import AutoReconnect, NetworkTimeout

from gharbazaar import db
from gharbazaar.chat import batch_store, read_batch, read_marks, repository, send_batch, unread
from tests.faults.procs import wait_until
from tests.support.chat_batches import item, pair_conversation


def conversation_with(sent):
    """A new conversation where the buyer sent `sent` messages to the seller: (buyer, seller, id)."""
    buyer, seller, conv, parts = pair_conversation()
    send_batch._write([item(buyer, conv, parts, f"m{n}") for n in range(sent)])
    return buyer, seller, conv


def claimed(conv, reader):
    """The conversation with a fresh number taken for the reader's receipt."""
    return read_batch._claim_many([(conv, reader.id)])[0]


def unread_count(conv, user):
    doc = repository.find_conversation(conv)
    return doc["unreadCounts"][doc["participants"].index(user.id)]


def messages(conv):
    return list(db.get_db()[repository.MESSAGES].find({"conversationId": conv}).sort("seq", 1))


def test_a_batch_is_three_round_trips_and_each_receipt_marks_its_own_share(counted):
    _b1, seller, first = conversation_with(2)
    buyer2, _s2, second = conversation_with(1)
    receipts = [(claimed(first, seller), seller.id, None), (claimed(second, buyer2), buyer2.id, None)]
    before = Counter(db.command_counts(counted))
    results = read_marks._mark_many(receipts)
    assert dict(Counter(db.command_counts(counted)) - before) == {"find": 1, "update": 2}
    assert [count for count, _ in results] == [2, 0], "the buyer's own message is not theirs to read"
    assert [(m["read"], m["changeSeq"]) for m in messages(first)] == [(True, receipts[0][0]["seq"])] * 2
    assert [m["read"] for m in messages(second)] == [False]
    assert unread_count(first, seller) == 0 and unread_count(second, buyer2) == 0
    assert unread_count(second, _s2) == 1


def test_two_receipts_in_one_conversation_share_its_messages_once(counted):
    _buyer, seller, conv = conversation_with(3)
    up_to = messages(conv)[0]["_id"]
    earlier, later = claimed(conv, seller), claimed(conv, seller)
    results = read_marks._mark_many([(later, seller.id, None), (earlier, seller.id, up_to)])
    assert [count for count, _ in results] == [2, 1]
    assert [m["changeSeq"] for m in messages(conv)] == [earlier["seq"], later["seq"], later["seq"]]
    assert unread_count(conv, seller) == 0


def test_messages_marked_by_another_receipt_meanwhile_are_not_counted_twice(counted, monkeypatch):
    _buyer, seller, conv = conversation_with(2)
    _b2, seller2, calm = conversation_with(1)
    mine, theirs = claimed(conv, seller), claimed(conv, seller)
    read = batch_store.unread

    def read_then_another_receipt(ids):
        found = read(ids)
        read_marks._mark_alone(theirs, seller.id, None)  # another process's receipt lands first
        return found
    monkeypatch.setattr(batch_store, "unread", read_then_another_receipt)
    results = read_marks._mark_many([(mine, seller.id, None), (claimed(calm, seller2), seller2.id, None)])
    assert [count for count, _ in results] == [0, 1]
    assert {m["changeSeq"] for m in messages(conv)} == {theirs["seq"]}
    assert unread_count(conv, seller) == 0 and unread_count(calm, seller2) == 0


def test_an_unread_count_that_drifted_low_stops_at_zero(counted):
    _buyer, seller, conv = conversation_with(3)
    _b2, seller2, other = conversation_with(1)
    slots = repository.find_conversation(conv)["participants"]
    drifted = [1, 4] if slots.index(seller.id) == 0 else [4, 1]  # the buyer's 4 is not the receipt's
    db.get_db()[repository.CONVERSATIONS].update_one({"_id": conv}, {"$set": {"unreadCounts": drifted}})
    results = read_marks._mark_many([(claimed(conv, seller), seller.id, None),
                                     (claimed(other, seller2), seller2.id, None)])
    assert [count for count, _ in results] == [3, 1]
    assert unread_count(conv, seller) == 0 and unread_count(other, seller2) == 0
    assert unread_count(conv, _buyer) == 4, "the other participant's count is left as it was"


def test_a_long_unread_conversation_is_marked_by_its_own_update(counted, monkeypatch):
    monkeypatch.setattr(read_marks, "MAX_LISTED", 2)
    _buyer, seller, long_unread = conversation_with(3)
    _b2, seller2, short = conversation_with(1)
    results = read_marks._mark_many([(claimed(long_unread, seller), seller.id, None),
                                     (claimed(short, seller2), seller2.id, None)])
    assert [count for count, _ in results] == [3, 1]
    assert all(m["read"] for m in messages(long_unread) + messages(short))
    assert unread_count(long_unread, seller) == 0 and unread_count(short, seller2) == 0


def test_a_conversation_without_its_counts_is_marked_and_left_without_counts(counted):
    _buyer, seller, conv = conversation_with(2)
    _b2, seller2, other = conversation_with(1)
    db.get_db()[repository.CONVERSATIONS].update_one({"_id": conv}, {"$unset": {"unreadCounts": ""}})
    results = read_marks._mark_many([(claimed(conv, seller), seller.id, None),
                                     (claimed(other, seller2), seller2.id, None)])
    assert [count for count, _ in results] == [2, 1]
    assert "unreadCounts" not in repository.find_conversation(conv)
    assert unread_count(other, seller2) == 0
    unread.uncount_read(repository.find_conversation(conv), seller.id, 1)  # alone, too
    assert "unreadCounts" not in repository.find_conversation(conv)


def test_a_receipt_marks_only_messages_numbered_before_it(counted):
    # A message numbered after the receipt but stored before its marks is left for the next one:
    # marked with the receipt's lower number, a client resyncing after that number would miss it.
    buyer, seller, conv, parts = pair_conversation()
    send_batch._write([item(buyer, conv, parts, "before")])
    alone = lambda receipt: read_marks._mark_alone(receipt, seller.id, None)  # noqa: E731
    # In a batch (a second receipt, the buyer's, marks nothing of theirs).
    batched = lambda receipt: read_marks._mark_many(  # noqa: E731
        [(receipt, seller.id, None), (claimed(conv, buyer), buyer.id, None)])[0]
    for mark in (alone, batched):
        receipt = claimed(conv, seller)
        send_batch._write([item(buyer, conv, parts, "after")])  # numbered after the receipt
        count, _ = mark(receipt)
        assert count == 1
        assert all(m["changeSeq"] >= m["seq"] for m in messages(conv))
        assert [m["read"] for m in messages(conv)][-1] is False
        assert unread_count(conv, seller) == 1


@pytest.mark.parametrize("batched", [False, True])
def test_a_receipt_cut_off_after_marking_is_recounted_once_the_database_answers(
        counted, monkeypatch, batched):
    # The messages were marked read, then the database stalled before the count came off: the
    # client's retry marks nothing, so takes nothing off, and the badge stayed for good.
    monkeypatch.setattr(unread, "RETRY_S", 0.05)
    _buyer, seller, conv = conversation_with(3)
    _b2, seller2, calm = conversation_with(1)
    outage = threading.Event()

    def stalled(*args):
        if not outage.is_set():
            raise NetworkTimeout("timed out")
    monkeypatch.setattr(batch_store, "uncount", stalled)
    monkeypatch.setattr(unread, "uncount_read", stalled)
    real_recount = unread.recount

    def recount_when_back(*args):
        if not outage.is_set():
            raise AutoReconnect("database away")
        return real_recount(*args)
    monkeypatch.setattr(unread, "recount", recount_when_back)
    receipts = [(claimed(conv, seller), seller.id, None)]
    if batched:
        receipts.append((claimed(calm, seller2), seller2.id, None))
    with pytest.raises(NetworkTimeout):
        read_marks._mark_many(receipts)
    assert [m["read"] for m in messages(conv)] == [True] * 3 and unread_count(conv, seller) == 3
    outage.set()
    wait_until(lambda: not counted.extensions[unread.PENDING], 10, "the counts recounted")
    assert unread_count(conv, seller) == 0
    assert unread_count(calm, seller2) == (0 if batched else 1)
