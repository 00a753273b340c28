"""REST routes of the desk's tools: canned replies (/api/v1/employee) and internal notes (/api/v1/tickets)."""
from ..apidoc.openapi import answers
from ..auth import authenticate_request
from . import canned, models, notes, schemas
from .models import CannedReplies, CannedReplyAnswer, TicketNoteAnswer, TicketNotes
from .routes import DESK_TAGS, _ok, bp, desk_bp, staff_first


def _reply(doc, status=200):
    return _ok({"cannedReply": models.canned_reply(doc)}, status)


@desk_bp.get("/canned-replies", tags=DESK_TAGS)
@answers(desk_bp, CannedReplies, 403)
def canned_replies():
    """The team's canned replies and my own (staff)."""
    found = canned.list_for(authenticate_request())
    return _ok({"cannedReplies": [models.canned_reply(doc) for doc in found]})


@desk_bp.post("/canned-replies", tags=DESK_TAGS)
@desk_bp.arguments(schemas.CannedReplyIn)
@answers(desk_bp, CannedReplyAnswer, 403, status=201)
def create_canned_reply(data):
    """Save a canned reply: personal (default), or team (admins). Unknown placeholders are a 400."""
    return _reply(canned.create(authenticate_request(), data), 201)


@desk_bp.put("/canned-replies/<reply_id>", tags=DESK_TAGS)
@desk_bp.arguments(schemas.CannedReplyChange)
@answers(desk_bp, CannedReplyAnswer, 403)
def update_canned_reply(data, reply_id):
    """Change a canned reply: my own, or (admins) the team's."""
    return _reply(canned.update(authenticate_request(), reply_id, data))


@desk_bp.delete("/canned-replies/<reply_id>", tags=DESK_TAGS)
@answers(desk_bp, CannedReplyAnswer, 403)
def delete_canned_reply(reply_id):
    """Delete a canned reply: my own, or (admins) the team's."""
    return _reply(canned.delete(authenticate_request(), reply_id))


@bp.get("/<ticket_id>/notes")
@staff_first(notes.NOTES_DENIED)
@answers(bp, TicketNotes, 403)
def ticket_notes(ticket_id):
    """The ticket's internal notes, oldest first (staff only; never shown to the customer)."""
    found = notes.list_for(authenticate_request(), ticket_id)
    return _ok({"notes": [models.note(doc) for doc in found]})


@bp.post("/<ticket_id>/notes")
@staff_first(notes.NOTES_DENIED)
@bp.arguments(schemas.Note)
@answers(bp, TicketNoteAnswer, 403, 409, status=201)
def add_ticket_note(data, ticket_id):
    """Write an internal note on the ticket (staff only; never delivered to the customer)."""
    return _ok({"note": models.note(notes.add(authenticate_request(), ticket_id, data["note"]))}, 201)
