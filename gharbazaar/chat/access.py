"""Who may touch a conversation: the one participant check every chat rule goes through."""
from collections import OrderedDict

from flask import current_app

from .. import realtime
from ..db import object_id
from ..errors import AppError, Forbidden, NotFound
from ..files import service as files
from . import read_batch, repository

SCOPE = "chat"
NOT_AUTHORIZED = "Not authorized for this conversation"
NOT_AUTHORIZED_VIEW = "Not authorized to view this conversation"
MESSAGE_NOT_FOUND = "Message not found"
# Conversations whose participants this process has read (see participants_of), at most this many.
KNOWN_MAX = 20_000


def conversation_for(actor, conversation_id, denied=NOT_AUTHORIZED):
    """Return the stored conversation if the actor takes part in it.

    A malformed id names nothing (404 `Conversation not found`); an unknown well-formed id
    and someone else's conversation get the same 403, so outsiders cannot probe which exist.
    """
    oid = object_id(conversation_id, "Conversation")
    doc = repository.find_conversation(oid)
    if doc is None or actor.id not in doc["participants"]:
        raise Forbidden(denied)
    _remember(oid, doc["participants"])
    return doc


def participants_of(actor, conversation_id, denied=NOT_AUTHORIZED):
    """Return (id, participants) of a conversation the actor takes part in, as conversation_for.

    A conversation's participants never change once it exists, so what this process has read
    stays true: sending and typing check membership without a database round trip. (Sending
    checks it again in the write that takes the message's sequence number.)
    """
    oid = object_id(conversation_id, "Conversation")
    participants = _known().get(oid)
    if participants is None:
        return oid, tuple(conversation_for(actor, oid, denied)["participants"])
    if actor.id not in participants:
        raise Forbidden(denied)
    return oid, participants


def _known():
    return current_app.extensions.setdefault("gharbazaar.chat_participants", OrderedDict())


def _remember(oid, participants):
    known = _known()
    known[oid] = tuple(participants)
    known.move_to_end(oid)
    if len(known) > KNOWN_MAX:
        known.popitem(last=False)


def claim_for(actor, conversation_id):
    """Like conversation_for, and take a change sequence number in the same round trip."""
    doc = read_batch.claim(object_id(conversation_id, "Conversation"), actor.id)
    if doc is None:
        raise Forbidden(NOT_AUTHORIZED)
    return doc


def room_of(doc):
    """Return the socket room of a stored conversation."""
    return realtime.conversation_room(str(doc["_id"]))


def file_shown(conversation_id, file_id):
    """Return True while a message of the conversation carries the file (unsent uploads are removed)."""
    return repository.file_in_use(object_id(conversation_id, "Conversation"), file_id)


def file_kept(conversation_id, file_id):
    """Return True while a message shows the file or a report holds it (unsent uploads are removed)."""
    return file_shown(conversation_id, file_id) or files.held(file_id)


def file_sent_to(actor, conversation_id, file_id):
    """Return True when a message carries the file, so every participant may read it."""
    return file_shown(conversation_id, file_id)


def can_read_file(actor, conversation_id):
    """Return True when the actor takes part in the conversation a file belongs to."""
    try:
        conversation_for(actor, conversation_id)
    except AppError:
        return False
    return True


def message_in_view(actor, message_id):
    """Return (message, conversation) of a conversation the actor takes part in.

    Outsiders get the same 404 as for unknown ids: they learn nothing about which messages exist.
    """
    doc = repository.find_message(object_id(message_id, "Message"))
    conversation = doc and repository.find_conversation(doc["conversationId"])
    if not conversation or actor.id not in conversation["participants"]:
        raise NotFound(MESSAGE_NOT_FOUND)
    return doc, conversation
