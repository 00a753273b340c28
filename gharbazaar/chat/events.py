"""Socket.IO events for chat, mounted on `/` and `/chat`: {event: handler(conn, payload)}."""
from .. import realtime
from ..sockets import own_budget
from ..validation import load
from . import schemas, service


def _conversation_ref(payload):
    """Accept a bare id (the seed's clients) or {conversationId}."""
    if isinstance(payload, str):
        payload = {"conversationId": payload}
    return load(schemas.ConversationRef(), payload)["conversationId"]


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
    data = load(schemas.SendMessage(), payload)
    message, _created = service.send_message(conn.actor, data["conversationId"], data)
    return {"message": message}


@own_budget("RATE_LIMIT_SOCKET_TYPING")
def typing(conn, payload):
    data = load(schemas.Typing(), payload)
    return service.typing(conn.actor, data["conversationId"], data["isTyping"], origin_sid=conn.sid)


def mark_as_read(conn, payload):
    data = load(schemas.MarkReadEvent(), payload)
    return service.mark_read(conn.actor, data["conversationId"], data["upToMessageId"], origin_sid=conn.sid)


def edit_message(conn, payload):
    data = load(schemas.EditMessage(), payload)
    return {"message": service.edit_message(conn.actor, data["messageId"], data["content"])}


def delete_message(conn, payload):
    data = load(schemas.MessageRef(), payload)
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
