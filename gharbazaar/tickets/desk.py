"""The employee desk (`/api/v1/employee`): the original backend's staff routes, on the ticket rules."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app

from ..db import object_id
from ..errors import Forbidden, ValidationFailed
from ..users import service as users
from . import repository, service, states

STAFF_ONLY = "Only employees can access this resource"
INVALID_TEMPLATE = "Invalid template ID"
HISTORY_SIZE = 20
ACTIVE_SIZE = 50
# The original backend's five quick responses, by the ids its frontend sends.
TEMPLATES = {
    "greeting": "Hello! Thank you for contacting GharBazaar support. "
                "I'll be happy to help you with your issue.",
    "investigating": "I'm currently investigating this issue. "
                     "I'll get back to you shortly with more information.",
    "resolved": "Great! I'm glad we could resolve your issue. Is there anything else I can help you with?",
    "followup": "Just following up on your request. Do you need any additional assistance?",
    "closing": "Thank you for using GharBazaar! If you need any further help, feel free to reach out.",
}


def require_staff(actor):
    """Raise Forbidden unless the actor is an employee or an admin."""
    if not actor.is_staff:
        raise Forbidden(STAFF_ONLY)
    users.remember(actor)


def list_tickets(actor, args):
    """Return a page of every ticket, newest first (`skip` as the original, or a `before` cursor)."""
    require_staff(actor)
    query = {} if args["status"] == "all" else {"status": args["status"]}
    before = object_id(args["before"]) if args["before"] else None
    found = repository.page(query, args["limit"], before, skip=args["skip"])
    return {"tickets": found[:args["limit"]], "hasMore": len(found) > args["limit"]}


def active_conversations(actor):
    """Return the caller's tickets that are not closed and the unassigned open ones, newest activity first."""
    require_staff(actor)
    mine = repository.recent({"assignedTo": actor.id, "status": {"$in": repository.NOT_CLOSED}}, ACTIVE_SIZE)
    waiting = repository.recent({"status": states.OPEN}, ACTIVE_SIZE)
    merged = sorted(mine + waiting, key=lambda doc: (doc["updatedAt"], doc["_id"]), reverse=True)
    return merged[:ACTIVE_SIZE]


def quick_response(actor, ticket_id, template_id):
    """Send a template's text as the caller's ticket message (the rules of any staff reply)."""
    require_staff(actor)
    text = TEMPLATES.get(template_id)
    if text is None:
        raise ValidationFailed(INVALID_TEMPLATE,
                               details=[{"field": "templateId", "message": "Unknown template."}])
    return service.post_message(actor, ticket_id, {"message": text, "fileUrl": None, "fileName": None})


def user_history(actor, user_id):
    """Return a customer's last tickets, newest first."""
    require_staff(actor)
    return repository.page({"userId": user_id}, HISTORY_SIZE)[:HISTORY_SIZE]


def stats(actor):
    """Return the caller's desk figures; response time from assignment to their first reply, in seconds."""
    require_staff(actor)
    average, measured = repository.first_response_average(actor.id)
    mine = {"assignedTo": actor.id}
    return {
        "activeTickets": repository.count(dict(mine, status={"$in": sorted(states.ACTIVE)})),
        "resolvedToday": repository.count(dict(mine, resolvedAt={"$gte": _start_of_today()})),
        "averageResponseTime": round(average, 1) if measured else 0,
        "responsesMeasured": measured,
        "totalAssigned": repository.count(mine),
    }


def _start_of_today():
    """Return midnight of the desk's own day (DESK_TIMEZONE: India by default), as an aware datetime."""
    zone = ZoneInfo(current_app.config["DESK_TIMEZONE"])
    return datetime.combine(datetime.now(zone).date(), time.min, tzinfo=zone)
