"""Blocking: a user stops another from writing to them, starting conversations with them, or seeing
their presence. History stays readable for both; unblocking undoes it.

Owns the `chat_blocks` collection (one document per blocker -> blocked pair). The pair's
conversations also list the blocked user in `mutedSenders`, so that sending checks the block in
the write it already makes (no extra round trip on the send path).
"""
import time
from collections import OrderedDict
from contextlib import suppress

from flask import current_app
from pymongo import ASCENDING, IndexModel

from .. import realtime
from ..db import get_db
from ..presence import service as presence
from ..errors import Forbidden, ValidationFailed
from ..models import iso, utcnow
from . import repository
from .access import SCOPE

BLOCKS = "chat_blocks"
INDEXES = {BLOCKS: [
    IndexModel([("blocker", ASCENDING), ("blocked", ASCENDING)], unique=True, name="one_per_pair"),
    # "Has anyone in this conversation blocked me?" and the presence filter read by `blocked`.
    IndexModel([("blocked", ASCENDING), ("blocker", ASCENDING)], name="by_blocked"),
]}
BLOCKED_TEXT = "You cannot message this user"
SELF_TEXT = "You cannot block yourself"
SELF_UNBLOCK_TEXT = "You cannot unblock yourself"
ANOTHER_USER = [{"field": "userId", "message": "Must be another user."}]
# Typing asks "am I blocked here?" once per sender and conversation, and presence "who is in a
# block with me?" once per user, then remember: a block or unblock drops every process's memory
# of both at once (a notice through Redis, and after any Redis outage), so this is only a
# backstop, for a notice lost in a double failure: a short one made every message's typing ask
# again, since a chat's next message comes after more than that (docs/changelog.md, 2026-12-07).
RECHECK_S = 600.0
CACHE_MAX = 20_000
NOTICE = "chat.blocks"


def init_app(app):
    """Drop this process's answers about blocks whenever a block changes on any process."""
    app.extensions["gharbazaar.typing_blocks"] = BlockAnswers()
    app.extensions["gharbazaar.severed_blocks"] = BlockAnswers()
    realtime.on_notice(app, NOTICE, _forget_answers)


def _forget_answers(app):
    app.extensions["gharbazaar.typing_blocks"].forget()
    app.extensions["gharbazaar.severed_blocks"].forget()


def _blocks():
    return get_db()[BLOCKS]


def _view(doc):
    return {"userId": doc["blocked"], "blockedAt": iso(doc["createdAt"])}


def block(actor, user_id):
    """Block a user (idempotent) and tell the blocker's own sockets; the blocked user is told nothing."""
    if user_id == actor.id:
        raise ValidationFailed(SELF_TEXT, details=ANOTHER_USER)
    now = utcnow()
    _blocks().update_one({"blocker": actor.id, "blocked": user_id},
                         {"$setOnInsert": {"createdAt": now}}, upsert=True)
    doc = _blocks().find_one({"blocker": actor.id, "blocked": user_id})
    repository.set_muted(actor.id, user_id, muted=True)
    realtime.notify(NOTICE)
    answer = dict(_view(doc), blocked=True)
    realtime.publish(SCOPE, "user_blocked", answer, realtime.user_room(actor.id))
    return answer


def unblock(actor, user_id):
    """Lift a block (idempotent) and tell the blocker's own sockets."""
    if user_id == actor.id:  # only a blocker lifts a block: "unblocking" oneself would lift others' blocks
        raise ValidationFailed(SELF_UNBLOCK_TEXT, details=ANOTHER_USER)
    _blocks().delete_one({"blocker": actor.id, "blocked": user_id})
    repository.set_muted(actor.id, user_id, muted=False)
    realtime.notify(NOTICE)  # this process's answers first: the pair are contacts again below
    answer = {"userId": user_id, "blockedAt": None, "blocked": False}
    realtime.publish(SCOPE, "user_blocked", answer, realtime.user_room(actor.id))
    presence.reintroduce(actor.id, user_id)  # their screens showed each other offline
    return answer


def list_blocks(actor):
    """Return the users the actor blocked, oldest block first."""
    docs = _blocks().find({"blocker": actor.id}).sort("createdAt", ASCENDING).limit(1000)
    return {"blocks": [_view(doc) for doc in docs]}


def muted_in(participants):
    """Return the participants another participant blocked (they may not write in a new conversation)."""
    found = _blocks().find({"blocker": {"$in": list(participants)}, "blocked": {"$in": list(participants)}},
                           projection={"blocked": 1})
    return sorted({doc["blocked"] for doc in found})


def check_can_write(sender_id, conversation):
    """Raise Forbidden when another participant of a stored conversation has blocked the sender."""
    if sender_id in (conversation.get("mutedSenders") or ()):
        raise Forbidden(BLOCKED_TEXT)


def explain_refusal(sender_id, participants):
    """After the send path's write refused the sender: raise Forbidden(BLOCKED_TEXT) if a block is why."""
    if _blocked_by_another(sender_id, participants):
        raise Forbidden(BLOCKED_TEXT)


def _blocked_by_another(sender_id, participants):
    others = [p for p in participants if p != sender_id]
    return bool(others) and _blocks().find_one({"blocked": sender_id, "blocker": {"$in": others}},
                                               projection={"_id": 1}) is not None


def severed(user_id):
    """Return everyone in a block with the user, either way (they see none of each other's presence)."""
    answers = current_app.extensions["gharbazaar.severed_blocks"]
    found = answers.get(user_id)
    if found is None:
        generation = answers.generation
        blockers = _blocks().find({"blocked": user_id}, projection={"blocker": 1})
        blocked = _blocks().find({"blocker": user_id}, projection={"blocked": 1})
        found = frozenset([doc["blocker"] for doc in blockers] + [doc["blocked"] for doc in blocked])
        answers.put(user_id, found, generation)
    return found


def typing_audience(sender_id, oid, participants):
    """Return the other participants who may see the sender type: none in a block with them, either way."""
    answers = _typing_answers()
    allowed = {p: answers.get((p, oid)) for p in participants}
    if None in allowed.values():  # one query answers for every participant (joining asks none)
        generation = answers.generation
        muted = set(muted_in(participants))
        for p in participants:
            allowed[p] = p not in muted
            answers.put((p, oid), allowed[p], generation)
    if not allowed[sender_id]:
        return []
    # A participant another blocked is muted; in a conversation of two, the other is the sender.
    return [p for p in participants if p != sender_id and allowed[p]]


def read_audience(reader_id, conversation):
    """Return the participants told of the reader's read: the reader's own sockets, and the others
    unless the reader blocked them (the blocked user does not see the blocker's activity)."""
    muted = conversation.get("mutedSenders") or ()
    return [p for p in conversation["participants"] if p == reader_id or p not in muted]


def typing_generation():
    """Return the typing answers' generation now (pass it to note_muted with what was read after)."""
    return _typing_answers().generation


def note_muted(conversation, generation):
    """Remember who may type in a conversation read since `generation` (joining, then typing, asks none)."""
    muted = conversation.get("mutedSenders") or ()
    for participant in conversation["participants"]:
        _typing_answers().put((participant, conversation["_id"]), participant not in muted, generation)


def _typing_answers():
    return current_app.extensions["gharbazaar.typing_blocks"]


class BlockAnswers:
    """Answers about blocks as last read: least recently used dropped first, all dropped on a notice."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.entries = OrderedDict()
        self.generation = 0  # moves on every forget: an answer read before it is not kept

    def get(self, key):
        found = self.entries.pop(key, None)  # taken out and put back last: the most recently used
        if found is None or self.clock() - found[0] >= RECHECK_S:
            return None
        self.entries[key] = found
        return found[1]

    def put(self, key, answer, generation):
        if generation != self.generation:  # a block changed while this was read: it may be stale
            return
        self.entries.pop(key, None)
        self.entries[key] = (self.clock(), answer)
        # Pop and set, never move_to_end: in the threading mode a notice may clear the entries from
        # the Redis listener's thread, and no step here may then fail on a key gone meanwhile.
        if len(self.entries) > CACHE_MAX:
            with suppress(KeyError):
                self.entries.popitem(last=False)

    def forget(self):
        self.entries.clear()
        self.generation += 1
