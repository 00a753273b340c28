"""What changed in a user's tickets since a client last looked (resync after reconnect)."""
from . import models, repository

MAX_TICKETS = 100
MAX_MESSAGES = 200


def changes(actor, since):
    """Return the tickets the actor owns or is assigned that changed after `since`, oldest change first.

    Each comes with its current document (status, assignee, history) and the messages
    written after `since`; `hasMore` says to sync again from the last ticket's updatedAt.
    """
    if since is None:
        return {"tickets": [], "ticketsHasMore": False}
    docs = repository.changed_since(actor.id, since, MAX_TICKETS)
    out = []
    for doc in docs[:MAX_TICKETS]:
        messages = repository.messages_since(doc["_id"], since, MAX_MESSAGES)
        out.append({"ticketId": str(doc["_id"]), "ticket": models.ticket(doc),
                    "messages": [models.message(m) for m in messages]})
    return {"tickets": out, "ticketsHasMore": len(docs) > MAX_TICKETS}
