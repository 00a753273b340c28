"""Agreeing to share contact details, per conversation: until both participants agree, contact
details in a message are masked in what the other participant sees (history included, on read).

Withdrawing is allowed: masking resumes for what is read afterwards (what was shown stays seen).
"""
from .. import realtime
from ..models import utcnow
from . import models, repository
from .access import SCOPE, conversation_for


def set_agreement(actor, conversation_id, agree):
    """Record the actor's (withdrawn) agreement and tell both participants; return the new state."""
    doc = conversation_for(actor, conversation_id)
    doc = repository.set_sharing(doc["_id"], actor.id, agree, utcnow())
    payload = {"conversationId": str(doc["_id"]), "userId": actor.id, "contactSharing": models.sharing(doc)}
    realtime.publish(SCOPE, "contact-sharing:updated", payload,
                     [realtime.user_room(p) for p in doc["participants"]])
    return payload
