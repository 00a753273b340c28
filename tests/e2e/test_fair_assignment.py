"""Two real server processes hand out a burst of tickets fairly: loads end within 1 of each other."""
import threading
import uuid

import pytest
from pymongo import MongoClient

from tests.support.people import new_person
from tests.support import TEST_SECRET, ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
BURSTS, BURST = 4, 25  # 25 is not a multiple of 3: later bursts start from uneven loads
TICKET = {"categoryTitle": "Payments", "subCategoryTitle": "Refund", "problem": "My refund never arrived."}


@pytest.fixture
def cluster(mongo_uri, redis_url):
    """Two processes on one database and one Redis channel, with a cap no burst reaches."""
    name = f"gbfair_{uuid.uuid4().hex[:8]}"
    shared = {"APP_ENV": "test", "JWT_SECRET": TEST_SECRET, "MONGODB_URI": mongo_uri, "MONGODB_DB": name,
              "REDIS_URL": redis_url, "REDIS_CHANNEL": f"gbtest-{uuid.uuid4().hex[:8]}",
              "MAX_ACTIVE_TICKETS_PER_EMPLOYEE": "1000"}
    servers = [ServerProcess(shared) for _ in range(2)]
    with MongoClient(mongo_uri) as client:
        try:
            yield [server.wait_listening() for server in servers], client[name]
        finally:
            for server in servers:
                server.stop()
            client.drop_database(name)


def burst(servers, count):
    """POST `count` tickets at once, alternating between the processes; each by its own customer."""
    customers = [new_person("buyer") for _ in range(count)]
    barrier, answers = threading.Barrier(count), []

    def create(n):
        barrier.wait()
        answer = servers[n % 2].post("/api/v1/tickets", json=TICKET, headers=customers[n].headers)
        answers.append(answer.status_code)
    threads = [threading.Thread(target=create, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == [201] * count


def loads_of(database, staff):
    counts = dict.fromkeys(staff, 0)
    for ticket in database.tickets.find({"status": {"$in": ["assigned", "in_progress"]}}, {"assignedTo": 1}):
        counts[ticket["assignedTo"]] += 1
    return counts


def test_bursts_of_tickets_through_two_processes_spread_evenly(cluster, real_client):
    (a, b), database = cluster
    staff = [new_person("employee") for _ in range(3)]
    for server, employee in zip((a, b, a), staff):
        assert real_client(server.url, employee.token).emit("join_employee_room")["success"] is True
    for n in range(1, BURSTS + 1):
        burst((a, b), BURST)
        counts = loads_of(database, [employee.id for employee in staff])
        assert sum(counts.values()) == n * BURST, counts
        assert max(counts.values()) - min(counts.values()) <= 1, (n, counts)
    for ticket in database.tickets.find():
        assert [h["status"] for h in ticket["history"]].count("assigned") == 1
    for load in database.ticketloads.find():
        mine = database.tickets.count_documents({"assignedTo": load["_id"], "status": "assigned"})
        assert load["active"] == len(load["holds"]) == mine
