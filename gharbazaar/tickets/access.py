"""Who may see a ticket: its owner, its assignee and staff; the texts of the refusals."""
from ..db import object_id
from ..errors import Forbidden, NotFound
from ..users import service as users
from . import repository

NOT_FOUND = "Ticket not found"
NOT_AUTHORIZED = "Not authorized for this ticket"
EMPLOYEE_ROOM_DENIED = "Only employees can join employee room"
STAFF_ONLY = "Only employees can access this resource"
REPORTED_ASSIGNEE = "This report is about that employee. Assign it to someone else."


def find(ticket_id):
    """Return the ticket or raise NotFound (also for malformed ids)."""
    ticket = repository.find(object_id(ticket_id, "Ticket"))
    if ticket is None:
        raise NotFound(NOT_FOUND)
    return ticket


def visible(actor, ticket_id):
    """Return the ticket if the actor owns it or is staff (its assignee included); else raise.

    An assignee whose tokens no longer say staff (moved off the support team) is a customer again:
    the ticket they still hold is not theirs to read until an admin hands it on."""
    ticket = find(ticket_id)
    if not (actor.is_staff or actor.id == ticket["userId"]) or is_about(ticket, actor.id):
        raise Forbidden(NOT_AUTHORIZED)
    return ticket


def is_about(ticket, user_id):
    """Tell whether the ticket reports this user (who then may not see or handle it, staff or not)."""
    return ticket.get("reportedUserId") == user_id


def refuse_if_about(ticket, employee_id):
    """Raise Forbidden when a report is about the employee it would be assigned to."""
    if is_about(ticket, employee_id):
        raise Forbidden(REPORTED_ASSIGNEE)


def not_about(actor):
    """Return the query part that leaves out the reports about the actor (staff lists)."""
    return {"reportedUserId": {"$ne": actor.id}}


def can_read(actor, ticket_id):
    """Return True when the actor may see the ticket (and so read its files)."""
    try:
        visible(actor, ticket_id)
    except (NotFound, Forbidden):
        return False
    return True


def file_shown(actor, ticket_id, file_id):
    """Return True when someone who sees the ticket may read a file another person uploaded to it.

    Staff always: the customer's support widget uploads and sends no message with the file, so
    staff must read what no message carries. The customer once a message carries the file.
    """
    return actor.is_staff or repository.file_in_use(object_id(ticket_id, "Ticket"), file_id)


def require_employee(actor):
    """Raise unless the actor may join the employee room."""
    if not actor.is_staff:
        raise Forbidden(EMPLOYEE_ROOM_DENIED)


def require_staff(actor, text=STAFF_ONLY):
    """Raise Forbidden unless the actor is an employee or an admin."""
    if not actor.is_staff:
        raise Forbidden(text)
    users.remember(actor)
