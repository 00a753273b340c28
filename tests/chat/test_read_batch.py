"""Group commit of read receipts' sequence numbers (chat/read_batch.py) against the real test database:
numbers unique and in order, outsiders refused, claims elsewhere never overwritten, failures kept apart."""
import threading
from collections import Counter

from pymongo.errors import AutoReconnect

from gharbazaar import db
from gharbazaar.chat import read_batch, repository, send_batch, service
from tests.support.chat_batches import actor, after_the_batch_reads, item, pair_conversation


def test_a_batch_is_two_round_trips_and_numbers_each_receipt_once(counted):
    buyer, seller, first, _ = pair_conversation()
    other_buyer, _other_seller, second, _ = pair_conversation()
    before = Counter(db.command_counts(counted))
    results = read_batch._claim_many([(first, buyer.id), (second, other_buyer.id), (first, seller.id)])
    assert dict(Counter(db.command_counts(counted)) - before) == {"find": 1, "update": 1}
    assert [(r["_id"], r["seq"]) for r in results] == [(first, 1), (second, 1), (first, 2)]
    assert set(results[0]["participants"]) == {buyer.id, seller.id}
    assert repository.find_conversation(first)["seq"] == 2
    assert repository.find_conversation(second)["seq"] == 1
    # A receipt alone afterwards continues the same numbering, as does a message.
    assert read_batch._claim_many([(first, seller.id)])[0]["seq"] == 3
    assert send_batch._write([item(buyer, first, results[0]["participants"], "after")])[0]["seq"] == 4


def test_an_outsider_or_unknown_conversation_gets_none_and_takes_no_number(counted):
    buyer, _seller, conv, _ = pair_conversation()
    outsider = actor()
    missing = db.object_id("0" * 24)
    results = read_batch._claim_many([(conv, outsider.id), (conv, buyer.id), (missing, buyer.id)])
    assert results[0] is None and results[2] is None and results[1]["seq"] == 1
    assert repository.find_conversation(conv)["seq"] == 1
    assert read_batch._claim_many([(conv, outsider.id), (missing, outsider.id)]) == [None, None]
    assert repository.find_conversation(conv)["seq"] == 1


def test_a_claim_made_between_the_read_and_the_write_is_not_overwritten(counted, monkeypatch):
    buyer, seller, busy, parts = pair_conversation()
    other_buyer, _other_seller, calm, _ = pair_conversation()
    # A message takes seq 1 after the batch read seq 0.
    after_the_batch_reads(monkeypatch, lambda: send_batch._write([item(seller, busy, parts, "meanwhile")]))
    results = read_batch._claim_many([(busy, buyer.id), (calm, other_buyer.id), (busy, seller.id)])
    assert [(r["_id"], r["seq"]) for r in results] == [(busy, 2), (calm, 1), (busy, 3)]
    assert repository.find_conversation(busy)["seq"] == 3
    assert [m["seq"] for m in db.get_db()[repository.MESSAGES].find({"conversationId": busy})] == [1]


def test_a_receipt_whose_own_claim_fails_fails_alone(counted, monkeypatch):
    buyer, seller, busy, parts = pair_conversation()
    other_buyer, _other_seller, calm, _ = pair_conversation()
    after_the_batch_reads(monkeypatch, lambda: send_batch._write([item(seller, busy, parts, "meanwhile")]))

    def unreachable(*_args):
        raise AutoReconnect("the database went away")
    monkeypatch.setattr(repository, "claim_seq", unreachable)
    results = read_batch._claim_many([(busy, buyer.id), (calm, other_buyer.id)])
    assert isinstance(results[0], AutoReconnect) and results[1]["seq"] == 1


def test_receipts_arriving_together_each_get_a_distinct_number_through_the_service(counted):
    """Many readers at once through mark_read: every number taken once, the conversation's last."""
    pairs = [pair_conversation() for _ in range(6)]
    for buyer, _seller, conv, parts in pairs:
        send_batch._write([item(buyer, conv, parts, "hello")])
    app = counted
    seqs, errors = {}, []
    start = threading.Barrier(len(pairs) * 2)

    def read_all(n, reader, conv):
        with app.test_request_context():
            start.wait(timeout=10)
            try:
                seqs[n] = (conv, service.mark_read(reader, str(conv))["seq"])
            except Exception as exc:  # noqa: BLE001 - the assertion below names it
                errors.append(exc)
    threads = [threading.Thread(target=read_all, args=(2 * k + side, pair[side], pair[2]))
               for k, pair in enumerate(pairs) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors and len(seqs) == len(threads)
    for _buyer, seller, conv, _parts in pairs:
        taken = sorted(seq for c, seq in seqs.values() if c == conv)
        assert taken == [2, 3], taken
        assert repository.find_conversation(conv)["seq"] == 3
        # The seller's receipt marked the buyer's message, stamped with its own number.
        message = db.get_db()[repository.MESSAGES].find_one({"conversationId": conv})
        assert message["read"] is True and message["changeSeq"] in taken
        assert repository.find_conversation(conv)["unreadCounts"][
            repository.find_conversation(conv)["participants"].index(seller.id)] == 0
