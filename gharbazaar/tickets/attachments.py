"""Ticket files: uploads by the people of a ticket, and messages that reference them."""
from ..errors import Conflict, ValidationFailed
from ..files import service as files
from ..users import service as users
from . import states
from .access import visible

SCOPE = "ticket"
NOT_HERE = "File not found for this ticket"


def upload(actor, ticket_id, file_storage):
    """Store a file for the ticket (owner, assignee or staff); return {url, fileId, fileName, fileType}."""
    ticket = visible(actor, ticket_id)
    if ticket["status"] == states.CLOSED:
        raise Conflict(states.CLOSED_TEXT)
    users.remember(actor)
    stored = files.store(actor, file_storage, SCOPE, str(ticket["_id"]))
    return {key: stored[key] for key in ("url", "fileId", "fileName", "fileType")}


def attached_file(actor, ticket, url, name):
    """Return (file id, name) of the actor's own upload to this ticket; (None, None) without a url."""
    if not url:
        return None, None
    file_id = files.file_id_from_url(url)
    if file_id is None:
        raise ValidationFailed(NOT_HERE,
                               details=[{"field": "fileUrl", "message": "Not one of our file links."}])
    meta = files.attached(file_id, SCOPE, str(ticket["_id"]), actor.id, what="ticket")
    return file_id, name or meta.get("fileName")
