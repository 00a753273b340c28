"""REST routes of the employee desk (/api/v1/employee, staff only): parse, call the desk, shape the answer."""
from flask import jsonify

from ..apidoc.openapi import Blueprint, answers
from ..auth import authenticate_request, require_login
from . import desk, models, schemas
from .models import ActiveConversations, DeskStatsAnswer, DeskTickets, TicketListing, TicketMessageAnswer

bp = require_login(Blueprint("employee", __name__, url_prefix="/api/v1/employee"))
TAGS = ["employee desk"]


def _ok(data, status=200, **top_level):
    return jsonify({"success": True, "data": data, **top_level}), status


@bp.get("/tickets", tags=TAGS)
@bp.arguments(schemas.DeskListing, location="query")
@answers(bp, DeskTickets, 403)
def tickets(args):
    """List every ticket, newest first (staff)."""
    page = desk.list_tickets(authenticate_request(), args)
    return _ok({"tickets": [models.ticket(t) for t in page["tickets"]], "hasMore": page["hasMore"]})


@bp.get("/active-conversations", tags=TAGS)
@answers(bp, ActiveConversations, 403)
def active_conversations():
    """My tickets that are not closed and the waiting ones, newest activity first (staff)."""
    found = desk.active_conversations(authenticate_request())
    return _ok({"conversations": [models.ticket(t) for t in found]})


@bp.post("/quick-response", tags=TAGS)
@bp.arguments(schemas.QuickResponse)
@answers(bp, TicketMessageAnswer, 403, 409, status=201, message="string")
def quick_response(data):
    """Send a quick-response template as my ticket message (staff)."""
    message = desk.quick_response(authenticate_request(), data["ticketId"], data["templateId"])
    return _ok({"message": models.message(message)}, 201, message="Quick response sent")


@bp.get("/user-history/<user_id>", tags=TAGS)
@answers(bp, TicketListing, 403)
def user_history(user_id):
    """A customer's last 20 tickets, newest first (staff)."""
    found = desk.user_history(authenticate_request(), user_id)
    return _ok({"tickets": [models.ticket(t) for t in found]})


@bp.get("/stats", tags=TAGS)
@answers(bp, DeskStatsAnswer, 403)
def stats():
    """My desk figures (staff)."""
    return _ok({"stats": desk.stats(authenticate_request())})
