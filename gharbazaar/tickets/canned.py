"""Canned replies: the team's set (admins manage it) and each employee's own, with placeholders.

Stored in `cannedreplies` with string ids: the original backend's five quick responses keep
their names (`greeting`, ...) and are the team set out of the box; new ones get a fresh
ObjectId string. A deleted reply is kept with `deletedAt`, so the seeding never brings a
deleted out-of-the-box reply back. Placeholders are checked when a reply is saved and filled
when a staff message is sent.
"""
import re

from bson import ObjectId
from flask import current_app
from pymongo import ASCENDING, IndexModel, ReturnDocument

from ..db import get_db
from ..errors import Forbidden, NotFound, ValidationFailed
from . import clock
from .access import require_staff

CANNED = "cannedreplies"
TEAM, PERSONAL = "team", "personal"
# Spaces around the name are stripped in Python: `\s*([^{}]*?)\s*` let the three parts share a
# run of spaces every way, seconds of CPU for "{{" and 3,000 spaces (the event loop stalls).
PLACEHOLDER = re.compile(r"\{\{([^{}]*)\}\}")
PLACEHOLDERS = ("customer.name", "ticket.id", "employee.name")
NOT_FOUND = "Canned reply not found"
TEAM_DENIED = "Only admins can manage team canned replies"
MAX_PER_OWNER = 500
SEEDED = "gharbazaar.canned_seeded"
# The original backend's five quick responses, by the ids its frontend sends.
TEMPLATES = {
    "greeting": "Hello! Thank you for contacting GharBazaar support. "
                "I'll be happy to help you with your issue.",
    "investigating": "I'm currently investigating this issue. "
                     "I'll get back to you shortly with more information.",
    "resolved": "Great! I'm glad we could resolve your issue. Is there anything else I can help you with?",
    "followup": "Just following up on your request. Do you need any additional assistance?",
    "closing": "Thank you for using GharBazaar! If you need any further help, feel free to reach out.",
}
TITLES = {"greeting": "Greeting", "investigating": "Investigating", "resolved": "Resolved",
          "followup": "Follow-up", "closing": "Closing"}

INDEXES = {CANNED: [IndexModel([("scope", ASCENDING), ("ownerId", ASCENDING), ("title", ASCENDING)],
                               name="by_scope_owner")]}


def _canned():
    return get_db()[CANNED]


def _seed():
    """Insert the original's five templates as the team set, once per database (idempotent)."""
    if current_app.extensions.get(SEEDED):
        return
    now = clock.now()
    for key, content in TEMPLATES.items():
        _canned().update_one({"_id": key}, {"$setOnInsert": {
            "scope": TEAM, "ownerId": None, "title": TITLES[key], "content": content, "createdBy": "system",
            "createdAt": now, "updatedAt": now, "deletedAt": None}}, upsert=True)
    current_app.extensions[SEEDED] = True


def check_placeholders(content):
    """Raise ValidationFailed naming the first placeholder the desk cannot fill."""
    for name in (found.strip() for found in PLACEHOLDER.findall(content)):
        if name not in PLACEHOLDERS:
            raise ValidationFailed(f"Unknown placeholder {{{{{name}}}}}", details=[{
                "field": "content", "message": f"Known placeholders: {', '.join(PLACEHOLDERS)}."}])


def fill(content, ticket, employee):
    """Return content with its known placeholders filled for this ticket and employee."""
    values = {"customer.name": ticket.get("userName") or ticket["userId"], "ticket.id": str(ticket["_id"]),
              "employee.name": employee.display_name}
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1).strip(), match.group(0)), content)


def _visible_query(actor):
    return {"deletedAt": None, "$or": [{"scope": TEAM}, {"scope": PERSONAL, "ownerId": actor.id}]}


def list_for(actor):
    """Return the team's replies and the caller's own, team first, by title."""
    require_staff(actor)
    _seed()
    order = [("scope", -1), ("title", ASCENDING), ("_id", ASCENDING)]  # "team" sorts after "personal"
    found = _canned().find(_visible_query(actor)).sort(order)
    return list(found.limit(2 * MAX_PER_OWNER))


def find_usable(actor, reply_id):
    """Return a reply the caller may send (team, or their own), or None."""
    _seed()
    return _canned().find_one({"_id": reply_id, **_visible_query(actor)})


def _editable(actor, reply_id):
    """Return a reply the caller may change, or raise (someone else's personal reply is not found)."""
    require_staff(actor)
    _seed()
    doc = find_usable(actor, reply_id)
    if doc is None:
        raise NotFound(NOT_FOUND)
    if doc["scope"] == TEAM and not actor.is_admin:
        raise Forbidden(TEAM_DENIED)
    return doc


def create(actor, data):
    """Save a new reply: team (admins) or personal (default)."""
    require_staff(actor)
    if data["scope"] == TEAM and not actor.is_admin:
        raise Forbidden(TEAM_DENIED)
    check_placeholders(data["content"])
    owner = actor.id if data["scope"] == PERSONAL else None
    in_set = {"scope": data["scope"], "ownerId": owner, "deletedAt": None}
    if _canned().count_documents(in_set) >= MAX_PER_OWNER:
        raise ValidationFailed(f"At most {MAX_PER_OWNER} canned replies per set")
    now = clock.now()
    doc = {"_id": str(ObjectId()), "scope": data["scope"], "ownerId": owner, "title": data["title"],
           "content": data["content"], "createdBy": actor.id, "createdAt": now, "updatedAt": now,
           "deletedAt": None}
    _canned().insert_one(doc)
    return doc


def update(actor, reply_id, data):
    """Change a reply's title or content."""
    _editable(actor, reply_id)
    changes = {key: data[key] for key in ("title", "content") if data.get(key) is not None}
    if "content" in changes:
        check_placeholders(changes["content"])
    changes["updatedAt"] = clock.now()
    doc = _canned().find_one_and_update({"_id": reply_id, "deletedAt": None}, {"$set": changes},
                                        return_document=ReturnDocument.AFTER)
    if doc is None:
        raise NotFound(NOT_FOUND)
    return doc


def delete(actor, reply_id):
    """Delete a reply (kept, marked deleted, so the out-of-the-box set never returns by itself)."""
    _editable(actor, reply_id)
    doc = _canned().find_one_and_update({"_id": reply_id, "deletedAt": None},
                                        {"$set": {"deletedAt": clock.now()}},
                                        return_document=ReturnDocument.AFTER)
    if doc is None:
        raise NotFound(NOT_FOUND)
    return doc
