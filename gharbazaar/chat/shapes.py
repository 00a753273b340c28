"""Chat documents as clients see them: the contract's fields, `id` and `_id`, ISO dates."""
from ..documents import iso
from ..files import service as files
from ..files.sniff import IMAGE


def message(doc):
    """Return a message document; file links are signed afresh so old history never expires."""
    deleted = bool(doc.get("deleted"))
    file_id = None if deleted else doc.get("fileId")
    url = files.signed_url(file_id) if file_id else None
    out = {
        "id": str(doc["_id"]),
        "_id": str(doc["_id"]),
        "conversationId": str(doc["conversationId"]),
        "senderId": doc["senderId"],
        "senderEmail": doc.get("senderEmail"),
        "senderName": doc.get("senderName"),
        "content": doc.get("content", ""),
        "type": doc.get("type", "text"),
        "fileUrl": url,
        "thumbnailUrl": url if url and doc.get("fileType") == IMAGE else None,
        "fileName": None if deleted else doc.get("fileName"),
        "fileSize": None if deleted else doc.get("fileSize"),
        "read": bool(doc.get("read")),
        "readAt": iso(doc.get("readAt")),
        "edited": bool(doc.get("edited")),
        "deleted": deleted,
        "clientMessageId": doc.get("clientMessageId"),
        "seq": doc.get("seq"),
        "changeSeq": doc.get("changeSeq"),
        "createdAt": iso(doc.get("createdAt")),
        "updatedAt": iso(doc.get("updatedAt")),
    }
    if doc.get("editedAt"):
        out["editedAt"] = iso(doc["editedAt"])
    return out


def edited(doc):
    """Return the `message_edited` payload."""
    return {"id": str(doc["_id"]), "_id": str(doc["_id"]), "conversationId": str(doc["conversationId"]),
            "content": doc["content"], "edited": True, "editedAt": iso(doc["editedAt"]),
            "changeSeq": doc.get("changeSeq")}


def deleted(doc):
    """Return the `message_deleted` payload."""
    return {"id": str(doc["_id"]), "_id": str(doc["_id"]), "conversationId": str(doc["conversationId"]),
            "changeSeq": doc.get("changeSeq")}


def other_participant(doc, viewer_id):
    return next((p for p in doc["participants"] if p != viewer_id), viewer_id)


def conversation(doc, viewer_id, profiles):
    """Return a conversation as one participant sees it (their unread count, the other user)."""
    other_id = other_participant(doc, viewer_id)
    profile = profiles.get(other_id) or {"name": other_id, "email": None}
    counts = doc.get("unreadCounts") or []
    slot = doc["participants"].index(viewer_id) if viewer_id in doc["participants"] else None
    return {
        "id": str(doc["_id"]),
        "_id": str(doc["_id"]),
        "type": doc.get("type"),
        "conversationType": doc.get("conversationType"),
        "participants": list(doc["participants"]),
        "propertyId": doc.get("propertyId"),
        "propertyTitle": doc.get("propertyTitle"),
        "lastMessage": doc.get("lastMessage") or "",
        "lastMessageAt": iso(doc.get("lastMessageAt")),
        "seq": doc.get("seq", 0),
        "unreadCount": counts[slot] if slot is not None and slot < len(counts) else 0,
        # An email is a contact detail: shown once its owner has written here (their messages carry
        # it as senderEmail), never to whoever merely names their id (no harvesting by creating).
        "otherUser": {"id": other_id, "name": profile["name"],
                      "email": profile.get("email") if other_id in doc.get("writers", ()) else None},
        "createdAt": iso(doc.get("createdAt")),
        "updatedAt": iso(doc.get("updatedAt")),
    }
