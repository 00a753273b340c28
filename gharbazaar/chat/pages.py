"""Pages of a conversation's messages and of a user's conversation list, each read from a bounded
window of its index, so no server sorts more than the window however long the list."""
from datetime import timedelta

from pymongo import DESCENDING

from ..db import get_db
from ..models import utcnow
from .repository import CONVERSATIONS, MESSAGES

# The conversation list is read in slices of lastMessageAt, newest first: the hour below the
# cursor, the day below it, 24 days below it, then everything older.
FIRST_SLICE = timedelta(hours=1)
SLICE_GROWTH = 24
BOUNDED_SLICES = 3
NEWEST_ACTIVITY_FIRST = [("lastMessageAt", DESCENDING), ("_id", DESCENDING)]


def page_of_messages(conversation_id, limit, before=None, skip=0, top=None):
    """Return up to limit + 1 messages, newest first, older than `before` (an ObjectId).

    With `top` (the conversation's sequence number) the page is read from a window of sequence
    numbers below its upper end, widened until it holds the page, so no server sorts more than
    the window, however long the conversation (an index walk on mongod; SecantusDB sorts what
    the range holds). With `skip`, or without `top`, the page is read in sequence order from the
    newest, or from `before`.
    """
    anchor_seq = _seq_of(conversation_id, before) if before is not None else None
    if top is not None and not skip:
        if before is not None:
            top = anchor_seq - 1 if anchor_seq is not None else None
        if top is not None:
            return _page_by_seq(conversation_id, limit, top)
    query = {"conversationId": conversation_id}
    if before is not None:  # a message without a number (none is written without one) by its id
        query.update({"seq": {"$lt": anchor_seq}} if anchor_seq is not None else {"_id": {"$lt": before}})
    cursor = get_db()[MESSAGES].find(query).sort("seq", DESCENDING).skip(skip).limit(limit + 1)
    return list(cursor)


def _seq_of(conversation_id, message_id):
    """Return the sequence number of a message of the conversation, or None."""
    # By `_id` alone: SecantusDB plans `{_id, conversationId}` as a collection scan unless an
    # index leads with both; the conversation is checked here.
    anchor = get_db()[MESSAGES].find_one({"_id": message_id}, projection={"seq": 1, "conversationId": 1})
    if not anchor or anchor.get("conversationId") != conversation_id:
        return None
    return anchor["seq"] if isinstance(anchor.get("seq"), int) else None


def _page_by_seq(conversation_id, limit, top):
    # Read receipts, edits and deletes take sequence numbers too: a window of twice the page
    # usually holds it; widened fourfold while it does not, down to the first message.
    window = 2 * (limit + 1)
    while True:
        low = top - window
        seq = {"$gt": low, "$lte": top} if low > 0 else {"$lte": top}
        found = list(get_db()[MESSAGES].find({"conversationId": conversation_id, "seq": seq})
                     .sort("seq", DESCENDING).limit(limit + 1))
        if len(found) > limit or low <= 0:
            return found
        window *= 4


def page_of_conversations(user_id, limit, before=None, before_id=None):
    """Return up to `limit` of the user's visible conversations, newest activity first, after a
    cursor: older than `before`, or with `before_id` too, after (before, before_id) exactly.

    Read slice by slice of lastMessageAt, so a list of 10,000 conversations costs what its page
    costs (SecantusDB sorts whatever a query's range holds; mongod walks the index either way).
    A page whose hour holds it is one query; a user with fewer than a page in all takes four.
    """
    exact = before is not None and before_id is not None
    anchor, width, upper, page = before or utcnow(), FIRST_SLICE, before, []
    for step in range(BOUNDED_SLICES + 1):
        low = _below(anchor, width) if step < BOUNDED_SLICES else None
        window = {"$gte": low} if low is not None else {}
        if upper is not None:
            window["$lte" if exact else "$lt"] = upper
        query = {"visibleTo": user_id, **({"lastMessageAt": window} if window else {})}
        page += _slice(query, limit - len(page), (before, before_id) if exact else None)
        if len(page) >= limit or low is None:
            break
        upper, exact, width = low, False, width * SLICE_GROWTH
    return page


def _below(instant, width):
    try:
        return instant - width
    except OverflowError:  # a cursor near year 1: nothing is older than the calendar, read the rest
        return None


def _slice(query, wanted, cursor):
    # An exact cursor keeps the conversations active in the cursor's own instant: the range
    # includes that instant and drops what the previous page showed (ids from the cursor's up).
    # Usually that is the cursor alone; when more ties were shown, read further.
    extra = 1 if cursor else 0
    while True:
        found = list(get_db()[CONVERSATIONS].find(query).sort(NEWEST_ACTIVITY_FIRST).limit(wanted + extra))
        if not cursor:
            return found
        before, before_id = cursor
        kept = [doc for doc in found if doc["lastMessageAt"] < before or doc["_id"] < before_id]
        if len(kept) >= wanted or len(found) < wanted + extra:
            return kept[:wanted]
        extra = 2 * (wanted + extra)
