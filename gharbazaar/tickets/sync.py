"""What changed in a user's tickets since a client last looked (resync after reconnect)."""
from datetime import timedelta

from . import models, repository

MAX_TICKETS = 100
MAX_MESSAGES = 200
STEP = timedelta(milliseconds=1)


def changes(actor, since):
    """Return (answer, resume): the tickets the actor owns or is assigned that changed after `since`,
    oldest change first, and the instant a next sync must start from when the answer was cut.

    Each ticket comes with its current document (status, assignee, history) and the messages
    written after `since`. When there were more tickets or more of a ticket's messages than an
    answer holds, `ticketsHasMore` is true and `resume` is just before the first thing left out:
    the client's next `since` (the answer's `serverTime`) then misses nothing, and what comes
    twice is applied by id.
    """
    if since is None:
        return {"tickets": [], "ticketsHasMore": False}, None
    # An assignee whose token no longer says staff sees only their own tickets (tickets/access.py).
    owned_only = not actor.is_staff
    docs = repository.changed_since(actor.id, since, MAX_TICKETS, owned_only=owned_only)
    out, resume = [], None
    if len(docs) > MAX_TICKETS:
        resume = docs[MAX_TICKETS - 1]["updatedAt"] - STEP
    for doc in docs[:MAX_TICKETS]:
        resume = _add(out, doc, since, resume)
    if len(docs) > MAX_TICKETS:
        # A ticket left for the next answer (changed again after the cut) is read from the cut
        # instant there: the messages it had before the cut come now, with it as it stands.
        later = repository.changed_ids_since(actor.id, docs[MAX_TICKETS - 1]["updatedAt"], owned_only)
        for doc in repository.find_many(repository.written_between(later, since, resume)).values():
            resume = _add(out, doc, since, resume)
    return {"tickets": out, "ticketsHasMore": resume is not None}, resume


def _add(out, doc, since, resume):
    """Append a ticket with its messages after `since`; return the resume instant, earlier if cut."""
    messages = repository.messages_since(doc["_id"], since, MAX_MESSAGES + 1)
    if len(messages) > MAX_MESSAGES:
        cut = messages[MAX_MESSAGES - 1]["timestamp"] - STEP  # `$gt`: what shares it comes again
        resume = cut if resume is None else min(resume, cut)
    out.append({"ticketId": str(doc["_id"]), "ticket": models.ticket(doc),
                "messages": [models.message(m) for m in messages[:MAX_MESSAGES]]})
    return resume
