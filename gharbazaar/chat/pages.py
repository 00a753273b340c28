"""Message pages of a conversation, read by its own sequence numbers (the `messages` collection)."""
from pymongo import DESCENDING

from ..db import get_db
from .repository import MESSAGES


def page_of_messages(conversation_id, limit, before=None, skip=0, top=None):
    """Return up to limit + 1 messages, newest first, older than `before` (an ObjectId).

    With `top` (the conversation's sequence number) the page is read from a window of sequence
    numbers below its upper end, widened until it holds the page, so no server sorts more than
    the window, however long the conversation (an index walk on mongod; SecantusDB sorts what
    the range holds). With `skip`, or without `top`, the page is read by id from the newest.
    """
    if top is not None and not skip:
        if before is not None:
            anchor = get_db()[MESSAGES].find_one({"_id": before, "conversationId": conversation_id},
                                                 projection={"seq": 1})
            top = anchor["seq"] - 1 if anchor and isinstance(anchor.get("seq"), int) else None
        if top is not None:
            return _page_by_seq(conversation_id, limit, top)
    query = {"conversationId": conversation_id}
    if before is not None:
        query["_id"] = {"$lt": before}
    cursor = get_db()[MESSAGES].find(query).sort("_id", DESCENDING).skip(skip).limit(limit + 1)
    return list(cursor)


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
