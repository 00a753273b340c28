"""Socket.IO events for tickets, mounted on `/` and `/tickets`: {event: handler(conn, payload)}."""
from ..apidoc.events import BARE_ID, Empty
from .. import realtime
from ..presence import service as presence
from ..validation import load
from . import access, models, notes, schemas, service


def _ticket_id(payload):
    # Older clients emit the bare id; the contract's shape is {ticketId}.
    payload = {"ticketId": payload} if isinstance(payload, str) else payload
    return load(schemas.TicketRef, payload)["ticketId"]


def join_employee_room(conn, payload=None):
    """Put a staff socket in the employee room; it may now be handed tickets."""
    realtime.join(conn, service.employee_room(conn.actor))
    presence.declare_available(conn)
    return {"joined": True}


def join_ticket(conn, payload):
    """Join the ticket room (owner, assignee or staff)."""
    ticket = service.follow(conn.actor, _ticket_id(payload))
    realtime.join(conn, realtime.ticket_room(str(ticket["_id"])))
    if conn.actor.is_staff:  # internal notes go to this room alone
        realtime.join(conn, realtime.ticket_staff_room(str(ticket["_id"])))
    return {"ticket": models.ticket(ticket)}


def leave_ticket(conn, payload):
    """Leave the ticket room."""
    ticket_id = _ticket_id(payload)
    # Rooms are named by the canonical (lower-case) id join_ticket used, whatever the spelling.
    realtime.leave(conn, realtime.ticket_room(ticket_id.lower()))
    realtime.leave(conn, realtime.ticket_staff_room(ticket_id.lower()))
    return {"ticketId": ticket_id}


def ticket_message(conn, payload):
    """Write on the ticket; the message is broadcast by the service."""
    data = load(schemas.TicketMessage, payload)
    return {"message": models.message(service.post_message(conn.actor, data["ticketId"], data))}


def ticket_note(conn, payload):
    """Write an internal note (staff); staff following the ticket see it live, customers never."""
    access.require_staff(conn.actor, notes.NOTES_DENIED)  # before reading the payload, as over REST
    data = load(schemas.TicketNote, payload)
    return {"note": models.note(notes.add(conn.actor, data["ticketId"], data["note"]))}


def assign_ticket(conn, payload):
    """Assign the ticket to the caller, or (admin) to employeeId."""
    access.require_staff(conn.actor, service.ASSIGN_DENIED)  # before reading the payload, as over REST
    data = load(schemas.AssignTicket, payload)
    return {"ticket": models.ticket(service.assign(conn.actor, data["ticketId"], data["employeeId"]))}


def close_ticket(conn, payload):
    """Close the ticket (assignee or admin)."""
    return {"ticket": models.ticket(service.close(conn.actor, _ticket_id(payload)))}


HANDLERS = {
    "join_employee_room": join_employee_room,
    "join_ticket": join_ticket,
    "leave_ticket": leave_ticket,
    "ticket_message": ticket_message,
    "ticket_note": ticket_note,
    "assign_ticket": assign_ticket,
    "close_ticket": close_ticket,
}


# The AsyncAPI page: event -> (payload schema, ack `data` schema, summary).
CLIENT_DOCS = {
    "join_employee_room": (Empty, models.EmployeeRoomJoined,
                           "Staff: receive new tickets; become assignable."),
    "join_ticket": ({"oneOf": [BARE_ID, schemas.TicketRef]}, models.TicketAnswer,
                    "Follow a ticket live (owner, assignee, staff)."),
    "leave_ticket": ({"oneOf": [BARE_ID, schemas.TicketRef]}, models.TicketLeft,
                     "Stop following a ticket."),
    "ticket_message": (schemas.TicketMessage, models.TicketMessageAnswer, "Write on a ticket."),
    "ticket_note": (schemas.TicketNote, models.TicketNoteAnswer,
                    "Staff: write an internal note; it is never delivered to the customer."),
    "assign_ticket": (schemas.AssignTicket, models.TicketAnswer,
                      "Staff: assign to me, or (admin) to employeeId."),
    "close_ticket": ({"oneOf": [BARE_ID, schemas.TicketRef]}, models.TicketAnswer,
                     "Close a ticket (assignee or admin)."),
}
# event -> (payload schema, who receives it).
SERVER_DOCS = {
    "ticket:created": (models.TicketView,
                       "employees; the ticket as it stands after the auto-assignment attempt"),
    "ticket:new": (models.TicketView, "employees; same as ticket:created"),
    "ticket:assigned": (models.TicketAssigned,
                        "ticket room, owner's and assignee's `user:` rooms, employees"),
    "ticket:message": (models.TicketMessageEvent,
                       "staff-written messages only (`role: agent`): ticket room, owner's `user:` room"),
    "ticket:customer-message": (models.TicketMessageEvent,
                                "customer-written messages only (`role: user`): ticket room, "
                                "assignee's `user:` room"),
    "ticket:new-message": (models.TicketNewMessage, "employees (customer messages only)"),
    "ticket:status-changed": (models.TicketStatusChanged,
                              "employees, ticket room, owner's `user:` room"),
    "ticket:closed": (models.TicketClosed, "ticket room, owner's `user:` room"),
    "ticket:note": (models.TicketNoteView,
                    "staff following the ticket only (joined with `join_ticket`); never the customer, "
                    "by any path: internal notes are not in REST answers, rooms, resync, files or stats "
                    "that a customer can reach"),
    "ticket:sla-breached": (models.TicketSlaBreached,
                            "employees; once per breach (first response or resolution), also recorded "
                            "in the ticket's history"),
}
