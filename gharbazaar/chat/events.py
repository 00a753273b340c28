"""Socket.IO events for chat, mounted on `/` and `/chat`: {event: handler(conn, payload)}."""
from ..apidoc.events import BARE_ID
from .. import realtime
from ..handlers import own_budget
from ..validation import load
from . import blocks, consent, models, reports, schemas, service


def _conversation_ref(payload):
    """Accept a bare id (the seed's clients) or {conversationId}."""
    if isinstance(payload, str):
        payload = {"conversationId": payload}
    return load(schemas.ConversationRef, payload)["conversationId"]


def join_conversation(conn, payload):
    rooms, conversation = service.join(conn.actor, _conversation_ref(payload))
    for room in rooms:
        realtime.join(conn, room)
    return {"conversationId": conversation["id"], "conversation": conversation}


def leave_conversation(conn, payload):
    conversation_id = _conversation_ref(payload)
    # Leaving a room one is not in does nothing, so no participant check is needed.
    realtime.leave(conn, realtime.conversation_room(conversation_id.lower()))
    realtime.leave(conn, realtime.viewer_room(conversation_id.lower(), conn.actor.id))
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


def agree_to_share(conn, payload):
    return consent.set_agreement(conn.actor, _conversation_ref(payload), agree=True)


def withdraw_sharing(conn, payload):
    return consent.set_agreement(conn.actor, _conversation_ref(payload), agree=False)


def block_user(conn, payload):
    return blocks.block(conn.actor, load(schemas.UserRef(), payload)["userId"])


def unblock_user(conn, payload):
    return blocks.unblock(conn.actor, load(schemas.UserRef(), payload)["userId"])


def report_message(conn, payload):
    data = load(schemas.ReportMessage(), payload)
    return {"report": reports.report_message(conn.actor, data["messageId"], data)}


def report_conversation(conn, payload):
    data = load(schemas.ReportConversation(), payload)
    return {"report": reports.report_conversation(conn.actor, data["conversationId"], data)}


HANDLERS = {
    "join_conversation": join_conversation,
    "leave_conversation": leave_conversation,
    "send_message": send_message,
    "typing": typing,
    "mark_as_read": mark_as_read,
    "edit_message": edit_message,
    "delete_message": delete_message,
    "contact-sharing:agree": agree_to_share,
    "contact-sharing:withdraw": withdraw_sharing,
    "block_user": block_user,
    "unblock_user": unblock_user,
    "report_message": report_message,
    "report_conversation": report_conversation,
}


# The AsyncAPI page: event -> (payload schema, ack `data` schema, summary).
CLIENT_DOCS = {
    "join_conversation": ({"oneOf": [BARE_ID, schemas.ConversationRef]}, models.JoinedConversation,
                          "Follow a conversation live (participants only)."),
    "leave_conversation": ({"oneOf": [BARE_ID, schemas.ConversationRef]}, models.ConversationLeft,
                           "Stop following a conversation."),
    "send_message": (schemas.SendMessage, models.MessageAnswer,
                     "Send a message (idempotent by clientMessageId). The safety guard refuses a text its "
                     "policy blocks (`error` code `message_blocked`, the reason as its message)."),
    "typing": (schemas.Typing, models.TypingView,
               "Say I am (not) typing, one event per keystroke is fine: past RATE_LIMIT_SOCKET_TYPING "
               "per connection (60/s) and RATE_LIMIT_TYPING relayed per conversation (4/s) extra events "
               "are dropped silently (ack `dropped: true`), never answered with `error`."),
    "mark_as_read": (schemas.MarkReadEvent, models.ReadReceipt, "Mark the other side's messages read."),
    "edit_message": (schemas.EditMessage, models.MessageAnswer,
                     "Edit one of my messages (inspected by the safety guard like a new one)."),
    "delete_message": (schemas.MessageRef, models.MessageAnswer, "Delete one of my messages (soft)."),
    "contact-sharing:agree": ({"oneOf": [BARE_ID, schemas.ConversationRef]}, models.SharingAnswer,
                              "Agree to share contact details in a conversation (both must agree)."),
    "contact-sharing:withdraw": ({"oneOf": [BARE_ID, schemas.ConversationRef]}, models.SharingAnswer,
                                 "Withdraw my agreement: masking resumes for what is read next."),
    "block_user": (schemas.UserRef, models.BlockView,
                   "Block a user: they can no longer write to me, start conversations with me or see "
                   "my presence; history stays readable."),
    "unblock_user": (schemas.UserRef, models.BlockView, "Unblock a user."),
    "report_message": (schemas.ReportMessage, models.ReportAnswer,
                       "Report the other participant's message (becomes a support ticket for staff)."),
    "report_conversation": (schemas.ReportConversation, models.ReportAnswer,
                            "Report a conversation (its newest messages become the ticket's evidence)."),
}
# event -> (payload schema, who receives it).
SERVER_DOCS = {
    "new_message": (models.MessageView, "conversation room, sender included; a message whose contact "
                    "details are masked for the other participant goes to each participant's own room "
                    "in the conversation instead, each with their form of it"),
    "message_notification": (models.Notification,
                             "`user:` room of every other participant (in their form of the message)"),
    "user_typing": (models.TypingView, "conversation room except the sender"),
    "messages_read": (models.ReadReceipt, "conversation room except the reader"),
    "message_edited": (models.EditedView,
                       "conversation room (per participant when masked, as `new_message`)"),
    "message_deleted": (models.DeletedView, "conversation room"),
    "contact-sharing:updated": (models.SharingAnswer, "`user:` rooms of both participants"),
    "user_blocked": (models.BlockView, "`user:` room of the blocker only (the blocked user is not told)"),
}
