"""Group commit of what a read receipt writes once it has its sequence number (chat/read_batch.py):
the messages it marks read, and the reader's unread count.

Alone, a receipt is the two writes it always was (repository.mark_read, then unread.uncount_read).
Receipts queued behind one in flight (`batch.coalesced`) go as one batch of three round trips
whatever its size: a read of their conversations' unread messages, one `bulk_write` marking each
receipt's share (stamped with its own sequence number), and one `bulk_write` of the unread
counts. On `mongod` a busy moment costs three commands instead of two per receipt. A receipt the
database cuts off has its readers' counts recounted once it answers: the client's retry marks
nothing, so it would take nothing off.
"""
from contextlib import contextmanager

from ..batch import alone, coalesced
from ..models import utcnow
from . import batch_store, repository, unread

# A conversation with more unread messages than this is marked by its own update_many: the batch
# names each message it marks, and a long-unread conversation would make that list large.
MAX_LISTED = 1000


def mark(conversation, reader_id, up_to=None):
    """Mark the others' unread messages (up to a message id) read, stamped with the claimed
    conversation's `seq`, and take them off the reader's unread count; return (count, readAt)."""
    return coalesced("chat.read_marks", _mark_many)((conversation, reader_id, up_to))


def _mark_alone(conversation, reader_id, up_to):
    with _recounted_if_cut_off([(conversation, reader_id)]):
        count, read_at = repository.mark_read(conversation["_id"], reader_id, conversation["seq"], up_to)
        unread.uncount_read(conversation, reader_id, count)
    return count, read_at


@contextmanager
def _recounted_if_cut_off(readers):
    """Recount each (conversation, reader)'s unread count later if the receipt's writes fail."""
    try:
        yield
    except Exception:
        for conversation, reader_id in readers:
            unread.recount_later(conversation, reader_id)
        raise


def _mark_many(items):
    if len(items) == 1:
        return [_mark_alone(*items[0])]
    unread = batch_store.unread({conversation["_id"] for conversation, _, _ in items})
    results, batched, shares, taken = [None] * len(items), [], [], set()
    # The earlier number first: of two receipts in one conversation, it takes what both would.
    for i in sorted(range(len(items)), key=lambda i: items[i][0]["seq"]):
        conversation, reader_id, up_to = items[i]
        pending = unread.get(conversation["_id"], ())
        if len(pending) > MAX_LISTED:
            results[i] = alone(_mark_alone, *items[i])
            continue
        share = [m["_id"] for m in pending if m["senderId"] != reader_id and m["_id"] not in taken
                 and (up_to is None or m["_id"] <= up_to) and m.get("seq", 0) <= conversation["seq"]]
        taken.update(share)
        batched.append(i)
        shares.append((conversation["_id"], conversation["seq"], share))
    now = utcnow()
    with _recounted_if_cut_off([items[i][:2] for i in batched]):
        counts = batch_store.mark_read(shares, now)
        batch_store.uncount([(items[i][0], items[i][1], count) for i, count in zip(batched, counts)])
    for i, count in zip(batched, counts):
        results[i] = (count, now)
    return results
