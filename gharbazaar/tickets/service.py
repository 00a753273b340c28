"""Support tickets: every rule, for REST and Socket.IO alike (the actor is always explicit)."""
import logging

from flask import current_app

from .. import realtime, throttle
from ..auth import STAFF_ROLES
from ..db import object_id
from ..errors import Conflict, Forbidden, ValidationFailed
from ..files import service as files
from ..users import service as users
from ..presence import service as presence
from . import access, assignment, canned, capacity, clock, evidence, models, notify, repository, sla, states

log = logging.getLogger(__name__)
STAFF_CANNOT_CREATE = "Employees cannot create support tickets"
STAFF_ONLY = "Only employees can view all tickets"
ASSIGN_DENIED = "Only employees can assign tickets"
ASSIGN_OTHERS_DENIED = "Only admins can assign tickets to other employees"
MAX_MESSAGES = 500
FILE_SCOPE = evidence.FILE_SCOPE  # where ticket uploads and the evidence files they hold are read
FILE_NOT_HERE = "File not found for this ticket"
RETRIES = 3


def create(actor, data, evidence_content=None):
    """Open a ticket whose problem is its first message (written before it), then try to assign it.
    evidence_content (reports): a snapshot of reported messages, chained in `evidence`, staff-only."""
    if actor.is_staff:
        raise Forbidden(STAFF_CANNOT_CREATE)
    throttle.hit(throttle.MESSAGES, actor.id)
    users.remember(actor)
    now = clock.now()
    ticket = models.new_ticket(actor, data, now, sla.new_ticket_fields(data, now),
                               (evidence_content or {}).get("reportedUserId"))
    repository.add_message(models.new_message(ticket, actor, data["problem"], None, None, now))
    if evidence_content is not None:
        evidence.record(ticket["_id"], evidence_content, now)
    ticket = repository.insert(ticket)
    placed = {doc["_id"]: doc for doc in _hand_out()}
    ticket = placed.get(ticket["_id"]) or repository.find(ticket["_id"])
    notify.created(ticket)
    return ticket


def evidence_for(actor, ticket):
    """Return the evidence snapshots of a ticket for staff; None for anyone else (the reporter too)."""
    return evidence.for_ticket(ticket["_id"]) if actor.is_staff else None


def employee_room(actor):
    """Return the room of staff taking tickets, for staff only (the caller joins it)."""
    access.require_employee(actor)
    return realtime.EMPLOYEES_ROOM


def follow(actor, ticket_id):
    """Return the ticket the actor may follow live (the caller joins its room)."""
    throttle.hit(throttle.JOINS, actor.id, throttle.JOINS_TEXT)
    return access.visible(actor, ticket_id)


def get(actor, ticket_id):
    """Return (ticket, messages oldest first) for someone who may see it."""
    ticket = access.visible(actor, ticket_id)
    users.remember(actor)
    return ticket, repository.messages(ticket["_id"], MAX_MESSAGES)


def list_own(actor, args):
    """Return a page of the actor's own tickets, newest first."""
    users.remember(actor)
    return _page({"userId": actor.id}, args)


def list_all(actor, args):
    """Return a page of every ticket (staff only); assignedTo=me means the caller."""
    if not actor.is_staff:
        raise Forbidden(STAFF_ONLY)
    users.remember(actor)
    query = access.not_about(actor)
    if args["assignedTo"]:
        query["assignedTo"] = actor.id if args["assignedTo"] == "me" else args["assignedTo"]
    return _page(query, args)


def _page(query, args):
    if args["status"] != "all":
        query["status"] = args["status"]
    before = object_id(args["before"]) if args["before"] else None
    found = repository.page(query, args["limit"], before)
    tickets, more = found[:args["limit"]], len(found) > args["limit"]
    return {"tickets": tickets, "hasMore": more, "nextBefore": str(tickets[-1]["_id"]) if more else None}


def post_message(actor, ticket_id, data):
    """Add a message (owner, assignee or staff); a reply may move the ticket on."""
    throttle.hit(throttle.MESSAGES, actor.id)
    ticket = access.visible(actor, ticket_id)
    users.remember(actor)
    if ticket["status"] == states.CLOSED:
        raise Conflict(states.CLOSED_TEXT)
    file_id, file_name = attached_file(actor, ticket, data["fileUrl"])
    now = clock.now()
    # Staff messages are sent with their placeholders filled (a canned reply inserted by hand too).
    text = canned.fill(data["message"], ticket, actor) if actor.is_staff else data["message"]
    doc = repository.add_message(models.new_message(ticket, actor, text, file_id, file_name, now))
    # Stored before the touch, so a resolve or close racing it is seen: reopened, or refused.
    ticket = repository.touch_writable(ticket["_id"], now)
    if ticket is None:
        repository.remove_message(doc["_id"])
        raise Conflict(states.CLOSED_TEXT)
    sla.on_message(ticket, actor, now)
    # Tickets assigned before the desk measured anything carry no assignedAt: nothing to time.
    first_reply = not ticket.get("firstResponseAt") and ticket.get("assignedAt")
    if first_reply and ticket.get("assignedTo") == actor.id:
        repository.mark_first_response(ticket["_id"], actor.id, now)
    notify.message(ticket, doc)
    action = states.reply_action(states.roles(actor, ticket), ticket["status"])
    if action == "customer_reply":
        _reopen(actor, ticket)
    elif action:
        # Losing this race is fine: someone else moved the ticket meanwhile.
        move = states.check(action, ticket["status"], states.roles(actor, ticket))
        _apply(actor, ticket, move, action.replace("_", " "))
    return doc


def _reopen(actor, ticket):
    """Reopen a resolved ticket: to its assignee if available with room, else to the pool."""
    who = states.roles(actor, ticket)
    assignee, token = ticket.get("assignedTo"), None
    if assignee and assignee in presence.available_users():
        cap = current_app.config["MAX_ACTIVE_TICKETS_PER_EMPLOYEE"]
        token = capacity.reserve(assignee, ticket["_id"], cap=cap, assigned=False, now=clock.now())
    if token is not None:
        move = states.check("customer_reply", ticket["status"], who)
        return _apply(actor, ticket, move, "customer reply", token=token)
    move = states.check("reopen_to_pool", ticket["status"], who)
    updated = _apply(actor, ticket, move, "customer reply; assignee not available")
    if updated is not None:
        _hand_out()
    return updated


def assign(actor, ticket_id, employee_id=None):
    """Assign to the caller (staff) or, for admins, to employee_id; a race has one winner."""
    if not actor.is_staff:
        raise Forbidden(ASSIGN_DENIED)
    target = employee_id or actor.id
    if target == actor.id:
        name = actor.display_name
    elif not actor.is_admin:
        raise Forbidden(ASSIGN_OTHERS_DENIED)
    else:
        profile = users.profiles([target])[target]
        if profile["role"] not in STAFF_ROLES:
            raise ValidationFailed("employeeId is not a known employee",
                                   details=[{"field": "employeeId", "message": "Not a known employee."}])
        name = profile["name"]

    def choose(ticket):
        access.refuse_if_about(ticket, target)
        if ticket["status"] in states.ACTIVE and ticket.get("assignedTo") == target:
            return None, {}  # already theirs ("Assign to me" on an auto-assigned ticket): nothing to do
        return states.assign_action(ticket["status"], actor), {"assignee": target, "assignee_name": name}
    return _move(actor, ticket_id, choose)


def close(actor, ticket_id):
    """Close the ticket (assignee or admin); closed is final."""
    return _move(actor, ticket_id, lambda ticket: ("close", {}))


def set_status(actor, ticket_id, status, reason=None):
    """Move the ticket to status (assignee or admin) if the machine allows it."""
    return _move(actor, ticket_id, lambda doc: (states.status_action(doc["status"], status), {}), reason)


def _move(actor, ticket_id, choose, reason=None):
    """Check and apply a move; when a race changed the ticket, re-read and re-check it."""
    users.remember(actor)
    for _ in range(RETRIES):
        ticket = access.visible(actor, ticket_id)
        action, extra = choose(ticket)
        if action is None:
            return ticket
        move = states.check(action, ticket["status"], states.roles(actor, ticket))
        updated = _apply(actor, ticket, move, reason, **extra)
        if updated is not None:
            return updated
    raise Conflict("The ticket changed meanwhile. Please try again.")


def _apply(actor, ticket, move, reason=None, **extra):
    updated = assignment.apply_move(ticket, move, actor.id, reason, **extra)
    if updated is not None:
        notify.changed(ticket, updated, move)
        if states.frees_capacity(ticket, updated):
            _hand_out()
    return updated


def _hand_out():
    """Hand out waiting tickets; return those assigned (none when the hand-out failed)."""
    try:
        return assignment.hand_out()
    except Exception:  # the change itself succeeded; waiting tickets go out on the next occasion
        log.warning("ticket hand-out failed", exc_info=True)
        return []


def give_feedback(actor, ticket_id, feedback):
    """Record the owner's one rating ({rating, remarks}) of a resolved or closed ticket."""
    for _ in range(2):
        ticket = access.visible(actor, ticket_id)
        if ticket["userId"] != actor.id:
            raise Forbidden("Only the ticket owner can give feedback")
        if ticket.get("feedback"):
            raise Conflict("Feedback already submitted")
        if ticket["status"] not in states.FEEDBACK_AFTER:
            raise Conflict("Feedback can be given only after the ticket is resolved")
        updated = repository.set_feedback(ticket["_id"], actor.id, dict(feedback, submittedAt=clock.now()))
        if updated is not None:
            return updated
    raise Conflict("The ticket changed meanwhile. Please try again.")


def upload(actor, ticket_id, file_storage):
    """Store a file for the ticket (owner, assignee or staff); return {url, fileId, fileName, fileType}."""
    ticket = access.visible(actor, ticket_id)
    if ticket["status"] == states.CLOSED:
        raise Conflict(states.CLOSED_TEXT)
    users.remember(actor)
    stored = files.store(actor, file_storage, FILE_SCOPE, str(ticket["_id"]))
    return {key: stored[key] for key in ("url", "fileId", "fileName", "fileType")}


def attached_file(actor, ticket, url):
    """Return (file id, stored name) of the actor's own upload to this ticket; (None, None) without a url."""
    # Never the client's `fileName`: staff would see what a customer typed there (markup included).
    if not url:
        return None, None
    file_id = files.file_id_from_url(url)
    if file_id is None:
        raise ValidationFailed(FILE_NOT_HERE,
                               details=[{"field": "fileUrl", "message": "Not one of our file links."}])
    meta = files.attached(file_id, FILE_SCOPE, str(ticket["_id"]), actor.id, what="ticket")
    return file_id, meta.get("fileName")
