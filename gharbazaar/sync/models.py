"""The `sync` answer (REST and Socket.IO) and the `sync:required` event."""
from ..chat.models import ConversationView, MessageView
from ..models import flag, nested, number, object_id, shape, text, when
from ..tickets.models import TicketMessageView, TicketView

ConversationChanges = shape(
    "ConversationChanges", conversationId=object_id(),
    lastSeq=number(metadata={"description": "Send it back as `conversations[id]` next time."}),
    conversation=nested(ConversationView), messages=nested(MessageView, many=True), hasMore=flag())
TicketChanges = shape("TicketChanges", ticketId=object_id(), ticket=nested(TicketView),
                      messages=nested(TicketMessageView, many=True))
# `sync:required`: this socket may have missed events; run `sync` with `since` alone.
SyncRequired = shape(
    "SyncRequired",
    reason=text(metadata={"description": "`redis_outage`: events between processes were lost; "
                                         "`database_outage`: a write's event may never have been sent."}),
    since=when(metadata={"description": "Send it as `since`, without `conversations`, to `sync`."}))
SyncAnswer = shape(
    "SyncAnswer", serverTime=when(metadata={"description": "Send it back as `since` next time."}),
    conversations=nested(ConversationChanges, many=True), tickets=nested(TicketChanges, many=True),
    ticketsHasMore=flag())
