"""REST routes of the employee desk (/api/v1/employee, staff only): parse, call the desk, shape the answer."""
from flask import Blueprint, jsonify, request

from ..apidoc.registry import documented
from ..auth import authenticate_request, require_login
from ..validation import load, load_json
from . import desk, schemas, views
from .docs import ActiveConversations, DeskStatsAnswer, DeskTickets, TicketListing, TicketMessageAnswer

bp = require_login(Blueprint("employee", __name__, url_prefix="/api/v1/employee"))


def _ok(data, status=200, **top_level):
    return jsonify({"success": True, "data": data, **top_level}), status


@bp.get("/tickets")
@documented("List every ticket, newest first (staff)", query=schemas.DeskListing, response=DeskTickets,
            errors=(403,), tags=["employee desk"])
def tickets():
    """List every ticket, newest first."""
    args = load(schemas.DeskListing(), request.args.to_dict())
    page = desk.list_tickets(authenticate_request(), args)
    return _ok({"tickets": [views.ticket(t) for t in page["tickets"]], "hasMore": page["hasMore"]})


@bp.get("/active-conversations")
@documented("My tickets that are not closed and the waiting ones, newest activity first (staff)",
            response=ActiveConversations, errors=(403,), tags=["employee desk"])
def active_conversations():
    """List the caller's open work and the unassigned tickets."""
    found = desk.active_conversations(authenticate_request())
    return _ok({"conversations": [views.ticket(t) for t in found]})


@bp.post("/quick-response")
@documented("Send a quick-response template as my ticket message (staff)", body=schemas.QuickResponse,
            response=TicketMessageAnswer, status=201, top_level={"message": "string"}, errors=(403, 409),
            tags=["employee desk"])
def quick_response():
    """Send a template's text on a ticket, as any staff reply."""
    data = load_json(schemas.QuickResponse())
    message = desk.quick_response(authenticate_request(), data["ticketId"], data["templateId"])
    return _ok({"message": views.message(message)}, 201, message="Quick response sent")


@bp.get("/user-history/<user_id>")
@documented("A customer's last 20 tickets, newest first (staff)", response=TicketListing, errors=(403,),
            tags=["employee desk"])
def user_history(user_id):
    """List a customer's last tickets."""
    found = desk.user_history(authenticate_request(), user_id)
    return _ok({"tickets": [views.ticket(t) for t in found]})


@bp.get("/stats")
@documented("My desk figures (staff)", response=DeskStatsAnswer, errors=(403,), tags=["employee desk"])
def stats():
    """Return the caller's active, resolved-today and assigned counts and average response time."""
    return _ok({"stats": desk.stats(authenticate_request())})
