"""Typing: relayed to the other participants' sockets in the conversation, never to the typist's own
tabs, and stopped for the others when the last socket typing there closes."""
from collections import OrderedDict

from flask import current_app

from .. import realtime, throttle
from ..errors import RateLimited
from . import blocks
from .access import SCOPE, participants_of

TYPING_SHOWN = "gharbazaar.typing_shown"
TYPING_SOCKETS = "gharbazaar.typing_sockets"
TYPING_SHOWN_MAX = 20_000


def init_app(app):
    """Keep, per sender and conversation, what this process last relayed as typing, and from which sockets."""
    app.extensions[TYPING_SHOWN] = OrderedDict()
    app.extensions[TYPING_SOCKETS] = {}


def typing(actor, conversation_id, is_typing, origin_sid=None):
    """Tell the others the actor is (not) typing; over the limit or in a block either way, drop it silently.

    A stop that ends a start this process relayed always goes, to those the start went to (it
    still counts toward the limit): dropped, it would leave the others showing "typing..." until
    the next message.
    """
    oid, participants = participants_of(actor, conversation_id)
    # Keyed on the canonical id: another spelling of the same id must not get a fresh budget.
    key = f"{actor.id}:{oid}"
    ended = _end(key) if not is_typing else None
    if ended is not None:
        _typing_allowed(key)  # counted all the same, whatever the answer
        audience = ended["to"]
    else:
        audience = blocks.typing_audience(actor.id, oid, participants)
        if not (audience and _typing_allowed(key)):
            return {"conversationId": str(oid), "isTyping": is_typing, "dropped": True}
    if is_typing:
        _started(key, str(oid), audience, origin_sid)
    payload = {"conversationId": str(oid), "userId": actor.id, "isTyping": is_typing}
    _relay(payload, audience)
    return payload


def on_disconnected(app, conn):
    """Stop the typing a closed socket showed, where no other socket of its user on this process types."""
    for key in app.extensions[TYPING_SOCKETS].pop(conn.sid, ()):
        entry = app.extensions[TYPING_SHOWN].get(key)
        if entry is None:
            continue
        entry["sids"].discard(conn.sid)
        if not entry["sids"]:
            _end(key)
            _relay({"conversationId": entry["conversationId"], "userId": conn.actor.id, "isTyping": False},
                   entry["to"])


def _relay(payload, audience):
    # Each participant's own room in the conversation, not the conversation's: the typist's other
    # tabs, on any process, are in the typist's room and so hear nothing.
    rooms = [realtime.viewer_room(payload["conversationId"], user) for user in sorted(audience)]
    if rooms:
        realtime.publish(SCOPE, "user_typing", payload, rooms)


def _started(key, conversation_id, audience, sid):
    shown = current_app.extensions[TYPING_SHOWN]
    entry = shown.pop(key, None) or {"conversationId": conversation_id, "to": set(), "sids": set()}
    entry["to"].update(audience)
    shown[key] = entry
    if sid is not None:
        entry["sids"].add(sid)
        current_app.extensions[TYPING_SOCKETS].setdefault(sid, set()).add(key)
    if len(shown) > TYPING_SHOWN_MAX:
        shown.popitem(last=False)


def _end(key):
    """Forget a relayed start; return what it was (None if there was none)."""
    entry = current_app.extensions[TYPING_SHOWN].pop(key, None)
    for sid in (entry or {}).get("sids", ()):
        current_app.extensions[TYPING_SOCKETS].get(sid, set()).discard(key)
    return entry


def _typing_allowed(key):
    try:
        throttle.hit(throttle.TYPING, key)
    except RateLimited:
        return False
    return True
