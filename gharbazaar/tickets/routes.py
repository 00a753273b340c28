"""REST routes for support tickets (/api/v1/tickets): parse, call the service, shape the answer."""
from functools import wraps

from flask import jsonify

from ..apidoc.openapi import Blueprint, answers, array_of, multipart
from ..auth import authenticate_request, require_login
from ..files import uploads
from . import access, desk, models, schemas, service
from .models import (ActiveConversations, DeskStatsAnswer, DeskTickets, TicketAnswer, TicketListing,
                     TicketMessageAnswer, TicketMessageView, TicketUpload, TicketView, TicketWithMessages)

bp = require_login(Blueprint("tickets", __name__, url_prefix="/api/v1/tickets"))
# The employee desk: the original backend's staff routes, which the frontend's backendApi.employee calls.
desk_bp = require_login(Blueprint("employee", __name__, url_prefix="/api/v1/employee"))
DESK_TAGS = ["employee desk"]


def staff_first(text):
    """Refuse non-staff before their input is read: a 403, never a 400 about a form they may not use."""
    def decorate(view):
        @wraps(view)  # keeps flask-smorest's documentation of the view
        def checked(*args, **kwargs):
            access.require_staff(authenticate_request(), text)
            return view(*args, **kwargs)
        return checked
    return decorate


@desk_bp.before_request
def _staff_only():
    """Every desk route is staff-only: say so before reading any input."""
    access.require_staff(authenticate_request())


def _ok(data, status=200, **top_level):
    return jsonify({"success": True, "data": data, **top_level}), status


def _ticket(ticket):
    return _ok({"ticket": models.ticket(ticket)})


def _listing(page):
    return {"tickets": [models.ticket(t) for t in page["tickets"]], "hasMore": page["hasMore"],
            "nextBefore": page["nextBefore"]}


@bp.get("")
@bp.get("/")
@bp.arguments(schemas.Listing, location="query")
@answers(bp, TicketListing)
def own_tickets(args):
    """List my own tickets, newest first."""
    return _ok(_listing(service.list_own(authenticate_request(), args)))


@bp.get("/employee/all")
@staff_first(service.STAFF_ONLY)
@bp.arguments(schemas.Listing, location="query")
@answers(bp, TicketListing, 403, tickets=array_of(TicketView))
def all_tickets(args):
    """List every ticket (staff).

    `tickets` is repeated at the top level for older frontends.
    """
    data = _listing(service.list_all(authenticate_request(), args))
    return _ok(data, tickets=data["tickets"])


@bp.get("/<ticket_id>")
@answers(bp, TicketWithMessages, 403, messages=array_of(TicketMessageView))
def one_ticket(ticket_id):
    """Get a ticket and its messages (owner, assignee, staff).

    `messages` is also at the top level. Staff also get `evidence` on report tickets.
    """
    actor = authenticate_request()
    ticket, messages = service.get(actor, ticket_id)
    shown = [models.message(m) for m in messages]
    data = {"ticket": models.ticket(ticket), "messages": shown}
    snapshots = service.evidence_for(actor, ticket)
    if snapshots:
        data["evidence"] = models.evidence(snapshots)
    return _ok(data, messages=shown)


@bp.post("")
@bp.post("/")
@bp.arguments(schemas.CreateTicket)
@answers(bp, TicketAnswer, 403, status=201, message="string")
def create_ticket(data):
    """Open a ticket (customers only); it is assigned at once if an employee is free."""
    ticket = service.create(authenticate_request(), data)
    return _ok({"ticket": models.ticket(ticket)}, 201, message="Ticket created")


@bp.post("/<ticket_id>/assign")
@staff_first(service.ASSIGN_DENIED)
@bp.arguments(schemas.Assign)
@answers(bp, TicketAnswer, 403, 409)
def assign_ticket(data, ticket_id):
    """Assign the ticket to me, or (admin) to employeeId."""
    return _ticket(service.assign(authenticate_request(), ticket_id, data["employeeId"]))


@bp.post("/<ticket_id>/messages")
@bp.arguments(schemas.Message)
@answers(bp, TicketMessageAnswer, 403, 409, status=201)
def post_message(data, ticket_id):
    """Write on the ticket."""
    message = service.post_message(authenticate_request(), ticket_id, data)
    return _ok({"message": models.message(message)}, 201)


@bp.put("/<ticket_id>/status")
@bp.arguments(schemas.StatusChange)
@answers(bp, TicketAnswer, 403, 409)
def change_status(data, ticket_id):
    """Move the ticket to another status (assignee or admin)."""
    return _ticket(service.set_status(authenticate_request(), ticket_id, data["status"], data["reason"]))


@bp.put("/<ticket_id>/close")
@answers(bp, TicketAnswer, 403, 409)
def close_ticket(ticket_id):
    """Close the ticket (assignee or admin)."""
    return _ticket(service.close(authenticate_request(), ticket_id))


@bp.post("/<ticket_id>/feedback")
@bp.arguments(schemas.Feedback)
@answers(bp, TicketAnswer, 403, 409)
def give_feedback(data, ticket_id):
    """Rate a resolved or closed ticket (owner, once)."""
    return _ticket(service.give_feedback(authenticate_request(), ticket_id, data))


@bp.post("/<ticket_id>/upload")
@bp.post("/<ticket_id>/files")
@bp.doc(**multipart())
@answers(bp, TicketUpload, 403, 409, status=201)
def upload(ticket_id):
    """Upload a file to the ticket (images and documents, by content)."""
    return _ok(service.upload(authenticate_request(), ticket_id, uploads.one_file()), 201)


@desk_bp.get("/tickets", tags=DESK_TAGS)
@desk_bp.arguments(schemas.DeskListing, location="query")
@answers(desk_bp, DeskTickets, 403)
def tickets(args):
    """List every ticket, newest first (staff)."""
    page = desk.list_tickets(authenticate_request(), args)
    return _ok({"tickets": [models.ticket(t) for t in page["tickets"]], "hasMore": page["hasMore"]})


@desk_bp.get("/active-conversations", tags=DESK_TAGS)
@answers(desk_bp, ActiveConversations, 403)
def active_conversations():
    """My tickets that are not closed and the waiting ones, newest activity first (staff)."""
    found = desk.active_conversations(authenticate_request())
    return _ok({"conversations": [models.ticket(t) for t in found]})


@desk_bp.post("/quick-response", tags=DESK_TAGS)
@desk_bp.arguments(schemas.QuickResponse)
@answers(desk_bp, TicketMessageAnswer, 403, 409, status=201, message="string")
def quick_response(data):
    """Send a quick-response template as my ticket message (staff)."""
    message = desk.quick_response(authenticate_request(), data["ticketId"], data["templateId"])
    return _ok({"message": models.message(message)}, 201, message="Quick response sent")


@desk_bp.get("/user-history/<user_id>", tags=DESK_TAGS)
@answers(desk_bp, TicketListing, 403)
def user_history(user_id):
    """A customer's last 20 tickets, newest first (staff)."""
    found = desk.user_history(authenticate_request(), user_id)
    return _ok({"tickets": [models.ticket(t) for t in found]})


@desk_bp.get("/stats", tags=DESK_TAGS)
@answers(desk_bp, DeskStatsAnswer, 403)
def stats():
    """My desk figures (staff)."""
    return _ok({"stats": desk.stats(authenticate_request())})
