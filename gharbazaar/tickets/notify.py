"""What each ticket change tells whom, over Socket.IO (both `/` and `/tickets`).

The owner's and the assignee's `user:` rooms get their ticket's events on every tab, even
when that tab has not joined the ticket room (the rooms of one emit reach a socket once).
Presence contacts through tickets are here too.
"""
from .. import realtime
from ..models import iso
from ..presence.contacts import STAFF_CONTACT, STAFF_USER
from . import models, repository
from .states import CLOSED

PREVIEW_CHARS = 50


def _rooms(ticket, *extra, assignee=True):
    rooms = [realtime.ticket_room(str(ticket["_id"])), realtime.user_room(ticket["userId"]), *extra]
    if assignee and ticket.get("assignedTo"):
        rooms.append(realtime.user_room(ticket["assignedTo"]))
    return rooms


def _publish(event, payload, rooms):
    realtime.publish("tickets", event, payload, rooms)


def created(ticket):
    """Tell the employee room about a new ticket, as it stands after the auto-assignment attempt.

    Both event names the frontends use. The employee page learns of an assignment only from
    this event, so it must already carry the status and the assignee.
    """
    doc = models.ticket(ticket)
    for event in ("ticket:created", "ticket:new"):
        _publish(event, doc, realtime.EMPLOYEES_ROOM)


def changed(before, after, move):
    """Announce a status move: status-changed always, plus assigned or closed."""
    ticket_id = str(after["_id"])
    # A reassigned ticket's previous employee hears about it too.
    previous = [realtime.user_room(before["assignedTo"])] if before.get("assignedTo") else []
    _publish("ticket:status-changed",
             {"ticketId": ticket_id, "status": after["status"], "assignedTo": after.get("assignedTo")},
             _rooms(after, realtime.EMPLOYEES_ROOM, *previous))
    if move.action in ("assign", "reassign"):
        name = after.get("assignedToName")
        _publish("ticket:assigned", {"ticketId": ticket_id, "assignedTo": after["assignedTo"],
                                     "assignedToName": name, "agentName": name, "status": after["status"],
                                     "userId": after["userId"]}, _rooms(after, realtime.EMPLOYEES_ROOM))
    if after["status"] == CLOSED:
        _publish("ticket:closed", {"ticketId": ticket_id, "status": CLOSED,
                                   "closedAt": iso(after.get("closedAt"))}, _rooms(after))


def message(ticket, doc):
    """Broadcast a ticket message under its author's event name.

    The customer's support widget shows every `ticket:message` as a staff bubble and the
    employee page listens to `ticket:customer-message`: each side hears the other's messages
    under its own name, and never its own messages under the other's.
    """
    ticket_room = realtime.ticket_room(str(ticket["_id"]))
    if doc["senderType"] == models.EMPLOYEE:
        _publish("ticket:message", dict(models.message(doc), role="agent"),
                 [ticket_room, realtime.user_room(ticket["userId"])])
        return
    assignee = [realtime.user_room(ticket["assignedTo"])] if ticket.get("assignedTo") else []
    _publish("ticket:customer-message", dict(models.message(doc), role="user"), [ticket_room, *assignee])
    _publish("ticket:new-message", {"ticketId": str(ticket["_id"]), "userId": ticket["userId"],
                                    "preview": doc["message"][:PREVIEW_CHARS]}, realtime.EMPLOYEES_ROOM)


def presence_contacts(user_id):
    """Return the user's presence contacts through tickets that are not closed: the assignee of each
    ticket they own, who sees them only as staff, and the owner of each ticket assigned to them, whom
    they see only as staff (access follows the token's role, as everywhere in tickets)."""
    links = set()
    for doc in repository.live_pairs(user_id):
        if doc["userId"] == user_id and doc.get("assignedTo") not in (None, user_id):
            links.add((doc["assignedTo"], STAFF_CONTACT))
        elif doc.get("assignedTo") == user_id and doc["userId"] != user_id:
            links.add((doc["userId"], STAFF_USER))
    return links
