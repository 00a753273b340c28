"""Shape tickets and ticket messages exactly as the contract's documents (no internal fields)."""
from ..documents import public
from ..files import service as files

CUSTOMER, EMPLOYEE = "customer", "employee"
TICKET_FIELDS = ("id", "_id", "userId", "userRole", "userName", "userEmail", "categoryId", "categoryTitle",
                 "subCategoryId", "subCategoryTitle", "problem", "status", "assignedTo", "assignedToName",
                 "history", "feedback", "createdAt", "updatedAt", "closedAt")
MESSAGE_FIELDS = ("id", "_id", "ticketId", "senderId", "senderType", "senderName", "message",
                  "fileUrl", "fileName", "timestamp")


def ticket(doc):
    """Return the ticket document clients see."""
    out = public(doc)
    return {name: out.get(name) for name in TICKET_FIELDS}


def message(doc):
    """Return the ticket message clients see, with a fresh signed link to its file."""
    out = public(doc)
    # Links expire: the stored file id gets a new signed URL each time the message is shown.
    out["fileUrl"] = files.signed_url(doc["fileId"]) if doc.get("fileId") else None
    return {name: out.get(name) for name in MESSAGE_FIELDS}
