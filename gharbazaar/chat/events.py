"""Socket.IO events for chat, mounted on `/` and `/chat`: {event: handler(conn, payload)}."""
from ..apidoc.events import BARE_ID
from .. import realtime
from ..handlers import own_budget
from ..validation import load
from . import models, schemas, service


def _conversation_ref(payload):
    """Accept a bare id (the seed's clients) or {conversationId}."""
    if isinstance(payload, str):
        payload = {"conversationId": payload}
    return load(schemas.ConversationRef, payload)["conversationId"]


def join_conversation(conn, payload):
    room, conversation = service.join(conn.actor, _conversation_ref(payload))
    realtime.join(conn, room)
    return {"conversationId": conversation["id"], "conversation": conversation}


def leave_conversation(conn, payload):
    conversation_id = _conversation_ref(payload)
    # Leaving a room one is not in does nothing, so no participant check is needed.
    realtime.leave(conn, realtime.conversation_room(conversation_id.lower()))
    return {"conversationId": conversation_id}


def send_message(conn, payload):
    data = load(schemas.SendMessage, payload)
    message, _created = service.send_message(conn.actor, data["conversationId"], data)
    return {"message": message}


@own_budget("RATE_LIMIT_SOCKET_TYPING")
def typing(conn, payload):
    data = load(schemas.Typing, payload)
    return service.typing(conn.actor, data["conversationId"], data["isTyping"], origin_sid=conn.sid)


def mark_as_read(conn, payload):
    data = load(schemas.MarkReadEvent, payload)
    return service.mark_read(conn.actor, data["conversationId"], data["upToMessageId"], origin_sid=conn.sid)


def edit_message(conn, payload):
    data = load(schemas.EditMessage, payload)
    return {"message": service.edit_message(conn.actor, data["messageId"], data["content"])}


def delete_message(conn, payload):
    data = load(schemas.MessageRef, payload)
    return {"message": service.delete_message(conn.actor, data["messageId"])}


HANDLERS = {
    "join_conversation": join_conversation,
    "leave_conversation": leave_conversation,
    "send_message": send_message,
    "typing": typing,
    "mark_as_read": mark_as_read,
    "edit_message": edit_message,
    "delete_message": delete_message,
}


# The AsyncAPI page: event -> (payload schema, ack `data` schema, summary).
CLIENT_DOCS = {
    "join_conversation": ({"oneOf": [BARE_ID, schemas.ConversationRef]}, models.JoinedConversation,
                          "Follow a conversation live (participants only)."),
    "leave_conversation": ({"oneOf": [BARE_ID, schemas.ConversationRef]}, models.ConversationLeft,
                           "Stop following a conversation."),
    "send_message": (schemas.SendMessage, models.MessageAnswer,
                     "Send a message (idempotent by clientMessageId)."),
    "typing": (schemas.Typing, models.TypingView,
               "Say I am (not) typing, one event per keystroke is fine: past RATE_LIMIT_SOCKET_TYPING "
               "per connection (60/s) and RATE_LIMIT_TYPING relayed per conversation (4/s) extra events "
               "are dropped silently (ack `dropped: true`), never answered with `error`."),
    "mark_as_read": (schemas.MarkReadEvent, models.ReadReceipt, "Mark the other side's messages read."),
    "edit_message": (schemas.EditMessage, models.MessageAnswer, "Edit one of my messages."),
    "delete_message": (schemas.MessageRef, models.MessageAnswer, "Delete one of my messages (soft)."),
}
# event -> (payload schema, who receives it).
SERVER_DOCS = {
    "new_message": (models.MessageView, "conversation room, sender included"),
    "message_notification": (models.Notification, "`user:` room of every other participant"),
    "user_typing": (models.TypingView, "conversation room except the sender"),
    "messages_read": (models.ReadReceipt, "conversation room except the reader"),
    "message_edited": (models.EditedView, "conversation room"),
    "message_deleted": (models.DeletedView, "conversation room"),
}
