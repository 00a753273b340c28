"""REST routes for support tickets (/api/v1/tickets): parse, call the service, shape the answer."""
from flask import Blueprint, jsonify, request

from ..apidoc.registry import documented
from ..auth import authenticate_request, require_login
from ..validation import load_json, load_query
from . import attachments, schemas, service, views
from .docs import (TicketAnswer, TicketListing, TicketMessageAnswer, TicketMessageView, TicketUpload,
                   TicketView, TicketWithMessages)

bp = require_login(Blueprint("tickets", __name__, url_prefix="/api/v1/tickets"))


def _ok(data, status=200, **top_level):
    return jsonify({"success": True, "data": data, **top_level}), status


def _listing(page):
    return {"tickets": [views.ticket(t) for t in page["tickets"]], "hasMore": page["hasMore"],
            "nextBefore": page["nextBefore"]}


@bp.get("")
@bp.get("/")
@documented("List my own tickets, newest first", query=schemas.Listing, response=TicketListing,
            tags=["tickets"])
def own_tickets():
    """List the caller's own tickets, newest first."""
    args = load_query(schemas.Listing())
    return _ok(_listing(service.list_own(authenticate_request(), args)))


@bp.get("/employee/all")
@documented("List every ticket (staff)", query=schemas.Listing, response=TicketListing, errors=(403,),
            top_level={"tickets": {"type": "array", "items": TicketView}}, tags=["tickets"])
def all_tickets():
    """List every ticket (staff); `tickets` is repeated at the top level for older frontends."""
    args = load_query(schemas.Listing())
    data = _listing(service.list_all(authenticate_request(), args))
    return _ok(data, tickets=data["tickets"])


@bp.get("/<ticket_id>")
@documented("Get a ticket and its messages (owner, assignee, staff)", response=TicketWithMessages,
            top_level={"messages": {"type": "array", "items": TicketMessageView}}, errors=(403,),
            tags=["tickets"])
def one_ticket(ticket_id):
    """Return the ticket and its messages (`messages` also at the top level)."""
    ticket, messages = service.get(authenticate_request(), ticket_id)
    shown = [views.message(m) for m in messages]
    return _ok({"ticket": views.ticket(ticket), "messages": shown}, messages=shown)


@bp.post("")
@bp.post("/")
@documented("Open a ticket (customers only); it is assigned at once if an employee is free",
            body=schemas.CreateTicket, response=TicketAnswer, status=201, top_level={"message": "string"},
            errors=(403,), tags=["tickets"])
def create_ticket():
    """Open a ticket (customers only)."""
    data = load_json(schemas.CreateTicket())
    ticket = service.create(authenticate_request(), data)
    return _ok({"ticket": views.ticket(ticket)}, 201, message="Ticket created")


@bp.post("/<ticket_id>/assign")
@documented("Assign the ticket to me, or (admin) to employeeId", body=schemas.Assign,
            response=TicketAnswer, errors=(403, 409), tags=["tickets"])
def assign_ticket(ticket_id):
    """Assign the ticket to the caller, or (admin) to employeeId."""
    data = load_json(schemas.Assign())
    ticket = service.assign(authenticate_request(), ticket_id, data["employeeId"])
    return _ok({"ticket": views.ticket(ticket)})


@bp.post("/<ticket_id>/messages")
@documented("Write on the ticket", body=schemas.Message, response=TicketMessageAnswer, status=201,
            errors=(403, 409), tags=["tickets"])
def post_message(ticket_id):
    """Add a message to the ticket and broadcast it."""
    data = load_json(schemas.Message())
    message = service.post_message(authenticate_request(), ticket_id, data)
    return _ok({"message": views.message(message)}, 201)


@bp.put("/<ticket_id>/status")
@documented("Move the ticket to another status (assignee or admin)", body=schemas.StatusChange,
            response=TicketAnswer, errors=(403, 409), tags=["tickets"])
def change_status(ticket_id):
    """Move the ticket to another status (assignee or admin)."""
    data = load_json(schemas.StatusChange())
    ticket = service.set_status(authenticate_request(), ticket_id, data["status"], data["reason"])
    return _ok({"ticket": views.ticket(ticket)})


@bp.put("/<ticket_id>/close")
@documented("Close the ticket (assignee or admin)", response=TicketAnswer, errors=(403, 409),
            tags=["tickets"])
def close_ticket(ticket_id):
    """Close the ticket (assignee or admin)."""
    return _ok({"ticket": views.ticket(service.close(authenticate_request(), ticket_id))})


@bp.post("/<ticket_id>/feedback")
@documented("Rate a resolved or closed ticket (owner, once)", body=schemas.Feedback,
            response=TicketAnswer, errors=(403, 409), tags=["tickets"])
def give_feedback(ticket_id):
    """Rate a resolved or closed ticket (owner, once)."""
    data = load_json(schemas.Feedback())
    ticket = service.give_feedback(authenticate_request(), ticket_id, data["rating"], data["remarks"])
    return _ok({"ticket": views.ticket(ticket)})


@bp.post("/<ticket_id>/upload")
@bp.post("/<ticket_id>/files")
@documented("Upload a file to the ticket (images and documents, by content)", files=("file",),
            response=TicketUpload, status=201, errors=(403, 409), tags=["tickets"])
def upload(ticket_id):
    """Store one multipart `file` for the ticket."""
    return _ok(attachments.upload(authenticate_request(), ticket_id, request.files.get("file")), 201)
