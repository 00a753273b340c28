"""The tickets' documents: how a ticket and its messages are stored, and how they are sent.

`new_ticket` and `new_message` build the stored documents; `TicketView` and `TicketMessageView`
dump them for REST answers and socket payloads and are the published models. The other schemas
describe answers and events made of those two.
"""
from bson import ObjectId
from marshmallow import fields, validate

from ..files import service as files
from ..models import Document, View, computed, flag, iso, nested, object_id, one_of, shape, text, when
from .states import CLOSED, OPEN, STATUSES, entry

CUSTOMER, EMPLOYEE = "customer", "employee"


def new_ticket(actor, data, now, timing, reported=None):
    """Return the stored document of a ticket the actor opens (its problem is its first message).

    `timing` holds its `sla` due times and pending `timers` (sla.new_ticket_fields). `reported`: the
    user a report is about, who may not see or handle it even as staff (never sent to anyone).
    """
    # Its id is known before it is stored: its first message is written before it.
    return {**timing, "_id": ObjectId(), "userId": actor.id, "userRole": actor.role,
            "userName": actor.display_name, "userEmail": actor.email, "categoryId": data["categoryId"],
            "categoryTitle": data["categoryTitle"],
            "subCategoryId": data["subCategoryId"], "subCategoryTitle": data["subCategoryTitle"],
            "problem": data["problem"], "status": OPEN, "assignedTo": None, "assignedToName": None,
            "people": [actor.id], "hold": None, "history": [entry(OPEN, actor.id, now, "created")],
            "feedback": None, "reportedUserId": reported,
            "createdAt": now, "updatedAt": now, "closedAt": None}


def new_note(ticket, actor, text, now):
    """Return the stored document of an internal note (staff only, never sent to the customer)."""
    return {"ticketId": ticket["_id"], "authorId": actor.id, "authorName": actor.display_name, "note": text,
            "createdAt": now}


def new_message(ticket, actor, text, file_id, file_name, now):
    """Return the stored document of a message on a ticket."""
    return {"ticketId": ticket["_id"], "senderId": actor.id,
            "senderType": EMPLOYEE if actor.is_staff else CUSTOMER, "senderName": actor.display_name,
            "message": text, "fileId": file_id, "fileName": file_name if file_id else None, "timestamp": now}


HistoryEntry = shape("HistoryEntry", status=one_of(STATUSES),
                     by=text(metadata={"description": "User id, or `system` for auto-assignment."}),
                     at=when(), reason=text(nullable=True))
BreachView = shape("BreachView", kind=one_of(("firstResponse", "resolution")), dueAt=when(), at=when(),
                   assignedTo=text(nullable=True, metadata={"description": "The assignee at the breach."}))


class SlaView(View):
    """A ticket's due times: the SLA targets, the reply window, and the breaches recorded."""

    firstResponseDue = when(nullable=True)
    resolutionDue = when(nullable=True)
    firstResponseAt = when(nullable=True, metadata={"description": "The first staff reply."})
    replyDue = computed("reply_due", "string", format="date-time", description=(
        "While the ticket awaits its assignee's reply: when it goes back to the pool."))
    breaches = nested(BreachView, many=True)

    def reply_due(self, doc):
        return iso((doc.get("_timers") or {}).get("reply"))


FeedbackView = shape("FeedbackView", remarks=text(nullable=True), submittedAt=when(),
                     rating=fields.Integer(required=True, validate=validate.Range(min=1, max=5)))


class TicketView(Document):
    """A ticket; internal fields (the capacity reservation `hold`, the desk's times) stay inside."""

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
    sla = computed("due_times", "object", description="Due times and breaches (SlaView); null: old ticket.")
    createdAt = when(nullable=True)
    updatedAt = when(nullable=True)
    closedAt = when(nullable=True)

    def due_times(self, doc):
        return _SLA.dump(dict(doc["sla"], _timers=doc.get("timers"))) if doc.get("sla") else None


class TicketNoteView(Document):
    """An internal note: staff only, never sent to the customer."""

    ticketId = object_id()
    authorId = text()
    authorName = text(nullable=True)
    note = text()
    createdAt = when()


class CannedReplyView(View):
    """A canned reply; `id` is its name for the out-of-the-box five (`greeting`, ...)."""

    id = fields.String(required=True, attribute="_id")
    scope = one_of(("team", "personal"))
    ownerId = text(nullable=True, metadata={"description": "The employee, for a personal reply."})
    title = text()
    content = text(metadata={"description": "May hold {{customer.name}}, {{ticket.id}}, {{employee.name}}."})
    createdAt = when(nullable=True)
    updatedAt = when(nullable=True)


class TicketMessageView(Document):
    """A ticket message; its file link is signed afresh each time it is shown."""

    ticketId = object_id()
    senderId = text()
    senderType = one_of((CUSTOMER, EMPLOYEE))
    senderName = text(nullable=True)
    message = text()
    fileUrl = computed("file_url", "string", format="uri")
    fileName = text(nullable=True)
    timestamp = when()

    def file_url(self, doc):
        return files.signed_url(doc["fileId"]) if doc.get("fileId") else None


TicketAnswer = shape("TicketAnswer", ticket=nested(TicketView))
TicketListing = shape(
    "TicketListing", tickets=nested(TicketView, many=True), hasMore=flag(),
    nextBefore=text(nullable=True, metadata={"description": "Pass as `before` for older tickets."}))
EvidenceMessage = shape(
    "EvidenceMessage", messageId=text(), senderId=text(), senderName=text(nullable=True), content=text(),
    type=text(nullable=True), fileName=text(nullable=True), fileId=fields.String(allow_none=True, metadata={
        "description": "The message's file, kept for the report: GET /api/v1/files/<fileId> with the "
                       "token of someone who may read this ticket (absent from older snapshots)."}),
    createdAt=when(nullable=True),
    editedAt=when(nullable=True), deleted=flag())
EvidenceSnapshot = shape(
    "EvidenceSnapshot", seq=fields.Integer(required=True), takenAt=when(),
    prevHash=text(metadata={"description": "hash of the previous snapshot in the chain (64 zeros: none)."}),
    hash=text(metadata={"description": "sha256 of the snapshot's canonical JSON, prevHash included."}),
    ticketId=object_id(), reporterId=text(), reportedUserId=text(nullable=True),
    subject=fields.Dict(required=True, metadata={
        "description": "What was reported: conversationId, messageId (a message report), reason, details."}),
    messages=nested(EvidenceMessage, many=True))
TicketWithMessages = shape("TicketWithMessages", ticket=nested(TicketView),
                           messages=nested(TicketMessageView, many=True),
                           evidence=fields.Nested(EvidenceSnapshot, many=True, metadata={
                               "description": "Staff only, on report tickets: the reported messages as "
                                              "they stood when reported."}))
TicketMessageAnswer = shape("TicketMessageAnswer", message=nested(TicketMessageView))
TicketUpload = shape("TicketUpload", url=text(metadata={"format": "uri"}), fileId=object_id(),
                     fileName=text(), fileType=one_of(("image", "document")))


class TicketMessageEvent(TicketMessageView):
    """`ticket:message` / `ticket:customer-message`: the message plus who wrote it."""

    role = one_of(("agent", "user"))


TicketAssigned = shape("TicketAssigned", ticketId=object_id(), assignedTo=text(),
                       assignedToName=text(nullable=True), agentName=text(nullable=True),
                       status=one_of(STATUSES), userId=text(metadata={"description": "The ticket's owner."}))
TicketNewMessage = shape("TicketNewMessage", ticketId=object_id(), userId=text(),
                         preview=text(validate=validate.Length(max=50)))
TicketStatusChanged = shape("TicketStatusChanged", ticketId=object_id(), status=one_of(STATUSES),
                            assignedTo=text(nullable=True))
TicketClosed = shape("TicketClosed", ticketId=object_id(), status=one_of((CLOSED,)),
                     closedAt=when(nullable=True))
EmployeeRoomJoined = shape("EmployeeRoomJoined", joined=flag())
TicketLeft = shape("TicketLeft", ticketId=text())
DeskTickets = shape("DeskTickets", tickets=nested(TicketView, many=True), hasMore=flag())
# The caller's tickets that are not closed and the unassigned open ones.
ActiveConversations = shape("ActiveConversations", conversations=nested(TicketView, many=True))
TicketNoteAnswer = shape("TicketNoteAnswer", note=nested(TicketNoteView))
TicketNotes = shape("TicketNotes", notes=nested(TicketNoteView, many=True))
CannedReplyAnswer = shape("CannedReplyAnswer", cannedReply=nested(CannedReplyView))
CannedReplies = shape("CannedReplies", cannedReplies=nested(CannedReplyView, many=True))
TicketSlaBreached = shape(
    "TicketSlaBreached", ticketId=object_id(), kind=one_of(("firstResponse", "resolution")), dueAt=when(),
    breachedAt=when(), status=one_of(STATUSES), assignedTo=text(nullable=True), userId=text())
SECONDS = "Seconds from the ticket's creation, averaged over the caller's tickets; 0 until one is measured."
DeskStats = shape(
    "DeskStats", activeTickets=fields.Integer(required=True),
    firstResponseAverage=fields.Float(required=True, metadata={
        "description": "To the first staff reply. " + SECONDS}),
    resolutionAverage=fields.Float(required=True, metadata={"description": "To resolution. " + SECONDS}),
    slaBreaches=fields.Integer(required=True, metadata={
        "description": "SLA breaches recorded while the caller was the assignee."}),
    resolvedToday=fields.Integer(required=True, metadata={"description": "Since midnight, DESK_TIMEZONE."}),
    averageResponseTime=fields.Float(required=True, metadata={
        "description": "Seconds from assignment to the assignee's first reply, over the caller's tickets; "
                       "0 until one is measured."}),
    responsesMeasured=fields.Integer(required=True), totalAssigned=fields.Integer(required=True))
DeskStatsAnswer = shape("DeskStatsAnswer", stats=nested(DeskStats))


_TICKET, _MESSAGE, _SLA = TicketView(), TicketMessageView(), SlaView()
_NOTE, _CANNED = TicketNoteView(), CannedReplyView()


def note(doc):
    """Return a stored note as staff see it."""
    return _NOTE.dump(doc)


def canned_reply(doc):
    """Return a stored canned reply as staff see it."""
    return _CANNED.dump(doc)


def ticket(doc):
    """Return a stored ticket as clients see it."""
    return _TICKET.dump(doc)


def message(doc):
    """Return a stored ticket message as clients see it."""
    return _MESSAGE.dump(doc)


def evidence(snapshots):
    """Return stored evidence snapshots as staff see them (exactly as stored and hashed)."""
    return [EvidenceSnapshot().dump(s) for s in snapshots]
