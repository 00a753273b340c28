"""What the ticket routes and events answer, as marshmallow schemas (documentation and fuzz checks only).

The shapes are those of `views.py` and `notify.py`; keep them in step.
"""
from marshmallow import fields, validate

from ..apidoc.fields import Document, View, flag, nested, object_id, one_of, text, when
from .states import CLOSED, STATUSES
from .views import CUSTOMER, EMPLOYEE


class HistoryEntry(View):
    status = one_of(STATUSES)
    by = text(metadata={"description": "User id, or `system` for auto-assignment."})
    at = when()
    reason = text(nullable=True)


class FeedbackView(View):
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    remarks = text(nullable=True)
    submittedAt = when()


class TicketView(Document):
    userId = text()
    userRole = text(nullable=True)
    userName = text(nullable=True)
    userEmail = text(nullable=True)
    categoryId = text(nullable=True)
    categoryTitle = text(nullable=True)
    subCategoryId = text(nullable=True)
    subCategoryTitle = text(nullable=True)
    problem = text(nullable=True)
    status = one_of(STATUSES)
    assignedTo = text(nullable=True)
    assignedToName = text(nullable=True)
    history = nested(HistoryEntry, many=True)
    feedback = nested(FeedbackView, nullable=True)
    createdAt = when(nullable=True)
    updatedAt = when(nullable=True)
    closedAt = when(nullable=True)


class TicketMessageView(Document):
    ticketId = object_id()
    senderId = text()
    senderType = one_of((CUSTOMER, EMPLOYEE))
    senderName = text(nullable=True)
    message = text()
    fileUrl = text(nullable=True, metadata={"format": "uri"})
    fileName = text(nullable=True)
    timestamp = when()


class TicketAnswer(View):
    ticket = nested(TicketView)


class TicketListing(View):
    tickets = nested(TicketView, many=True)
    hasMore = flag()
    nextBefore = text(nullable=True, metadata={"description": "Pass as `before` for older tickets."})


class TicketWithMessages(View):
    ticket = nested(TicketView)
    messages = nested(TicketMessageView, many=True)


class TicketMessageAnswer(View):
    message = nested(TicketMessageView)


class TicketUpload(View):
    url = text(metadata={"format": "uri"})
    fileId = object_id()
    fileName = text()
    fileType = one_of(("image", "document"))


class TicketMessageEvent(TicketMessageView):
    """`ticket:message` / `ticket:customer-message`: the message plus who wrote it."""

    role = one_of(("agent", "user"))


class TicketAssigned(View):
    ticketId = object_id()
    assignedTo = text()
    assignedToName = text(nullable=True)
    agentName = text(nullable=True)
    status = one_of(STATUSES)
    userId = text(metadata={"description": "The ticket's owner."})


class TicketNewMessage(View):
    ticketId = object_id()
    userId = text()
    preview = text(validate=validate.Length(max=50))


class TicketStatusChanged(View):
    ticketId = object_id()
    status = one_of(STATUSES)
    assignedTo = text(nullable=True)


class TicketClosed(View):
    ticketId = object_id()
    status = one_of((CLOSED,))
    closedAt = when(nullable=True)


class EmployeeRoomJoined(View):
    joined = flag()


class TicketLeft(View):
    ticketId = text()


class DeskTickets(View):
    tickets = nested(TicketView, many=True)
    hasMore = flag()


class ActiveConversations(View):
    """The caller's tickets that are not closed and the unassigned open ones."""

    conversations = nested(TicketView, many=True)


class DeskStats(View):
    activeTickets = fields.Integer(required=True)
    resolvedToday = fields.Integer(required=True, metadata={"description": "Since midnight, DESK_TIMEZONE."})
    averageResponseTime = fields.Float(required=True, metadata={
        "description": "Seconds from assignment to the assignee's first reply, over the caller's "
                       "tickets; 0 until one is measured."})
    responsesMeasured = fields.Integer(required=True)
    totalAssigned = fields.Integer(required=True)


class DeskStatsAnswer(View):
    stats = nested(DeskStats)
