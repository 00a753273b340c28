"""REST routes for buyer-seller chat (/api/v1/chat): parse, call the service, wrap the answer."""
from flask import Blueprint, jsonify, request

from ..auth import authenticate_request, require_login
from ..apidoc.registry import documented
from ..validation import load, load_json, load_query
from . import schemas, service
from .docs import (ConversationAnswer, ConversationListing, HiddenConversation, MessageAnswer,
                   MessageListing, ReadReceipt, UploadAnswer)

bp = require_login(Blueprint("chat", __name__, url_prefix="/api/v1/chat"))


def ok(data, status=200, message=None):
    body = {"success": True, "data": data}
    if message:
        body["message"] = message
    return jsonify(body), status


@bp.get("/conversations")
@documented("List my conversations, newest activity first", query=schemas.ConversationPage,
            response=ConversationListing, tags=["chat"])
def list_conversations():
    page = load_query(schemas.ConversationPage())
    actor = authenticate_request()
    return ok(service.list_conversations(actor, page["limit"], page["before"], page["beforeId"]))


@bp.post("/conversations")
@documented("Start (or find) the conversation with another user about a property",
            body=schemas.CreateConversation, response=ConversationAnswer, status=(200, 201), tags=["chat"],
            description="201 when created, 200 when the pair already had one for this property.")
def create_conversation():
    data = load_json(schemas.CreateConversation())
    conversation, created = service.create_conversation(authenticate_request(), data)
    return ok({"conversation": conversation}, 201 if created else 200)


@bp.get("/conversations/<conversation_id>")
@documented("Get one of my conversations", response=ConversationAnswer, errors=(403,), tags=["chat"])
def get_conversation(conversation_id):
    return ok({"conversation": service.get_conversation(authenticate_request(), conversation_id)})


@bp.delete("/conversations/<conversation_id>")
@documented("Hide a conversation from my list (until a new message arrives)",
            response=HiddenConversation, top_level={"message": "string"}, errors=(403,), tags=["chat"])
def hide_conversation(conversation_id):
    data = service.hide_conversation(authenticate_request(), conversation_id)
    return ok(data, message="Conversation removed from your list")


@bp.get("/conversations/<conversation_id>/messages")
@documented("Page through a conversation's messages (newest page, oldest first inside it)",
            query=schemas.MessagePage, response=MessageListing, errors=(403,), tags=["chat"])
def list_messages(conversation_id):
    page = load_query(schemas.MessagePage())
    return ok(service.list_messages(authenticate_request(), conversation_id, **page))


@bp.post("/conversations/<conversation_id>/messages")
@documented("Send a message (a repeated clientMessageId returns the original with 200)",
            body=schemas.MessageBody, response=MessageAnswer, status=(200, 201), errors=(403,), tags=["chat"])
def send_message(conversation_id):
    data = load_json(schemas.MessageBody())
    message, created = service.send_message(authenticate_request(), conversation_id, data)
    return ok({"message": message}, 201 if created else 200)


@bp.post("/conversations/<conversation_id>/read")
@documented("Mark the other side's messages read", body=schemas.MarkRead, response=ReadReceipt,
            errors=(403,), tags=["chat"])
def mark_read(conversation_id):
    data = load_json(schemas.MarkRead())
    return ok(service.mark_read(authenticate_request(), conversation_id, data["upToMessageId"]))


@bp.put("/messages/<message_id>")
@documented("Edit one of my messages", body=schemas.EditBody, response=MessageAnswer, errors=(403,),
            tags=["chat"])
def edit_message(message_id):
    data = load_json(schemas.EditBody())
    return ok({"message": service.edit_message(authenticate_request(), message_id, data["content"])})


@bp.delete("/messages/<message_id>")
@documented("Delete one of my messages (soft delete)", response=MessageAnswer, errors=(403,), tags=["chat"])
def delete_message(message_id):
    return ok({"message": service.delete_message(authenticate_request(), message_id)})


@bp.post("/upload")
@documented("Upload a file to a conversation (images and documents, by content)",
            form=schemas.ConversationRef, files=("file",), response=UploadAnswer, status=201,
            errors=(403, 404), tags=["chat"])
def upload():
    data = load(schemas.ConversationRef(), request.form.to_dict())
    return ok(service.upload(authenticate_request(), data["conversationId"], request.files.get("file")), 201)
