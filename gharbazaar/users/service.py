"""Remember who acts, and describe users to others with a name that is never empty."""
import logging
from collections import OrderedDict

from flask import current_app

from . import repository

log = logging.getLogger(__name__)
_SEEN_MAX = 10000


def remember(actor):
    """Store the actor's name, email and role when they changed (cached per process)."""
    seen = current_app.extensions.setdefault("gharbazaar.users_seen", OrderedDict())
    signature = (actor.role, actor.name, actor.email)
    if seen.get(actor.id) == signature:
        seen.move_to_end(actor.id)
        return
    repository.upsert(actor)
    seen[actor.id] = signature
    if len(seen) > _SEEN_MAX:
        seen.popitem(last=False)


def display_name(user_id, name=None, email=None):
    """Return name, else the email's local part, else the id."""
    if name:
        return name
    if email:
        return email.split("@", 1)[0]
    return user_id


def profiles(user_ids):
    """Return {id: {id, name, email, role}} for every id, known or not."""
    known = repository.find_many(user_ids)
    out = {}
    for user_id in user_ids:
        doc = known.get(user_id, {})
        out[user_id] = {"id": user_id, "name": display_name(user_id, doc.get("name"), doc.get("email")),
                        "email": doc.get("email"), "role": doc.get("role")}
    return out


def on_connected(app, conn):
    """Learn every connecting user's name and email."""
    try:
        remember(conn.actor)
    except Exception as exc:  # the database unreachable: learned at the user's next action instead
        log.warning("user not remembered on connect", extra={"fields": {"error": type(exc).__name__}})
