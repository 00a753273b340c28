"""The `tickets` and `ticketmessages` collections: queries, indexes, compare-and-set updates."""
from datetime import datetime, timezone

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from ..db import get_db
from .states import CLOSED, FEEDBACK_AFTER, OPEN, STATUSES

TICKETS, MESSAGES = "tickets", "ticketmessages"
MAX_CONTACTS = 500
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Every status but closed, by name: an equality prefix plus `$in` is served from an index by any
# planner (`$ne: closed` is not, on some).
NOT_CLOSED = [status for status in STATUSES if status != CLOSED]

# collection -> the indexes its queries need; the feature's init_app registers them.
INDEXES = {}
INDEXES[TICKETS] = [
    IndexModel([("userId", ASCENDING), ("_id", DESCENDING)], name="by_owner"),
    IndexModel([("userId", ASCENDING), ("status", ASCENDING), ("_id", DESCENDING)], name="by_owner_status"),
    # Serves the staff listing by status and the waiting queue (status open, oldest _id first).
    IndexModel([("status", ASCENDING), ("_id", DESCENDING)], name="by_status"),
    IndexModel([("assignedTo", ASCENDING), ("_id", DESCENDING)], name="by_assignee"),
    IndexModel([("assignedTo", ASCENDING), ("status", ASCENDING), ("_id", DESCENDING)],
               name="by_assignee_status"),
    # `people` is the owner and the assignee: resync (what changed after an instant) and presence
    # contacts (who shares a live ticket) are one indexed query each for either side.
    IndexModel([("people", ASCENDING), ("updatedAt", ASCENDING)], name="people_changes"),
    IndexModel([("people", ASCENDING), ("status", ASCENDING)], name="people_live"),
    IndexModel([("assignedTo", ASCENDING), ("updatedAt", ASCENDING)], name="assignee_changes"),
    # The employee desk: waiting tickets by latest activity, and an employee's figures.
    IndexModel([("status", ASCENDING), ("updatedAt", DESCENDING)], name="by_status_activity"),
    # Figures credit whoever did the work, not whoever holds the ticket now.
    IndexModel([("resolvedBy", ASCENDING), ("resolvedAt", ASCENDING)], name="resolver_resolved"),
    IndexModel([("sla.firstResponseBy", ASCENDING)], name="first_responder"),
    IndexModel([("assignedTo", ASCENDING), ("firstResponseAt", ASCENDING)], name="assignee_first_response"),
    # Due timers (sla.py, timers.py): a pending timer holds its instant, a spent one null.
    IndexModel([("timers.firstResponse", ASCENDING)], name="timer_first_response"),
    IndexModel([("timers.resolution", ASCENDING)], name="timer_resolution"),
    IndexModel([("timers.reply", ASCENDING)], name="timer_reply"),
    IndexModel([("sla.breaches.assignedTo", ASCENDING)], name="breaches_by_assignee"),
]
INDEXES[MESSAGES] = [
    IndexModel([("ticketId", ASCENDING), ("timestamp", ASCENDING), ("_id", ASCENDING)], name="by_ticket"),
]
# Indexes earlier releases created that no query needs any more; ensure_indexes drops them.
RETIRED = {TICKETS: ["assignee_resolved"]}


def _tickets():
    return get_db()[TICKETS]


def _messages():
    return get_db()[MESSAGES]


def insert(doc):
    """Store a new ticket; return it with its _id."""
    doc["_id"] = _tickets().insert_one(doc).inserted_id
    return doc


def find(ticket_id):
    """Return the stored ticket, or None."""
    return _tickets().find_one({"_id": ticket_id})


def find_many(ticket_ids):
    """Return {id: ticket} for the ids that exist."""
    return {doc["_id"]: doc for doc in _tickets().find({"_id": {"$in": list(ticket_ids)}})}


def page(query, limit, before=None, skip=0):
    """Return up to limit + 1 tickets matching query, newest first, older than `before`."""
    if before is not None:
        query = dict(query, _id={"$lt": before})
    return list(_tickets().find(query).sort("_id", DESCENDING).skip(skip).limit(limit + 1))


def recent(query, limit):
    """Return up to limit tickets matching query, latest activity first."""
    return list(_tickets().find(query).sort([("updatedAt", DESCENDING), ("_id", DESCENDING)]).limit(limit))


def count(query):
    """Return how many tickets match query."""
    return _tickets().count_documents(query)


def first_response_average(employee_id):
    """Return (average seconds from assignment to the assignee's first reply, how many measured)."""
    found = list(_tickets().aggregate([
        {"$match": {"assignedTo": employee_id, "firstResponseAt": {"$gte": EPOCH}}},
        {"$group": {"_id": None, "ms": {"$avg": {"$subtract": ["$firstResponseAt", "$assignedAt"]}},
                    "n": {"$sum": 1}}}]))
    return (found[0]["ms"] / 1000, found[0]["n"]) if found else (0.0, 0)


def mark_first_response(ticket_id, employee_id, at):
    """Record the assignee's first reply since the assignment, once."""
    _tickets().update_one({"_id": ticket_id, "assignedTo": employee_id, "firstResponseAt": None},
                          {"$set": {"firstResponseAt": at}})


def averages(employee_id):
    """Return {firstResponse, resolution}: mean seconds from creation to the first staff reply the
    employee wrote, and to the (latest) resolution they made."""
    out = {}
    for key, who, at in (("firstResponse", "sla.firstResponseBy", "$sla.firstResponseAt"),
                         ("resolution", "resolvedBy", "$resolvedAt")):
        found = list(_tickets().aggregate([
            {"$match": {who: employee_id}},
            {"$group": {"_id": None, "ms": {"$avg": {"$subtract": [at, "$createdAt"]}}}}]))
        ms = found[0]["ms"] if found else None
        out[key] = round(ms / 1000, 1) if ms is not None else 0
    return out


def breach_count(employee_id):
    """Return how many breaches were recorded while tickets were assigned to the employee."""
    found = list(_tickets().aggregate([
        {"$match": {"sla.breaches.assignedTo": employee_id}}, {"$unwind": "$sla.breaches"},
        {"$match": {"sla.breaches.assignedTo": employee_id}}, {"$count": "n"}]))
    return found[0]["n"] if found else 0


def staff_replied(ticket_id, employee_id, at):
    """A staff reply meets the first-response target once; the assignee's stops their reply window."""
    _tickets().update_one({"_id": ticket_id, "sla.firstResponseAt": None},
                          {"$set": {"sla.firstResponseAt": at, "sla.firstResponseBy": employee_id,
                                    "timers.firstResponse": None}})
    _tickets().update_one({"_id": ticket_id, "assignedTo": employee_id, "timers.reply": {"$ne": None}},
                          {"$set": {"timers.reply": None}})


def await_reply(ticket_id, due):
    """Start the assignee's reply window, unless one is already running."""
    _tickets().update_one({"_id": ticket_id, "status": {"$in": ["assigned", "in_progress"]},
                           "assignedTo": {"$ne": None}, "timers.reply": None},
                          {"$set": {"timers.reply": due}})


def due(kind, now, limit):
    """Return up to `limit` tickets whose `kind` timer is due, the most overdue first."""
    field = f"timers.{kind}"
    return list(_tickets().find({field: {"$lte": now}}).sort(field, ASCENDING).limit(limit))


def clear_reply_timer(ticket_id, due_at):
    """Spend a reply timer that has nothing left to do."""
    _tickets().update_one({"_id": ticket_id, "timers.reply": due_at}, {"$set": {"timers.reply": None}})


def record_breach(ticket_id, kind, due_at, breach, history):
    """Spend the timer if it still holds due_at, recording the breach; return the ticket or None."""
    return _tickets().find_one_and_update(
        {"_id": ticket_id, f"timers.{kind}": due_at},
        {"$set": {f"timers.{kind}": None}, "$push": {"sla.breaches": breach, "history": history}},
        return_document=ReturnDocument.AFTER)


def oldest_open():
    """Return the ticket that has waited longest for an employee, or None."""
    return _tickets().find_one({"status": OPEN, "assignedTo": None}, sort=[("_id", ASCENDING)])


def waiting(limit, after=None):
    """Return up to `limit` tickets waiting for an employee, the longest waiting first (after an id)."""
    query = {"status": OPEN, "assignedTo": None, **({"_id": {"$gt": after}} if after is not None else {})}
    return list(_tickets().find(query).sort("_id", ASCENDING).limit(limit))


def transition(ticket_id, expected, fields, history):
    """Set fields only if the ticket still has the expected values; return it or None."""
    return _tickets().find_one_and_update(
        {"_id": ticket_id, **expected},
        {"$set": dict(fields, updatedAt=history["at"]), "$push": {"history": history}},
        return_document=ReturnDocument.AFTER)


def touch_writable(ticket_id, now):
    """Bump updatedAt unless the ticket is closed; return the ticket or None."""
    return _tickets().find_one_and_update({"_id": ticket_id, "status": {"$ne": CLOSED}},
                                          {"$set": {"updatedAt": now}}, return_document=ReturnDocument.AFTER)


def set_feedback(ticket_id, owner_id, feedback):
    """Record feedback once, by the owner, after resolution; return the ticket or None."""
    return _tickets().find_one_and_update(
        {"_id": ticket_id, "userId": owner_id, "feedback": None, "status": {"$in": sorted(FEEDBACK_AFTER)}},
        {"$set": {"feedback": feedback, "updatedAt": feedback["submittedAt"]}},
        return_document=ReturnDocument.AFTER)


def live_pairs(user_id):
    """Return {userId, assignedTo} of the tickets that are not closed where the user is owner or assignee."""
    return _tickets().find({"people": user_id, "status": {"$in": NOT_CLOSED}},
                           projection={"_id": 0, "userId": 1, "assignedTo": 1}, limit=MAX_CONTACTS)


def add_message(doc):
    """Store a ticket message; return it with its _id."""
    doc["_id"] = _messages().insert_one(doc).inserted_id
    return doc


def remove_message(message_id):
    """Remove a message whose ticket turned out to be closed before it counted."""
    _messages().delete_one({"_id": message_id})


def file_in_use(ticket_id, file_id):
    """Return True when a message of the ticket carries the file (by_ticket narrows it to the ticket)."""
    return _messages().count_documents({"ticketId": ticket_id, "fileId": file_id}, limit=1) > 0


def messages(ticket_id, limit):
    """Return the newest `limit` messages of a ticket, oldest first."""
    newest = _messages().find({"ticketId": ticket_id}).sort([("timestamp", DESCENDING), ("_id", DESCENDING)])
    return list(reversed(list(newest.limit(limit))))


def changed_since(user_id, since, limit, owned_only=False):
    """Return up to limit + 1 tickets the user owns (or is assigned) that changed after an instant."""
    cursor = _tickets().find(_changed(user_id, since, owned_only))
    return list(cursor.sort([("updatedAt", ASCENDING), ("_id", ASCENDING)]).limit(limit + 1))


def changed_ids_since(user_id, since, owned_only=False):
    """Return the ids of every ticket the user owns (or is assigned) that changed after an instant."""
    return [doc["_id"] for doc in _tickets().find(_changed(user_id, since, owned_only), {"_id": 1})]


def _changed(user_id, since, owned_only):
    query = {"people": user_id, "updatedAt": {"$gt": since}}
    return dict(query, userId=user_id) if owned_only else query


def written_between(ticket_ids, after, until):
    """Return which of these tickets have a message written after `after` and at or before `until`."""
    query = {"ticketId": {"$in": ticket_ids}, "timestamp": {"$gt": after, "$lte": until}}
    return set(_messages().distinct("ticketId", query)) if ticket_ids else set()


def messages_since(ticket_id, since, limit):
    """Return up to `limit` messages of a ticket written after an instant, oldest first."""
    cursor = _messages().find({"ticketId": ticket_id, "timestamp": {"$gt": since}})
    return list(cursor.sort([("timestamp", ASCENDING), ("_id", ASCENDING)]).limit(limit))
