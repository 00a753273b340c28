"""REST routes for buyer-seller chat (/api/v1/chat): parse, call the service, wrap the answer."""
from flask import jsonify, request

from ..apidoc.openapi import Blueprint, answers, multipart
from ..auth import authenticate_request, require_login
from . import schemas, service
from .models import (ConversationAnswer, ConversationListing, HiddenConversation, MessageAnswer,
                     MessageListing, ReadReceipt, UploadAnswer)

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
@answers(bp, ConversationAnswer, status=(201, 200))
def create_conversation(data):
    """Start (or find) the conversation with another user about a property.

    201 when created, 200 when the pair already had one for this property.
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
@answers(bp, MessageAnswer, 403, status=(201, 200))
def send_message(data, conversation_id):
    """Send a message (a repeated clientMessageId returns the original with 200)."""
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
@answers(bp, MessageAnswer, 403)
def edit_message(data, message_id):
    """Edit one of my messages."""
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
    return ok(service.upload(authenticate_request(), form["conversationId"], request.files.get("file")), 201)
