"""Group commit of sends (chat/send_batch.py) against the real test database: what each sender is
told, sequence numbers and their order, idempotency, and failed batches."""
import threading
from collections import Counter

from pymongo.errors import AutoReconnect, DuplicateKeyError

from gharbazaar import db
from gharbazaar.chat import batch_store, repository, send_batch, service
from gharbazaar.chat import unread as counts
from tests.faults.procs import wait_until
from tests.support.chat_batches import actor, after_the_batch_reads, item, pair_conversation, stored


def unread(conversation_id, user):
    doc = repository.find_conversation(conversation_id)
    return doc["unreadCounts"][doc["participants"].index(user.id)]


def test_a_batch_is_three_round_trips_and_numbers_each_conversation_in_creation_order(counted):
    buyer, seller, first, parts = pair_conversation()
    other_buyer, other_seller, second, other_parts = pair_conversation()
    items = [item(buyer, first, parts, "b1"), item(seller, first, parts, "s1"),
             item(buyer, first, parts, "b2"),
             item(other_buyer, second, other_parts, "o1"), item(other_seller, second, other_parts, "o2")]
    before = Counter(db.command_counts(counted))
    results = send_batch._write(items)
    assert dict(Counter(db.command_counts(counted)) - before) == {"find": 1, "update": 1, "insert": 1}
    # Each sender is told the conversation as its message left it: its sequence number.
    assert [(r["_id"], r["seq"]) for r in results] == [(d["conversationId"], d["seq"]) for d, _ in items]
    assert [m["content"] for m in stored(first)] == ["b1", "s1", "b2"]
    assert [m["seq"] for m in stored(first)] == [1, 2, 3] and [m["seq"] for m in stored(second)] == [1, 2]
    conversation = repository.find_conversation(first)
    assert conversation["seq"] == 3 and conversation["lastMessage"] == "b2"
    assert conversation["lastMessageId"] == items[2][0]["_id"]
    assert (unread(first, seller), unread(first, buyer)) == (2, 1)
    assert set(conversation["writers"]) == {buyer.id, seller.id}
    # A send alone afterwards continues the same numbering.
    assert send_batch._write([item(seller, first, parts, "s2")])[0]["seq"] == 4


def test_a_batch_refuses_a_sender_who_is_not_a_participant_and_stores_the_rest(counted):
    buyer, _seller, conv, parts = pair_conversation()
    outsider = actor()
    results = send_batch._write([item(buyer, conv, parts, "in"), item(outsider, conv, parts, "out"),
                                 item(buyer, conv, parts, "in again")])
    assert results[1] is None and results[0]["seq"] == 1 and results[2]["seq"] == 2
    assert [m["content"] for m in stored(conv)] == ["in", "in again"]


def test_a_batch_refuses_a_blocked_sender_even_when_the_block_lands_after_its_read(counted, monkeypatch):
    buyer, seller, conv, parts = pair_conversation()
    # What blocks.block writes, landing after the batch read the conversation.
    read = after_the_batch_reads(monkeypatch, lambda: repository.set_muted(buyer.id, seller.id, muted=True))
    results = send_batch._write([item(buyer, conv, parts, "from the blocker"),
                                 item(seller, conv, parts, "from the blocked")])
    assert results[0]["seq"] == 1 and results[1] is None
    assert [m["content"] for m in stored(conv)] == ["from the blocker"]
    monkeypatch.setattr(batch_store, "sequences", read)
    results = send_batch._write([item(seller, conv, parts, "again"), item(buyer, conv, parts, "still")])
    assert results[0] is None and results[1]["seq"] == 2, "refused in the batch's own read too"
    assert [m["content"] for m in stored(conv)] == ["from the blocker", "still"]


def test_a_batch_whose_conversation_stopped_sharing_after_its_read_tells_each_sender_so(counted, monkeypatch):
    buyer, seller, conv, parts = pair_conversation()
    at = repository.find_conversation(conv)["createdAt"]
    for who in (buyer, seller):
        repository.set_sharing(conv, who.id, True, at)
    # The seller withdraws after the batch read the conversation: who sees the messages
    # unmasked is decided from what each claim found, so that claim must not take.
    after_the_batch_reads(monkeypatch, lambda: repository.set_sharing(conv, seller.id, False, at))
    results = send_batch._write([item(buyer, conv, parts, "a"), item(buyer, conv, parts, "b")])
    assert [r["seq"] for r in results] == [1, 2]
    assert all(seller.id not in (r.get("sharingAgreedBy") or ()) for r in results)


def test_a_client_message_id_used_before_is_refused_in_a_batch_and_counted_once(counted):
    buyer, seller, conv, parts = pair_conversation()
    send_batch._write([item(buyer, conv, parts, "once", "c-1")])
    items = [item(buyer, conv, parts, "once", "c-1"), item(buyer, conv, parts, "new"),
             item(buyer, conv, parts, "twice in one batch", "c-2"),
             item(buyer, conv, parts, "twice in one batch", "c-2")]
    results = send_batch._write(items)
    assert isinstance(results[0], DuplicateKeyError) and isinstance(results[3], DuplicateKeyError)
    assert [results[1]["seq"], results[2]["seq"]] == [items[1][0]["seq"], items[2][0]["seq"]] == [3, 4]
    assert [m["content"] for m in stored(conv)] == ["once", "new", "twice in one batch"]
    assert unread(conv, seller) == 3
    conversation = repository.find_conversation(conv)
    assert conversation["lastMessage"] == "twice in one batch"
    assert conversation["lastMessageId"] == items[2][0]["_id"]


def test_the_service_answers_a_retry_in_a_batch_with_the_original(counted):
    buyer, _seller, conv, _parts = pair_conversation()
    data = {"content": "hello", "type": None, "fileUrl": None, "clientMessageId": "same"}
    first, created = service.send_message(buyer, str(conv), data)
    again, created_again = service.send_message(buyer, str(conv), data)
    assert (created, created_again) == (True, False) and again == first


def test_a_claim_made_between_the_read_and_the_write_sends_that_conversation_alone(counted, monkeypatch):
    buyer, seller, busy, parts = pair_conversation()
    other_buyer, _other_seller, calm, other_parts = pair_conversation()
    # A read receipt takes seq 1 after the batch read seq 0.
    after_the_batch_reads(monkeypatch, lambda: repository.claim_seq(busy))
    results = send_batch._write([item(buyer, busy, parts, "a"), item(seller, busy, parts, "b"),
                                 item(other_buyer, calm, other_parts, "c")])
    assert [(r["_id"], r["seq"]) for r in results] == [(busy, 2), (busy, 3), (calm, 1)]
    assert [m["seq"] for m in stored(busy)] == [2, 3] and [m["seq"] for m in stored(calm)] == [1]
    assert repository.find_conversation(busy)["seq"] == 3
    assert (unread(busy, seller), unread(busy, buyer)) == (1, 1)


def test_a_batch_the_database_fails_to_store_tells_every_sender_and_undoes_its_claims(counted, monkeypatch):
    buyer, seller, conv, parts = pair_conversation()
    send_batch._write([item(buyer, conv, parts, "kept")])
    before = repository.find_conversation(conv)

    def store_first_then_fail(docs):
        repository.insert_message(docs[0])
        raise AutoReconnect("connection lost")
    monkeypatch.setattr(batch_store, "insert_messages", store_first_then_fail)
    items = [item(buyer, conv, parts, "made it"), item(buyer, conv, parts, "lost 1"),
             item(buyer, conv, parts, "lost 2")]
    results = send_batch._write(items)
    assert results[0]["seq"] == items[0][0]["seq"] == 2  # it is stored: its sender is told so
    assert all(isinstance(r, AutoReconnect) for r in results[1:])
    assert [m["content"] for m in stored(conv)] == ["kept", "made it"]
    after = repository.find_conversation(conv)
    assert after["lastMessageId"] == items[0][0]["_id"] and after["lastMessage"] == "made it"
    assert unread(conv, seller) == 2 and after["seq"] > before["seq"]


def test_a_claim_whose_undo_failed_is_undone_once_the_database_answers(counted, monkeypatch):
    # The insert and then the undo met the outage: a claim left in place would count an unstored
    # message as unread, and show it as the preview, for good.
    buyer, seller, conv, parts = pair_conversation()
    send_batch._write([item(buyer, conv, parts, "kept")])
    monkeypatch.setattr(counts, "RETRY_S", 0.05)
    real_unclaim, outage = counts.unclaim_message, threading.Event()

    def unclaim_while_down(*args):
        if not outage.is_set():
            raise AutoReconnect("database away")
        return real_unclaim(*args)

    def insert_while_down(doc):
        raise AutoReconnect("database away")
    monkeypatch.setattr(counts, "unclaim_message", unclaim_while_down)
    monkeypatch.setattr(repository, "insert_message", insert_while_down)
    (result,) = send_batch._write([item(buyer, conv, parts, "lost")])
    assert isinstance(result, AutoReconnect)
    assert unread(conv, seller) == 2  # claimed, not stored, not yet undone
    outage.set()
    wait_until(lambda: not counted.extensions[counts.PENDING], 10, "the claim undone")
    after = repository.find_conversation(conv)
    assert after["lastMessage"] == "kept" and unread(conv, seller) == 1


def test_a_claim_without_an_answer_is_undone_in_case_it_was_applied(counted, monkeypatch):
    # A claim sent during a stall times out, then lands when the database resumes.
    buyer, seller, conv, parts = pair_conversation()
    send_batch._write([item(buyer, conv, parts, "kept")])
    monkeypatch.setattr(counts, "RETRY_S", 0.05)
    real_claim = repository.claim_for_message

    def applied_but_unanswered(doc, participants):
        real_claim(doc, participants)
        raise AutoReconnect("timed out")
    monkeypatch.setattr(repository, "claim_for_message", applied_but_unanswered)
    (result,) = send_batch._write([item(buyer, conv, parts, "never stored")])
    assert isinstance(result, AutoReconnect)
    wait_until(lambda: not counted.extensions[counts.PENDING], 10, "the claim undone")
    assert repository.find_conversation(conv)["lastMessage"] == "kept" and unread(conv, seller) == 1


def test_a_retry_gives_back_exactly_the_one_its_claim_counted(counted, monkeypatch):
    # A retry of a stored clientMessageId claims, fails its insert, and is undone. Its undo once
    # recounted the stored unread messages: a message claimed elsewhere but not yet inserted was
    # left out of that count, and a receipt landing within the count's read-then-write was undone.
    buyer, seller, conv, parts = pair_conversation()
    send_batch._write([item(buyer, conv, parts, "hello", "c-1")])
    pending, _ = item(buyer, conv, parts, "are you there?", "c-2")
    pending["seq"] = pending["changeSeq"] = repository.claim_for_message(pending, parts)["seq"]
    for retry in ([item(buyer, conv, parts, "hello", "c-1")],  # alone
                  [item(buyer, conv, parts, "hello", "c-1"), item(buyer, conv, parts, "hello", "c-1")]):
        results = send_batch._write(retry)
        assert all(isinstance(r, DuplicateKeyError) for r in results)
    repository.insert_message(pending)  # the claim elsewhere lands its message
    assert unread(conv, seller) == 2 == len([m for m in stored(conv) if not m["read"]])


def test_a_recount_counts_again_when_a_send_lands_between_its_count_and_its_write(counted, monkeypatch):
    buyer, seller, conv, parts = pair_conversation()
    send_batch._write([item(buyer, conv, parts, "one")])
    real, landed = counts._messages, []

    class SendMeanwhile:
        def __getattr__(self, name):
            return getattr(real(), name)

        def count_documents(self, query):
            found = real().count_documents(query)
            if not landed:
                landed.append(send_batch._write([item(buyer, conv, parts, "two")]))
            return found
    monkeypatch.setattr(counts, "_messages", SendMeanwhile)
    counts.recount(repository.find_conversation(conv), seller.id, at_once=True)
    assert landed and unread(conv, seller) == 2


def test_a_recount_that_missed_a_message_in_flight_is_corrected_once_the_conversation_settles(
        counted, monkeypatch):
    monkeypatch.setattr(counts, "RETRY_S", 0.05)
    monkeypatch.setattr(counts, "QUIET_S", 0.3)
    buyer, seller, conv, parts = pair_conversation()
    send_batch._write([item(buyer, conv, parts, "one")])
    in_flight, _ = item(buyer, conv, parts, "claimed elsewhere, not stored yet")
    in_flight["seq"] = in_flight["changeSeq"] = repository.claim_for_message(in_flight, parts)["seq"]
    real_insert = repository.insert_message

    def no_answer(_doc):
        raise AutoReconnect("no answer")
    monkeypatch.setattr(repository, "insert_message", no_answer)
    (result,) = send_batch._write([item(buyer, conv, parts, "lost")])
    monkeypatch.setattr(repository, "insert_message", real_insert)
    assert isinstance(result, AutoReconnect)
    assert unread(conv, seller) == 1, "recounted at once: the message in flight is not stored yet"
    real_insert(in_flight)
    wait_until(lambda: not counted.extensions[counts.PENDING], 10, "the settled recount")
    assert unread(conv, seller) == 2


def test_concurrent_senders_lose_nothing_and_share_no_sequence_number(counted):
    buyer, seller, conv, _parts = pair_conversation()
    count, barrier, answers, failures = 24, threading.Barrier(24), [], []

    def send(n):
        with counted.test_request_context():
            barrier.wait()
            try:
                who = buyer if n % 2 else seller
                answers.append(service.send_message(who, str(conv), {
                    "content": f"m{n}", "type": None, "fileUrl": None, "clientMessageId": f"c{n}"})[0])
            except Exception as exc:  # reported below
                failures.append(exc)
    threads = [threading.Thread(target=send, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures and len(answers) == count
    messages = stored(conv)
    assert sorted(m["content"] for m in messages) == sorted(a["content"] for a in answers)
    assert sorted(m["seq"] for m in messages) == list(range(1, count + 1))
    assert {a["id"]: a["seq"] for a in answers} == {str(m["_id"]): m["seq"] for m in messages}
    conversation = repository.find_conversation(conv)
    newest = max(messages, key=lambda m: m["seq"])
    assert conversation["seq"] == count and conversation["lastMessageId"] == newest["_id"]
    assert (unread(conv, seller), unread(conv, buyer)) == (count // 2, count // 2)
