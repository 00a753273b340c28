"""Socket.IO events for tickets, mounted on `/` and `/tickets`: {event: handler(conn, payload)}."""
from .. import realtime
from ..presence import service as presence
from ..validation import load
from . import schemas, service, views


def _ticket_id(payload):
    # Older clients emit the bare id; the contract's shape is {ticketId}.
    payload = {"ticketId": payload} if isinstance(payload, str) else payload
    return load(schemas.TicketRef(), payload)["ticketId"]


def join_employee_room(conn, payload=None):
    """Put a staff socket in the employee room; it may now be handed tickets."""
    realtime.join(conn, service.employee_room(conn.actor))
    presence.joined_staff_room(conn)
    return {"joined": True}


def join_ticket(conn, payload):
    """Join the ticket room (owner, assignee or staff)."""
    ticket = service.follow(conn.actor, _ticket_id(payload))
    realtime.join(conn, realtime.ticket_room(str(ticket["_id"])))
    return {"ticket": views.ticket(ticket)}


def leave_ticket(conn, payload):
    """Leave the ticket room."""
    ticket_id = _ticket_id(payload)
    realtime.leave(conn, realtime.ticket_room(ticket_id))
    return {"ticketId": ticket_id}


def ticket_message(conn, payload):
    """Write on the ticket; the message is broadcast by the service."""
    data = load(schemas.TicketMessage(), payload)
    return {"message": views.message(service.post_message(conn.actor, data["ticketId"], data))}


def assign_ticket(conn, payload):
    """Assign the ticket to the caller, or (admin) to employeeId."""
    data = load(schemas.AssignTicket(), payload)
    return {"ticket": views.ticket(service.assign(conn.actor, data["ticketId"], data["employeeId"]))}


def close_ticket(conn, payload):
    """Close the ticket (assignee or admin)."""
    return {"ticket": views.ticket(service.close(conn.actor, _ticket_id(payload)))}


HANDLERS = {
    "join_employee_room": join_employee_room,
    "join_ticket": join_ticket,
    "leave_ticket": leave_ticket,
    "ticket_message": ticket_message,
    "assign_ticket": assign_ticket,
    "close_ticket": close_ticket,
}
