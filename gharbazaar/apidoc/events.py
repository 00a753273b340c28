"""The Socket.IO catalogue: each event's payload, answer and who hears what (read by asyncapi.py)."""
from marshmallow import fields

from ..chat import docs as chat, schemas as chat_in
from ..presence import docs as presence, schemas as presence_in
from ..sync import docs as sync, schemas as sync_in
from ..tickets import docs as tickets, schemas as tickets_in
from .fields import View, flag, text

BARE_ID = {"type": "string", "description": "The id alone (older clients)."}


class SocketError(View):
    """`error`: sent to the emitting socket only."""

    message = text()
    code = text()
    event = text(metadata={"description": "The event that failed, or `auth`."})


class Shutdown(View):
    message = text()
    reconnect = flag()


class Empty(View):
    """No payload is read."""

    ignored = fields.Raw(metadata={"description": "Anything sent is ignored."})


# event: (payload schema, ack `data` schema, summary)
CLIENT_EVENTS = {
    "join_conversation": ({"oneOf": [BARE_ID, chat_in.ConversationRef]}, chat.JoinedConversation,
                          "Follow a conversation live (participants only)."),
    "leave_conversation": ({"oneOf": [BARE_ID, chat_in.ConversationRef]}, chat.ConversationLeft,
                           "Stop following a conversation."),
    "send_message": (chat_in.SendMessage, chat.MessageAnswer,
                     "Send a message (idempotent by clientMessageId)."),
    "typing": (chat_in.Typing, chat.TypingView,
               "Say I am (not) typing, one event per keystroke is fine: past RATE_LIMIT_SOCKET_TYPING "
               "per connection (60/s) and RATE_LIMIT_TYPING relayed per conversation (4/s) extra events "
               "are dropped silently (ack `dropped: true`), never answered with `error`."),
    "mark_as_read": (chat_in.MarkReadEvent, chat.ReadReceipt, "Mark the other side's messages read."),
    "edit_message": (chat_in.EditMessage, chat.MessageAnswer, "Edit one of my messages."),
    "delete_message": (chat_in.MessageRef, chat.MessageAnswer, "Delete one of my messages (soft)."),
    "join_employee_room": (Empty, tickets.EmployeeRoomJoined,
                           "Staff: receive new tickets; become assignable."),
    "join_ticket": ({"oneOf": [BARE_ID, tickets_in.TicketRef]}, tickets.TicketAnswer,
                    "Follow a ticket live (owner, assignee, staff)."),
    "leave_ticket": ({"oneOf": [BARE_ID, tickets_in.TicketRef]}, tickets.TicketLeft,
                     "Stop following a ticket."),
    "ticket_message": (tickets_in.TicketMessage, tickets.TicketMessageAnswer, "Write on a ticket."),
    "assign_ticket": (tickets_in.AssignTicket, tickets.TicketAnswer,
                      "Staff: assign to me, or (admin) to employeeId."),
    "close_ticket": ({"oneOf": [BARE_ID, tickets_in.TicketRef]}, tickets.TicketAnswer,
                     "Close a ticket (assignee or admin)."),
    "presence:update-status": (presence_in.StatusUpdate, presence.UserStatus, "Set my status."),
    "presence:get-status": (presence_in.StatusQuery, presence.StatusResponse,
                            "Ask for users' status (answered by `presence:status-response`)."),
    "presence:heartbeat": (Empty, presence.Heartbeat, "Refresh my lastSeen."),
    "sync": (sync_in.SyncRequest, sync.SyncAnswer, "What changed since my last sequence numbers or instant."),
}

# event: (payload schema, feature whose namespaces carry it (None: the socket's own), who receives it)
SERVER_EVENTS = {
    "new_message": (chat.MessageView, "chat", "conversation room, sender included"),
    "message_notification": (chat.Notification, "chat", "`user:` room of every other participant"),
    "user_typing": (chat.TypingView, "chat", "conversation room except the sender"),
    "messages_read": (chat.ReadReceipt, "chat", "conversation room except the reader"),
    "message_edited": (chat.EditedView, "chat", "conversation room"),
    "message_deleted": (chat.DeletedView, "chat", "conversation room"),
    "ticket:created": (tickets.TicketView, "tickets",
                       "employees; the ticket as it stands after the auto-assignment attempt"),
    "ticket:new": (tickets.TicketView, "tickets", "employees; same as ticket:created"),
    "ticket:assigned": (tickets.TicketAssigned, "tickets",
                        "ticket room, owner's and assignee's `user:` rooms, employees"),
    "ticket:message": (tickets.TicketMessageEvent, "tickets",
                       "staff-written messages only (`role: agent`): ticket room, owner's `user:` room"),
    "ticket:customer-message": (tickets.TicketMessageEvent, "tickets",
                                "customer-written messages only (`role: user`): ticket room, "
                                "assignee's `user:` room"),
    "ticket:new-message": (tickets.TicketNewMessage, "tickets", "employees (customer messages only)"),
    "ticket:status-changed": (tickets.TicketStatusChanged, "tickets",
                              "employees, ticket room, owner's `user:` room"),
    "ticket:closed": (tickets.TicketClosed, "tickets", "ticket room, owner's `user:` room"),
    "presence:user-online": (presence.UserStatus, "presence", "`user:` rooms of the user's contacts"),
    "presence:user-offline": (presence.UserPresence, "presence", "`user:` rooms of the user's contacts"),
    "presence:status-changed": (presence.UserStatus, "presence", "`user:` rooms of the user's contacts"),
    "presence:status-response": (presence.StatusResponse, None, "the asking socket"),
    "sync:result": (sync.SyncAnswer, None, "the asking socket"),
    "sync:required": (sync.SyncRequired, None,
                      "every socket of a process whose Redis subscription was lost, once it is back; every "
                      "socket of the other processes when this one could not publish; every socket after a "
                      "write whose outcome the database never confirmed (docs/sync.md)"),
    "error": (SocketError, None, "the emitting socket only"),
    "server:shutdown": (Shutdown, None, "every socket, when the process stops"),
}
