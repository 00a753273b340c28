"""Who may touch a conversation: the one participant check every chat rule goes through."""
from .. import realtime
from ..db import object_id
from ..errors import AppError, Forbidden
from . import repository

SCOPE = "chat"
NOT_AUTHORIZED = "Not authorized for this conversation"
NOT_AUTHORIZED_VIEW = "Not authorized to view this conversation"


def conversation_for(actor, conversation_id, denied=NOT_AUTHORIZED):
    """Return the stored conversation if the actor takes part in it.

    A malformed id names nothing (404 `Conversation not found`); an unknown well-formed id
    and someone else's conversation get the same 403, so outsiders cannot probe which exist.
    """
    oid = object_id(conversation_id, "Conversation")
    doc = repository.find_conversation(oid)
    if doc is None or actor.id not in doc["participants"]:
        raise Forbidden(denied)
    return doc


def claim_for(actor, conversation_id):
    """Like conversation_for, and take a change sequence number in the same round trip."""
    doc = repository.claim_seq(object_id(conversation_id, "Conversation"), actor.id)
    if doc is None:
        raise Forbidden(NOT_AUTHORIZED)
    return doc


def room_of(doc):
    """Return the socket room of a stored conversation."""
    return realtime.conversation_room(str(doc["_id"]))


def can_read_file(actor, conversation_id):
    """Return True when the actor takes part in the conversation a file belongs to."""
    try:
        conversation_for(actor, conversation_id)
    except AppError:
        return False
    return True
