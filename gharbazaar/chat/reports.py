"""Reporting a message or a conversation: a support ticket (category "Report") for staff, carrying
a tamper-evident snapshot of the reported messages. The reported user is told nothing.

The dependency is one-way: chat calls the tickets service; tickets knows nothing of chat.
"""
from ..errors import ValidationFailed
from ..models import iso, utcnow
from ..tickets import service as tickets
from . import models, pages
from .access import conversation_for, message_in_view
from .schemas import REPORT_REASONS

CATEGORY = "Report"
# A conversation report keeps the newest messages, both sides, for context.
CONVERSATION_SNAPSHOT = 50
OWN_MESSAGE = "You cannot report your own message"
REASON_TITLES = {reason: reason.replace("_", " ").capitalize() for reason in REPORT_REASONS}


def _snapshot(doc):
    """Return one message as evidence: the stored original, never the masked form."""
    return {"messageId": str(doc["_id"]), "senderId": doc["senderId"], "senderName": doc.get("senderName"),
            "content": doc.get("content") or "", "type": doc.get("type"), "fileName": doc.get("fileName"),
            "fileId": doc.get("fileId"),
            "createdAt": iso(doc.get("createdAt")), "editedAt": iso(doc.get("editedAt")),
            "deleted": bool(doc.get("deleted"))}


def report_message(actor, message_id, data):
    """Report one message of the other participant's; return the report."""
    doc, conversation = message_in_view(actor, message_id)
    if doc["senderId"] == actor.id:
        raise ValidationFailed(OWN_MESSAGE,
                               details=[{"field": "messageId", "message": "Not your own message."}])
    return _file(actor, conversation, [doc], data, message_id=str(doc["_id"]))


def report_conversation(actor, conversation_id, data):
    """Report a conversation: its newest messages become the evidence; return the report."""
    conversation = conversation_for(actor, conversation_id)
    docs = pages.page_of_messages(conversation["_id"], CONVERSATION_SNAPSHOT - 1,
                                  top=conversation.get("seq"))[::-1]
    return _file(actor, conversation, docs, data)


def _file(actor, conversation, docs, data, message_id=None):
    reported = models.other_participant(conversation, actor.id)
    subject = {"conversationId": str(conversation["_id"]), "messageId": message_id,
               "propertyId": conversation.get("propertyId"), "reason": data["reason"],
               "details": data["details"]}
    what = "a message" if message_id else "a conversation"
    problem = f"{actor.display_name} reported {what} for {REASON_TITLES[data['reason']].lower()}."
    if data["details"]:
        problem += f" Details: {data['details']}"
    ticket = tickets.create(actor, {
        "categoryId": "report", "categoryTitle": CATEGORY, "subCategoryId": data["reason"],
        "subCategoryTitle": REASON_TITLES[data["reason"]], "problem": problem,
    }, evidence_content={"reporterId": actor.id, "reportedUserId": reported, "subject": subject,
                         "messages": [_snapshot(doc) for doc in docs]})
    return {"ticketId": str(ticket["_id"]), "reason": data["reason"],
            "conversationId": subject["conversationId"], "messageIds": [str(doc["_id"]) for doc in docs],
            "createdAt": iso(ticket.get("createdAt") or utcnow())}
