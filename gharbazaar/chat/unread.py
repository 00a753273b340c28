"""Unread counts: a send adds one for the others, a read receipt takes off what it marked, a claim
whose message was not stored gives its one back, and a count a cut-off write left wrong is
recounted once the database answers (a read only ever takes off what it marks, so a count left
wrong would stay wrong for good).

Counts move by increments wherever the change is known. A recount is a read then a write: a send
claimed but not yet stored, or a receipt between its mark and its decrement, would be lost from
it. So a recount waits until the database has answered for a while (what was in flight during
an outage has landed or failed by then) and the conversation has been quiet as long, and writes
only over the number and counts it read.
"""
import logging
import time

from flask import current_app
from pymongo.errors import ConnectionFailure, PyMongoError

from ..db import get_db
from ..models import utcnow
from .models import preview_fields
from .repository import CONVERSATIONS, MESSAGES

log = logging.getLogger(__name__)
# Repairs still to make (key -> a function making it), per app; retried every RETRY_S.
PENDING = "gharbazaar.chat.unread_repairs"
MAX_PENDING = 10_000
RETRY_S = 2.0
RECOUNT_TRIES = 3
QUIET_S = None  # how long the database answers, and a conversation rests, before a recount: 2 x its timeout


class Busy(Exception):
    """The conversation changed too recently to be recounted: try again in the next round."""


def uncount_read(conversation, user_id, count):
    """Take `count` messages just marked read off the user's unread count, never below zero."""
    if count:
        _conversations().update_one({"_id": conversation["_id"]}, uncounted(conversation, user_id, count))


def uncounted(conversation, user_id, count):
    """Return the update that takes `count` off the user's unread count, floored at zero.

    One statement (an update pipeline) where a filtered decrement needs a second to zero a count
    that had drifted below `count` (a statement costs SecantusDB as much matched or not)."""
    slot, counts = conversation["participants"].index(user_id), "$unreadCounts"
    each = {"$arrayElemAt": [counts, "$$i"]}
    floored = {"$max": [0, {"$subtract": [each, count]}]}
    less = {"$map": {"input": {"$range": [0, {"$size": counts}]}, "as": "i",
                     "in": {"$cond": [{"$eq": ["$$i", slot]}, floored, each]}}}
    # A document without its counts (none is written so) is left as it is rather than failing.
    return [{"$set": {"unreadCounts": {"$cond": [{"$isArray": counts}, less, counts]}}}]


def unclaim_message(doc, participants, claimed):
    """Undo claim_for_message for a message that was not stored: the others' unread counts and
    the preview. claimed: the claim is known to have counted it (its one is taken back); else, as
    when the claim's answer was lost, the others' counts are recounted."""
    conversation = {"_id": doc["conversationId"], "participants": list(participants)}
    for user in participants:
        if user == doc["senderId"]:
            continue
        if claimed:
            uncount_read(conversation, user, 1)
        else:  # at once, as the conversation now stands, and again once it has settled
            recount(conversation, user, at_once=True)
            recount_later(conversation, user)
    newest = _messages().find_one({"conversationId": doc["conversationId"]}, sort=[("seq", -1)])
    restored = {"lastMessage": "", "lastMessageMasked": None, "lastMessageSenderId": None,
                "lastMessageId": None}
    if newest:
        restored = {**preview_fields(newest), "lastMessageId": newest["_id"],
                    "lastMessageAt": newest["createdAt"]}
    _conversations().update_one({"_id": doc["conversationId"], "lastMessageId": doc["_id"]},
                                {"$set": restored})


def recount(conversation, user_id, at_once=False):
    """Set the user's unread count to their unread messages stored, unless a send or a receipt
    moved the conversation meanwhile (then count again; the last try writes what it counted).
    Raises Busy if the conversation changed within the quiet time, unless at_once."""
    field = f"unreadCounts.{conversation['participants'].index(user_id)}"
    for attempt in range(RECOUNT_TRIES):
        before = _conversations().find_one({"_id": conversation["_id"]},
                                           projection={"seq": 1, "unreadCounts": 1, "changedAt": 1})
        if before is None:
            return
        changed = before.get("changedAt")
        if not at_once and changed is not None and (utcnow() - changed).total_seconds() < _quiet_s():
            raise Busy()
        count = _messages().count_documents(
            {"conversationId": conversation["_id"], "senderId": {"$ne": user_id}, "read": False})
        guard = {"_id": conversation["_id"]}
        if attempt < RECOUNT_TRIES - 1:
            guard.update(seq=before.get("seq"), unreadCounts=before.get("unreadCounts"))
        if _conversations().update_one(guard, {"$set": {field: count}}).matched_count:
            return


def outcome_unknown(exc):
    """Return True for a failure that may have been applied anyway (no answer, or a timeout)."""
    return isinstance(exc, ConnectionFailure) or (isinstance(exc, PyMongoError) and exc.timeout)


def repair_later(key, repair):
    """Run repair() once the database answers again (a repair under the same key replaces it)."""
    app = current_app._get_current_object()
    pending = app.extensions.setdefault(PENDING, {})
    if len(pending) >= MAX_PENDING and key not in pending:
        log.error("too many unread counts left to repair: one dropped", extra={"fields": {"key": str(key)}})
        return
    idle = not pending
    pending[key] = repair
    if idle:
        app.extensions["socketio"].start_background_task(_retry, app, pending)


def recount_later(conversation, user_id):
    """Recount the user's unread count once the database answers again."""
    conversation = {"_id": conversation["_id"], "participants": list(conversation["participants"])}
    repair_later(("recount", conversation["_id"], user_id), lambda: recount(conversation, user_id))


def _retry(app, pending):
    answering_since = None
    while pending:
        app.extensions["socketio"].sleep(RETRY_S)
        with app.app_context():
            try:
                get_db().command("ping")
            except Exception:
                answering_since = None
                continue
            answering_since = answering_since or time.monotonic()
            if time.monotonic() - answering_since < _quiet_s():
                continue
            for key, repair in list(pending.items()):
                try:
                    repair()
                except Busy:
                    continue
                except Exception:  # away again: every one waits for the next round
                    answering_since = None
                    break
                if pending.get(key) is repair:
                    pending.pop(key)


def _quiet_s():
    if QUIET_S is not None:
        return QUIET_S
    return 2 * current_app.config["MONGODB_TIMEOUT_MS"] / 1000


def _conversations():
    return get_db()[CONVERSATIONS]


def _messages():
    return get_db()[MESSAGES]
