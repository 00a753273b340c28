"""The `sync` answer (REST and Socket.IO), as marshmallow schemas (documentation and fuzz checks only)."""
from ..models import View, flag, nested, number, object_id, text, when
from ..chat.models import ConversationView, MessageView
from ..tickets.models import TicketMessageView, TicketView


class ConversationChanges(View):
    conversationId = object_id()
    lastSeq = number(metadata={"description": "Send it back as `conversations[id]` next time."})
    conversation = nested(ConversationView)
    messages = nested(MessageView, many=True)
    hasMore = flag()


class TicketChanges(View):
    ticketId = object_id()
    ticket = nested(TicketView)
    messages = nested(TicketMessageView, many=True)


class SyncRequired(View):
    """`sync:required`: this socket may have missed events; run `sync` with `since` alone."""

    reason = text(metadata={"description": "`redis_outage`: events between processes were lost; "
                                           "`database_outage`: a write's event may never have been sent."})
    since = when(metadata={"description": "Send it as `since`, without `conversations`, to `sync`."})


class SyncAnswer(View):
    serverTime = when(metadata={"description": "Send it back as `since` next time."})
    conversations = nested(ConversationChanges, many=True)
    tickets = nested(TicketChanges, many=True)
    ticketsHasMore = flag()
