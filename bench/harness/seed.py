"""Large data sets written straight into the backend's collections (shapes from chat/repository.py).

Only what the REST API cannot build quickly is seeded here: a group room for fan-out, a user
with thousands of conversations, a conversation with a long history.
"""
from datetime import datetime, timedelta, timezone

from bson import ObjectId
from pymongo import MongoClient

BATCH = 5000


def conversation_doc(members, property_id, at):
    """Return a conversation document as chat/repository.py stores one."""
    low, high = sorted(members)[0], sorted(members)[-1]
    return {"_id": ObjectId(), "participants": list(members), "type": "property",
            "conversationType": "property", "propertyId": property_id, "propertyTitle": f"Flat {property_id}",
            "lastMessage": "hello", "lastMessageAt": at, "lastMessageId": None, "createdBy": members[0],
            "createdAt": at, "updatedAt": at, "pairLow": low, "pairHigh": high,
            "unreadCounts": [0] * len(members), "visibleTo": list(members), "seq": 0, "changedAt": at}


class Seeder:
    def __init__(self, uri, db_name):
        self.client = MongoClient(uri, tz_aware=True)
        self.db = self.client[db_name]

    def group(self, members, property_id):
        """Insert one conversation whose participants are all members; return its id."""
        doc = conversation_doc(members, property_id, datetime.now(timezone.utc))
        self.db.conversations.insert_one(doc)
        return str(doc["_id"])

    def conversations_of(self, user, count):
        """Give user `count` conversations with distinct partners, one per minute of activity."""
        start = datetime.now(timezone.utc) - timedelta(minutes=count)
        for first in range(0, count, BATCH):
            self.db.conversations.insert_many(
                [conversation_doc([user, f"{user}-partner-{i}"], f"p-{i}", start + timedelta(minutes=i))
                 for i in range(first, min(count, first + BATCH))], ordered=False)

    def history(self, a, b, count):
        """Create a conversation of `count` messages; return (conversation id, ids oldest first)."""
        start = datetime.now(timezone.utc) - timedelta(seconds=count)
        conversation = conversation_doc([a, b], "p-history", start + timedelta(seconds=count))
        conversation["seq"] = count
        self.db.conversations.insert_one(conversation)
        ids = []
        for first in range(0, count, BATCH):
            docs = []
            for i in range(first, min(count, first + BATCH)):
                sender = (a, b)[i % 2]
                at = start + timedelta(seconds=i)
                oid = ObjectId()
                docs.append({"_id": oid, "dedupeKey": f"id:{oid}", "seq": i + 1, "changeSeq": i + 1,
                             "conversationId": conversation["_id"], "senderId": sender,
                             "senderEmail": f"{sender}@bench.test", "senderName": sender,
                             "content": f"message {i} " + "x" * 80, "type": "text", "read": True,
                             "readAt": at, "edited": False, "deleted": False, "createdAt": at,
                             "updatedAt": at})
            ids.extend(d["_id"] for d in docs)
            self.db.messages.insert_many(docs, ordered=False)
        return str(conversation["_id"]), [str(i) for i in ids]

    def count(self, collection):
        return self.db[collection].estimated_document_count()

    def drop(self):
        self.client.drop_database(self.db.name)
        self.client.close()
