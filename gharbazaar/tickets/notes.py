"""Internal notes on a ticket: written and read by staff only, never delivered to the customer.

Notes live in their own collection (`ticketnotes`), not among the ticket's messages, so no
path that shows a customer their ticket (REST answers, resync, files, stats) can carry one.
Live, a note goes to the ticket's staff room only: staff sockets join it beside the ticket
room when they follow a ticket; customers never do.
"""
from pymongo import ASCENDING, DESCENDING, IndexModel

from .. import realtime, throttle
from ..db import get_db
from ..users import service as users
from . import access, clock, models

NOTES = "ticketnotes"
NOTES_DENIED = "Only employees can use internal notes"
MAX_NOTES = 500
INDEXES = {NOTES: [IndexModel([("ticketId", ASCENDING), ("createdAt", ASCENDING), ("_id", ASCENDING)],
                              name="by_ticket")]}


def _notes():
    return get_db()[NOTES]


def _staff_ticket(actor, ticket_id):
    access.require_staff(actor, NOTES_DENIED)
    return access.visible(actor, ticket_id)


def add(actor, ticket_id, text):
    """Store a note on the ticket (staff) and show it live to staff following the ticket."""
    throttle.hit(throttle.MESSAGES, actor.id)
    ticket = _staff_ticket(actor, ticket_id)
    doc = models.new_note(ticket, actor, text, clock.now())
    doc["_id"] = _notes().insert_one(doc).inserted_id
    staff_room = realtime.ticket_staff_room(str(ticket["_id"]))
    realtime.publish("tickets", "ticket:note", models.note(doc), staff_room)
    return doc


def list_for(actor, ticket_id):
    """Return the ticket's newest notes, oldest first (staff)."""
    ticket = _staff_ticket(actor, ticket_id)
    users.remember(actor)
    newest = _notes().find({"ticketId": ticket["_id"]}).sort([("createdAt", DESCENDING), ("_id", DESCENDING)])
    return list(reversed(list(newest.limit(MAX_NOTES))))
