"""Helpers for the group-commit tests of chat (send_batch, read_batch) on the real test database."""
from gharbazaar import db
from gharbazaar.auth import Actor
from gharbazaar.chat import batch_store, models, repository, service
from gharbazaar.models import utcnow
from tests.support import unique


def actor(role="buyer"):
    user_id = unique(role)
    return Actor(user_id, role, f"{user_id}@example.com", None)


def pair_conversation():
    """A new buyer, seller and their conversation: (buyer, seller, ObjectId, participants)."""
    buyer, seller = actor(), actor("seller")
    conversation, _ = service.create_conversation(buyer, {
        "otherUserId": seller.id, "propertyId": unique("prop"), "propertyTitle": None,
        "initialMessage": None, "type": None})
    doc = repository.find_conversation(db.object_id(conversation["id"]))
    return buyer, seller, doc["_id"], tuple(doc["participants"])


def item(sender, conversation_id, participants, content, client_id=None):
    """A send_batch item: a new message and its conversation's participants."""
    doc = models.new_message(sender, conversation_id, content, "text", {}, client_id, utcnow())
    return doc, participants


def stored(conversation_id):
    return list(db.get_db()[repository.MESSAGES].find({"conversationId": conversation_id}).sort("_id", 1))


def after_the_batch_reads(monkeypatch, meanwhile):
    """Make every batch run `meanwhile()` right after reading its conversations' sequence numbers."""
    read = batch_store.sequences

    def read_then(ids):
        found = read(ids)
        meanwhile()
        return found
    monkeypatch.setattr(batch_store, "sequences", read_then)
    return read
