"""What changed in a user's conversations since a client last looked (resync after reconnect)."""
from ..db import object_id
from ..errors import NotFound
from . import models, repository
from .service import describe

MAX_CHANGES = 200
MAX_CONVERSATIONS = 500


def _known_ids(after):
    """Return {ObjectId: lastSeq} for the well-formed ids (others name nothing of the user's)."""
    known = {}
    for raw, seq in list(after.items())[:MAX_CONVERSATIONS]:
        try:
            known[object_id(raw, "Conversation")] = seq
        except NotFound:
            continue
    return known


def _complete(doc, messages, limit):
    """Cut a page at `limit` without splitting a group sharing one sequence number.

    A read receipt stamps every message it marks with the same number; a page that stopped
    inside that group would make "after N" skip the rest of it.
    """
    if len(messages) <= limit:
        return messages, False
    boundary = messages[limit - 1]["changeSeq"]
    page = [m for m in messages[:limit] if m["changeSeq"] != boundary]
    return page + repository.changes_at(doc["_id"], boundary), True


def _entry(doc, actor, messages, limit, after=0):
    messages, has_more = _complete(doc, messages, limit)
    # The client resumes from the last change it received, never from the conversation's
    # counter: a number may be taken by a message whose insert has not landed yet.
    last_seq = messages[-1]["changeSeq"] if messages else after
    return {"conversationId": str(doc["_id"]), "lastSeq": last_seq,
            "conversation": describe(doc, actor.id),
            "messages": [models.message(m, actor.id, doc) for m in messages], "hasMore": has_more}


def changes(actor, after=None, since=None, limit=MAX_CHANGES):
    """Return the actor's conversations that changed, each with its changed messages in order.

    `after` maps conversation ids to the last sequence number the client saw; `since` is an
    instant (the previous sync's serverTime) that also finds conversations new to the client.
    Ids the actor does not take part in are left out without a word.
    """
    known = _known_ids(after or {})
    out = []
    for doc in repository.conversations_of(actor.id, ids=list(known)) if known else []:
        messages = repository.changes_after(doc["_id"], known[doc["_id"]], limit)
        # A change to the conversation itself (contact sharing agreed or withdrawn) takes no number.
        moved = since is not None and doc.get("changedAt") is not None and doc["changedAt"] > since
        if messages or moved:
            out.append(_entry(doc, actor, messages, limit, known[doc["_id"]]))
    if since is not None:
        for doc in repository.conversations_of(actor.id, changed_since=since):
            if doc["_id"] not in known:
                out.append(_entry(doc, actor, repository.changes_since(doc["_id"], since, limit), limit))
    return out
