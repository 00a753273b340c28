"""Gather what a client missed across features, stamped with the time to ask from next."""
from datetime import timedelta

from ..chat import sync as chat_sync
from ..models import iso, utcnow
from ..errors import ValidationFailed
from ..tickets import sync as ticket_sync

SINCE_MARGIN_S = 5


def changes(actor, request):
    """Return everything that changed for the actor after the client's sequence numbers/instant."""
    if not request["conversations"] and request["since"] is None:
        raise ValidationFailed("Send conversations (last seq per conversation) and/or since",
                               details=[{"field": "since", "message": "Required without conversations."}])
    # A few seconds early: a change stamped just before this read but stored just after it
    # is sent again next time rather than never (clients apply changes by id, so twice is fine).
    server_time = iso(utcnow() - timedelta(seconds=SINCE_MARGIN_S))
    out = {"serverTime": server_time,
           "conversations": chat_sync.changes(actor, request["conversations"], request["since"])}
    tickets, resume = ticket_sync.changes(actor, request["since"])
    out.update(tickets)
    if resume is not None:
        # The tickets were cut: the next sync starts where they stopped, even inside the margin
        # (an earlier instant would send the same first tickets again, for ever).
        out["serverTime"] = iso(resume)
    return out
