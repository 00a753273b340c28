"""The safety guard on every chat message path: inspect before storing, deliver each viewer's form.

The detector (`safety/`) is pure; this module applies the configured policy to what is sent and
edited, refuses `block`ed text, and delivers a message the other side must see masked to each
participant's own room rather than as one broadcast (the sender always sees their own text).
"""
from flask import current_app

from .. import realtime
from ..config import ConfigError
from ..errors import AppError
from . import models, safety
from .access import SCOPE

POLICY = "gharbazaar.safety_policy"


class MessageBlocked(AppError):
    """The policy refuses this text; the message says what was found."""

    status, code, message = 422, "message_blocked", "This message cannot be sent."


def init_app(app):
    """Build the policy from SAFETY_POLICY and SAFETY_LINK_ALLOWLIST; refuse to start when invalid."""
    try:
        policy = safety.make_policy(app.config.get("SAFETY_POLICY") or None,
                                    app.config.get("SAFETY_LINK_ALLOWLIST"))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"SAFETY_POLICY is invalid: {exc} (categories: {', '.join(safety.CATEGORIES)}; "
                          f"actions: {', '.join(safety.ACTIONS)})") from None
    app.extensions[POLICY] = policy


def screen(content):
    """Return the safety fields a message stores for its text; raise MessageBlocked for `block`."""
    content = content or ""
    verdict = safety.inspect(content, current_app.extensions[POLICY])
    if verdict.action == "block":
        # The detector's sentence for people; the categories for programs (never the text itself).
        found = ", ".join(verdict.categories)
        raise MessageBlocked(verdict.reason or MessageBlocked.message,
                             details=[{"field": "content", "message": f"Not allowed here: {found}."}])
    # Only the recipient's form is stored beside the original: both under the policy of the day.
    masked = verdict.masked if verdict.masked != content else None
    return {"safety": verdict.record(), "maskedContent": masked}


def needs_split(doc, conversation):
    """Return True when the participants must be sent different forms of this message."""
    masked = doc.get("maskedContent") and not doc.get("deleted")
    return bool(masked) and not models.sharing(conversation)["active"]


def deliver(event, doc, conversation, view, participants, shared=None):
    """Publish a message event: one broadcast when everyone sees the same text (`shared`, if the
    caller has it already), else per viewer."""
    conversation_id = str(doc["conversationId"])
    if not needs_split(doc, conversation):
        realtime.publish(SCOPE, event, shared if shared is not None else view(doc, None, conversation),
                         realtime.conversation_room(conversation_id))
        return
    for user_id in participants:
        realtime.publish(SCOPE, event, view(doc, user_id, conversation),
                         realtime.viewer_room(conversation_id, user_id))
