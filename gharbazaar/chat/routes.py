"""REST routes for buyer-seller chat (/api/v1/chat): parse, call the service, wrap the answer."""
from flask import jsonify

from ..apidoc.openapi import Blueprint, answers, multipart
from ..auth import authenticate_request, require_login
from ..files import uploads
from . import blocks, consent, reports, schemas, service
from .models import (BlockListing, BlockView, ConversationAnswer, ConversationListing, HiddenConversation,
                     MessageAnswer, MessageListing, ReadReceipt, ReportAnswer, SharingAnswer, UploadAnswer)

bp = require_login(Blueprint("chat", __name__, url_prefix="/api/v1/chat"))


def ok(data, status=200, message=None):
    body = {"success": True, "data": data}
    if message:
        body["message"] = message
    return jsonify(body), status


@bp.get("/conversations")
@bp.arguments(schemas.ConversationPage, location="query")
@answers(bp, ConversationListing)
def list_conversations(page):
    """List my conversations, newest activity first."""
    actor = authenticate_request()
    return ok(service.list_conversations(actor, page["limit"], page["before"], page["beforeId"]))


@bp.post("/conversations")
@bp.arguments(schemas.CreateConversation)
@answers(bp, ConversationAnswer, 403, 422, status=(201, 200))
def create_conversation(data):
    """Start (or find) the conversation with another user about a property.

    201 when created, 200 when the pair already had one for this property. 403 when that user
    blocked me; 422 `message_blocked` when the safety policy refuses `initialMessage`.
    """
    conversation, created = service.create_conversation(authenticate_request(), data)
    return ok({"conversation": conversation}, 201 if created else 200)


@bp.get("/conversations/<conversation_id>")
@answers(bp, ConversationAnswer, 403)
def get_conversation(conversation_id):
    """Get one of my conversations."""
    return ok({"conversation": service.get_conversation(authenticate_request(), conversation_id)})


@bp.delete("/conversations/<conversation_id>")
@answers(bp, HiddenConversation, 403, message="string")
def hide_conversation(conversation_id):
    """Hide a conversation from my list (until a new message arrives)."""
    data = service.hide_conversation(authenticate_request(), conversation_id)
    return ok(data, message="Conversation removed from your list")


@bp.get("/conversations/<conversation_id>/messages")
@bp.arguments(schemas.MessagePage, location="query")
@answers(bp, MessageListing, 403)
def list_messages(page, conversation_id):
    """Page through a conversation's messages (newest page, oldest first inside it)."""
    return ok(service.list_messages(authenticate_request(), conversation_id, **page))


@bp.post("/conversations/<conversation_id>/messages")
@bp.arguments(schemas.MessageBody)
@answers(bp, MessageAnswer, 403, 422, status=(201, 200))
def send_message(data, conversation_id):
    """Send a message (a repeated clientMessageId returns the original with 200).

    The safety guard inspects the text first: 422 `message_blocked` (with the reason) when the
    policy blocks it; else it is stored with its `safety` flags, and the other participant sees
    contact details masked until both agreed to share them.
    """
    message, created = service.send_message(authenticate_request(), conversation_id, data)
    return ok({"message": message}, 201 if created else 200)


@bp.post("/conversations/<conversation_id>/read")
@bp.arguments(schemas.MarkRead)
@answers(bp, ReadReceipt, 403)
def mark_read(data, conversation_id):
    """Mark the other side's messages read."""
    return ok(service.mark_read(authenticate_request(), conversation_id, data["upToMessageId"]))


@bp.put("/messages/<message_id>")
@bp.arguments(schemas.EditBody)
@answers(bp, MessageAnswer, 403, 422)
def edit_message(data, message_id):
    """Edit one of my messages (inspected by the safety guard like a new one)."""
    return ok({"message": service.edit_message(authenticate_request(), message_id, data["content"])})


@bp.delete("/messages/<message_id>")
@answers(bp, MessageAnswer, 403)
def delete_message(message_id):
    """Delete one of my messages (soft delete)."""
    return ok({"message": service.delete_message(authenticate_request(), message_id)})


@bp.post("/upload")
@bp.arguments(schemas.ConversationRef, location="form", content_type="multipart/form-data")
@bp.doc(**multipart(schemas.ConversationRef))
@answers(bp, UploadAnswer, 403, 404, status=201)
def upload(form):
    """Upload a file to a conversation (images and documents, by content)."""
    return ok(service.upload(authenticate_request(), form["conversationId"], uploads.one_file()), 201)


@bp.post("/conversations/<conversation_id>/contact-sharing")
@answers(bp, SharingAnswer, 403)
def agree_to_share(conversation_id):
    """Agree to share contact details here; once both agreed, nothing is masked (history included)."""
    return ok(consent.set_agreement(authenticate_request(), conversation_id, agree=True))


@bp.delete("/conversations/<conversation_id>/contact-sharing")
@answers(bp, SharingAnswer, 403)
def withdraw_sharing(conversation_id):
    """Withdraw my agreement to share contact details: masking resumes for what is read next."""
    return ok(consent.set_agreement(authenticate_request(), conversation_id, agree=False))


@bp.get("/blocks")
@answers(bp, BlockListing)
def list_blocks():
    """List the users I blocked."""
    return ok(blocks.list_blocks(authenticate_request()))


@bp.post("/blocks")
@bp.arguments(schemas.UserRef)
@answers(bp, BlockView)
def block_user(data):
    """Block a user: they can no longer write to me, start conversations with me or see my presence."""
    return ok(blocks.block(authenticate_request(), data["userId"]))


@bp.delete("/blocks/<user_id>")
@answers(bp, BlockView)
def unblock_user(user_id):
    """Unblock a user."""
    return ok(blocks.unblock(authenticate_request(), user_id))


@bp.post("/messages/<message_id>/report")
@bp.arguments(schemas.ReportBody)
@answers(bp, ReportAnswer, 403, status=201)
def report_message(data, message_id):
    """Report the other participant's message: a support ticket with a snapshot of it, for staff."""
    return ok({"report": reports.report_message(authenticate_request(), message_id, data)}, 201)


@bp.post("/conversations/<conversation_id>/report")
@bp.arguments(schemas.ReportBody)
@answers(bp, ReportAnswer, 403, status=201)
def report_conversation(data, conversation_id):
    """Report a conversation: a support ticket with a snapshot of its newest messages, for staff."""
    return ok({"report": reports.report_conversation(authenticate_request(), conversation_id, data)}, 201)
