"""The employee desk (`/api/v1/employee`): the original backend's staff routes, on the ticket rules."""
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app

from ..db import object_id
from ..errors import ValidationFailed
from . import access, canned, clock, repository, service, states
from .access import require_staff

INVALID_TEMPLATE = "Invalid template ID"
HISTORY_SIZE = 20
ACTIVE_SIZE = 50


def list_tickets(actor, args):
    """Return a page of every ticket, newest first (`skip` as the original, or a `before` cursor)."""
    require_staff(actor)
    query = access.not_about(actor)
    if args["status"] != "all":
        query["status"] = args["status"]
    before = object_id(args["before"]) if args["before"] else None
    found = repository.page(query, args["limit"], before, skip=args["skip"])
    return {"tickets": found[:args["limit"]], "hasMore": len(found) > args["limit"]}


def active_conversations(actor):
    """Return the caller's tickets that are not closed and the unassigned open ones, newest activity first."""
    require_staff(actor)
    mine = repository.recent({"assignedTo": actor.id, "status": {"$in": repository.NOT_CLOSED}}, ACTIVE_SIZE)
    waiting = repository.recent({"status": states.OPEN, **access.not_about(actor)}, ACTIVE_SIZE)
    merged = sorted(mine + waiting, key=lambda doc: (doc["updatedAt"], doc["_id"]), reverse=True)
    return merged[:ACTIVE_SIZE]


def quick_response(actor, ticket_id, template_id):
    """Send a canned reply (team or the caller's own) as the caller's ticket message, placeholders filled."""
    require_staff(actor)
    reply = canned.find_usable(actor, template_id)
    if reply is None:
        raise ValidationFailed(INVALID_TEMPLATE,
                               details=[{"field": "templateId", "message": "Unknown template."}])
    message = {"message": reply["content"], "fileUrl": None, "fileName": None}
    return service.post_message(actor, ticket_id, message)


def user_history(actor, user_id):
    """Return a customer's last tickets, newest first."""
    require_staff(actor)
    return repository.page({"userId": user_id, **access.not_about(actor)}, HISTORY_SIZE)[:HISTORY_SIZE]


def stats(actor):
    """Return the caller's desk figures; response time from assignment to their first reply, in seconds."""
    require_staff(actor)
    average, measured = repository.first_response_average(actor.id)
    mine = {"assignedTo": actor.id}
    averages, midnight = repository.averages(actor.id), _start_of_today()
    return {
        "firstResponseAverage": averages["firstResponse"],
        "resolutionAverage": averages["resolution"],
        "slaBreaches": repository.breach_count(actor.id),
        "activeTickets": repository.count(dict(mine, status={"$in": sorted(states.ACTIVE)})),
        "resolvedToday": repository.count({"resolvedBy": actor.id, "resolvedAt": {"$gte": midnight}}),
        "averageResponseTime": round(average, 1) if measured else 0,
        "responsesMeasured": measured,
        "totalAssigned": repository.count(mine),
    }


def _start_of_today():
    """Return midnight of the desk's own day (DESK_TIMEZONE: India by default), as an aware datetime."""
    zone = ZoneInfo(current_app.config["DESK_TIMEZONE"])
    return datetime.combine(clock.now().astimezone(zone).date(), time.min, tzinfo=zone)
