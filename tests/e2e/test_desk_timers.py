"""Ticket timers across two real server processes and a restart: each fires exactly once, none is lost.

The timers are instants in MongoDB; every process sweeps for due ones (TIMER_SWEEP_S). The test
controls time by moving those instants into the past, so nothing here waits for a real
window to pass: it waits on events and on what the database holds, with timeouts.
"""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pymongo import MongoClient

from tests.faults.procs import wait_until
from tests.support import TEST_SECRET, ServerProcess
from tests.support.people import new_person

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
TICKET = {"categoryTitle": "Payments", "subCategoryTitle": "Refund", "problem": "My refund never arrived."}
FIRST, SECOND = 10, 10


@pytest.fixture
def cluster(mongo_uri, redis_url):
    """Two processes on one database and one Redis channel, sweeping for due timers 5 times a second."""
    name = f"gbtimers_{uuid.uuid4().hex[:8]}"
    shared = {"APP_ENV": "test", "JWT_SECRET": TEST_SECRET, "MONGODB_URI": mongo_uri, "MONGODB_DB": name,
              "REDIS_URL": redis_url, "REDIS_CHANNEL": f"gbtest-{uuid.uuid4().hex[:8]}",
              "TIMER_SWEEP_S": "0.2", "MAX_ACTIVE_TICKETS_PER_EMPLOYEE": "1000"}
    servers = [ServerProcess(shared) for _ in range(2)]
    with MongoClient(mongo_uri, tz_aware=True) as client:
        try:
            yield shared, [server.wait_listening() for server in servers], client[name]
        finally:
            for server in servers:
                server.stop()
            client.drop_database(name)


def past():
    return datetime.now(timezone.utc) - timedelta(seconds=1)


def breaches(database, kind):
    """Return {ticket id: how many `kind` breaches it records} (history and sla.breaches must agree)."""
    reason = {"firstResponse": "sla breached: first response"}[kind]
    found = {}
    for ticket in database.tickets.find().sort("_id", 1):
        listed = [b for b in ticket["sla"]["breaches"] if b["kind"] == kind]
        assert len(listed) == sum(1 for h in ticket["history"] if h["reason"] == reason)
        found[ticket["_id"]] = len(listed)
    return found


def releases(database, ticket_ids):
    return {tid: sum(1 for h in database.tickets.find_one({"_id": tid})["history"]
                     if (h["reason"] or "").startswith("no reply from")) for tid in ticket_ids}


def test_two_processes_fire_each_timer_once_and_a_restart_loses_none(cluster, real_client):
    shared, (a, b), database = cluster
    emp1, emp2, supervisor = new_person("employee"), new_person("employee"), new_person("admin")
    first, second = real_client(a.url, emp1.token), real_client(b.url, emp2.token)
    watcher = real_client(b.url, supervisor.token)
    assert watcher.emit("join_employee_room")["success"] is True
    assert watcher.emit("presence:update-status", {"status": "away"})["success"] is True  # hears, takes none
    for sock in (first, second):
        assert sock.emit("join_employee_room")["success"] is True
    for n in range(FIRST + SECOND):
        server = (a, b)[n % 2]
        answer = server.post("/api/v1/tickets", json=TICKET, headers=new_person("buyer").headers)
        assert answer.status_code == 201
    tickets = [t["_id"] for t in database.tickets.find().sort("_id", 1)]
    mine = [t["_id"] for t in database.tickets.find({"assignedTo": emp1.id}).sort("_id", 1)]
    assert len(mine) == (FIRST + SECOND) // 2

    # Both processes up: the first tickets' first-response targets and five of emp1's reply windows end.
    due_now = {"$set": {"timers.firstResponse": past()}}
    database.tickets.update_many({"_id": {"$in": tickets[:FIRST]}}, due_now)
    silent = mine[:5]
    database.tickets.update_many({"_id": {"$in": silent}}, {"$set": {"timers.reply": past()}})
    for _ in range(FIRST):
        watcher.wait_for("ticket:sla-breached", timeout=15)
    moved = {"_id": {"$in": silent}, "assignedTo": emp2.id}
    wait_until(lambda: database.tickets.count_documents(moved) == 5, 15, "silent tickets to go to emp2")
    assert list(breaches(database, "firstResponse").values()) == [1] * FIRST + [0] * SECOND
    assert set(releases(database, silent).values()) == {1}
    heard = watcher.received("ticket:sla-breached")
    assert sorted(e["ticketId"] for e in heard) == sorted(str(t) for t in tickets[:FIRST])
    assert len([e for e in second.received("ticket:assigned") if e["assignedTo"] == emp2.id]) >= 5

    # Both processes down; timers come due while nobody could fire them; then the processes return.
    for server in (a, b):
        server.stop()
    database.tickets.update_many({"_id": {"$in": tickets[FIRST:]}}, due_now)
    left = mine[5:]
    database.tickets.update_many({"_id": {"$in": left}}, {"$set": {"timers.reply": past()}})
    a2 = ServerProcess(shared, port=a.port).wait_listening()
    b2 = ServerProcess(shared, port=b.port).wait_listening()
    try:
        wait_until(lambda: sum(breaches(database, "firstResponse").values()) == FIRST + SECOND, 15,
                   "the due breaches to fire after the restart")
        wait_until(lambda: set(releases(database, left).values()) == {1}, 15, "the silent tickets released")
        # Nobody is available yet: released tickets wait in the pool, and go out when emp2 is back.
        back = real_client(b2.url, emp2.token)
        assert back.emit("join_employee_room")["success"] is True
        wait_until(lambda: database.tickets.count_documents({"assignedTo": emp2.id}) == FIRST + SECOND, 15,
                   "every ticket with emp2")
        assert set(breaches(database, "firstResponse").values()) == {1}
        assert set(releases(database, mine).values()) == {1}
        load = database.ticketloads.find_one({"_id": emp2.id})
        assert load["active"] == len(load["holds"]) == FIRST + SECOND
        assert database.ticketloads.find_one({"_id": emp1.id})["active"] == 0
    finally:
        a2.stop()
        b2.stop()
