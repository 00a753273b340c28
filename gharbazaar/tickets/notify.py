"""What each ticket change tells whom, over Socket.IO (both `/` and `/tickets`).

The owner's and the assignee's `user:` rooms get their ticket's events on every tab, even
when that tab has not joined the ticket room (the rooms of one emit reach a socket once).
"""
from .. import realtime
from ..documents import iso
from . import views
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
    """Tell the employee room about a new ticket (both event names the frontends use)."""
    doc = views.ticket(ticket)
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
                                     "userId": after["userId"]}, _rooms(after))
    if after["status"] == CLOSED:
        _publish("ticket:closed", {"ticketId": ticket_id, "status": CLOSED,
                                   "closedAt": iso(after.get("closedAt"))}, _rooms(after))


def message(ticket, doc):
    """Broadcast a ticket message; customer messages also alert the employee room."""
    payload = dict(views.message(doc), role="agent" if doc["senderType"] == views.EMPLOYEE else "user")
    for event in ("ticket:message", "ticket:customer-message"):
        _publish(event, payload, _rooms(ticket))
    if doc["senderType"] == views.CUSTOMER:
        _publish("ticket:new-message", {"ticketId": str(ticket["_id"]), "userId": ticket["userId"],
                                        "preview": doc["message"][:PREVIEW_CHARS]}, realtime.EMPLOYEES_ROOM)
