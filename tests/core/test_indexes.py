"""Every hot query is served by an index: the repositories' own commands, explained by the server."""
from datetime import timedelta

import pytest
from bson import ObjectId
from pymongo import MongoClient, monitoring

from gharbazaar import db
from gharbazaar.auth import Actor
from gharbazaar.chat import batch_store, models as chat_models, pages, repository as chat
from gharbazaar.files import repository as files
from gharbazaar.models import utcnow
from gharbazaar.presence import repository as presence
from gharbazaar.tickets import repository as tickets

# Index-backed leaves: IXSCAN everywhere; a real mongod may answer with these instead.
INDEX_STAGES = {"IXSCAN", "EXPRESS_IXSCAN", "DISTINCT_SCAN"}
# Command fields the driver adds that are not part of the query itself.
DRIVER_FIELDS = {"lsid", "$db", "$clusterTime", "$readPreference", "txnNumber", "readConcern", "signature"}


class Recorder(monitoring.CommandListener):
    """Keep the find and distinct commands the application sends."""

    def __init__(self):
        self.commands = []

    def started(self, event):
        if event.command_name in ("find", "distinct", "aggregate"):
            self.commands.append((event.database_name, dict(event.command)))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def stages(plan):
    """Yield every stage name in a plan tree (SecantusDB and mongod shapes, SBE's queryPlan included)."""
    if isinstance(plan, list):
        for item in plan:
            yield from stages(item)
    elif isinstance(plan, dict):
        if "stage" in plan:
            yield plan["stage"]
        for key in ("inputStage", "inputStages", "queryPlan", "winningPlan", "shards"):
            if key in plan:
                yield from stages(plan[key])


def winning_plan(answer):
    """Return the winning plan of an explained find, distinct or aggregate (mongod nests the latter)."""
    if "queryPlanner" in answer:
        return answer["queryPlanner"]["winningPlan"]
    return answer["stages"][0]["$cursor"]["queryPlanner"]["winningPlan"]


@pytest.fixture
def issued(app):
    """issued(call): run a repository call, return the winning plans' stages of the queries it sent."""
    db.close(app)  # reopen the app's client with a recorder on it (indexes already exist)
    recorder = Recorder()
    app.extensions["mongo"]["client"] = MongoClient(app.config["MONGODB_URI"], tz_aware=True,
                                                    event_listeners=[recorder])

    def explain(call):
        with app.app_context():
            recorder.commands.clear()
            call()
            sent = list(recorder.commands)
            assert sent, "the call sent no find, distinct or aggregate command"
            found = []
            for database, command in sent:
                query = {k: v for k, v in command.items() if k not in DRIVER_FIELDS}
                answer = db.get_client()[database].command("explain", query, verbosity="queryPlanner")
                found.append(list(stages(winning_plan(answer))))
            return found

    return explain


@pytest.fixture
def data(app):
    """A few documents written through the repositories: a conversation, tickets, a socket."""
    with app.app_context():
        now = utcnow()
        ana, ben = (Actor(id=name, role="buyer") for name in ("ana", "ben"))
        conv = chat.insert_conversation(chat_models.new_conversation(
            ana, "ben", {"type": "property", "propertyId": "p1", "propertyTitle": None}, now))
        ids = [chat.insert_message(dict(chat_models.new_message(
            (ana, ben)[i % 2], conv["_id"], f"m{i}", "text", {}, f"c{i}", now),
            seq=i + 1, changeSeq=i + 1))["_id"] for i in range(6)]
        ticket = tickets.insert({"userId": "ana", "status": "assigned", "assignedTo": "eve", "createdAt": now,
                                 "people": ["ana", "eve"], "updatedAt": now, "history": []})
        tickets.insert({"userId": "ben", "status": "open", "assignedTo": None, "createdAt": now,
                        "people": ["ben"], "updatedAt": now, "history": []})
        for i in range(3):
            tickets.add_message({"ticketId": ticket["_id"], "senderId": "eve", "content": f"t{i}",
                                 "timestamp": now + timedelta(seconds=i)})
        presence.add_socket("sid-1", "ana", "buyer", "proc-1")
        files.save(b"x", "a.txt", "text/plain", {"scope": "chat", "scopeId": str(conv["_id"])},
                   budget_s=30)
        return {"conv": conv["_id"], "messages": ids, "ticket": ticket["_id"]}


HOT_QUERIES = {
    "the newest message page": lambda d: pages.page_of_messages(d["conv"], 50, top=6),
    "a message page before a message":
        lambda d: pages.page_of_messages(d["conv"], 50, before=d["messages"][3], top=6),
    "a message page by id (skip=)": lambda d: pages.page_of_messages(d["conv"], 50, skip=2),
    "the resync of changes after a sequence number": lambda d: chat.changes_after(d["conv"], 2, 50),
    "a user's conversation list by latest activity": lambda d: pages.page_of_conversations("ana", 50),
    "the next page of a user's conversation list (exact cursor)":
        lambda d: pages.page_of_conversations("ana", 50, before=utcnow(), before_id=d["conv"]),
    "the conversation of a pair about a property": lambda d: chat.find_pair("ben", "ana", "p1"),
    "a message by its client message id": lambda d: chat.find_by_client_id(d["conv"], "ana", "c2"),
    "the unread messages of a batch of read receipts": lambda d: batch_store.unread([d["conv"]]),
    "whether a message still shows a file (deleting a message)":
        lambda d: chat.file_in_use(d["conv"], "0123456789abcdef01234567"),
    "the uploads of a scope in a window of age (unsent files)":
        lambda d: files.uploaded_between("chat", ObjectId.from_datetime(utcnow() - timedelta(days=1)),
                                         ObjectId(), 100),
    "a customer's tickets": lambda d: tickets.page({"userId": "ana"}, 20),
    "the tickets in one status": lambda d: tickets.page({"status": "assigned"}, 20),
    "an employee's assigned tickets": lambda d: tickets.page({"assignedTo": "eve"}, 20),
    "the waiting queue, oldest open ticket first": lambda d: tickets.oldest_open(),
    "the waiting queue, a batch oldest first": lambda d: tickets.waiting(20),
    "a ticket's messages": lambda d: tickets.messages(d["ticket"], 50),
    "a user's live presence sockets": lambda d: presence.live_user_ids(["ana"], 90),
    "the live server processes, and the sockets of silent ones (presence sweep)":
        lambda d: presence.stale_sockets(90),
    "the count and ids of a process's socket records (presence sweep: records retired while open)":
        lambda d: (presence.count_sockets("proc-1"), presence.socket_ids("proc-1")),
    "the sockets available for work (ticket hand-out)": lambda d: presence.available_user_ids(90),
    "a user's conversation partners (presence contacts)": lambda d: chat.partners_of("ana"),
    "a user's ticket counterparts (presence contacts)": lambda d: list(tickets.live_pairs("ana")),
    "the resync of a user's tickets changed after an instant":
        lambda d: tickets.changed_since("ana", utcnow() - timedelta(days=1), 50),
    "the desk: an employee's tickets that are not closed, latest activity first":
        lambda d: tickets.recent({"assignedTo": "eve", "status": {"$in": tickets.NOT_CLOSED}}, 50),
    "the desk: waiting tickets, latest activity first": lambda d: tickets.recent({"status": "open"}, 50),
    "the desk: a customer's last tickets": lambda d: tickets.page({"userId": "ben"}, 20),
    "the desk: an employee's active ticket count":
        lambda d: tickets.count({"assignedTo": "eve", "status": {"$in": ["assigned", "in_progress"]}}),
    "the desk: an employee's tickets resolved today":
        lambda d: tickets.count({"resolvedBy": "eve", "resolvedAt": {"$gte": utcnow() - timedelta(hours=8)}}),
    "the desk: an employee's assigned ticket count": lambda d: tickets.count({"assignedTo": "eve"}),
    "the desk: an employee's average first response": lambda d: tickets.first_response_average("eve"),
    "the desk: an employee's averages of first replies and resolutions they made":
        lambda d: tickets.averages("eve"),
}


@pytest.mark.parametrize("name", HOT_QUERIES)
def test_the_hot_query_is_answered_from_an_index(name, issued, data):
    for plan in issued(lambda: HOT_QUERIES[name](data)):
        assert "COLLSCAN" not in plan, f"{name}: collection scan in {plan}"
        assert INDEX_STAGES & set(plan), f"{name}: no index scan in {plan}"


def test_the_plan_walker_reads_mongod_and_secantus_shapes():
    secantus = {"stage": "SORT", "inputStage": {"stage": "FETCH", "inputStage": {"stage": "IXSCAN"}}}
    mongod_sbe = {"queryPlan": {"stage": "LIMIT", "inputStage": {"stage": "FETCH", "inputStage": {
        "stage": "OR", "inputStages": [{"stage": "IXSCAN"}, {"stage": "COLLSCAN"}]}}}, "slotBasedPlan": {}}
    assert list(stages(secantus)) == ["SORT", "FETCH", "IXSCAN"]
    assert list(stages(mongod_sbe)) == ["LIMIT", "FETCH", "OR", "IXSCAN", "COLLSCAN"]
