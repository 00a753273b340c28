"""Sockets that connect while the database is unreachable: recorded when it returns, swept on expiry."""
import time

import pytest

from tests.support.people import new_person
from tests.faults.chat import connect
from tests.faults.procs import wait_until
from tests.support import Recorder, make_token

pytestmark = pytest.mark.e2e


def status_of(asker, user_id):
    answer = asker.emit("presence:get-status", {"userIds": [user_id]})
    return answer["success"] and answer["data"]["users"][0]["status"]


def test_an_employee_who_connects_during_an_outage_shows_online_and_gets_tickets_once_it_returns(
        database, servers, measured):
    (server,) = servers()
    employee, customer = new_person("employee", "Agent Kiran"), new_person("buyer", "Meera")
    database.kill()
    staff = connect(server, employee)  # accepted: the client keeps its socket and waits for the database
    joined = staff.emit("join_employee_room", timeout=20)  # the frontend joins right after connecting
    assert joined["success"] is False and joined["code"] == "unavailable"

    database.restart()
    back = time.monotonic()
    wait_until(lambda: server.get("/api/v1/health/ready").status_code == 200, 20, "ready after restart")
    watcher = connect(server, new_person("admin", "Ops"))  # staff see everyone's presence
    wait_until(lambda: status_of(watcher, employee.id) == "online", 15, "the employee recorded online")
    measured("socket connected during outage: recorded after the database returns (s)",
             time.monotonic() - back)

    created = server.post("/api/v1/tickets", headers=customer.headers, json={
        "categoryTitle": "Listing", "subCategoryTitle": "Photos", "problem": "My photos do not show."})
    assert created.status_code == 201, created.text
    ticket = created.json()["data"]["ticket"]
    assert ticket["assignedTo"] == employee.id, ticket  # assignable without reconnecting or re-joining
    assert staff.wait_for("ticket:assigned")["ticketId"] == ticket["id"]


def test_the_expiry_sweep_cuts_off_a_first_socket_that_connected_during_an_outage(database, servers):
    (server,) = servers()
    database.kill()
    user = new_person("buyer")
    short = Recorder(server.url, make_token(user.id, "buyer", ttl=3))
    assert short.connect(), short.connect_error  # this process's first socket, database unreachable
    cut = short.wait_for("error", timeout=10, where=lambda e: e["code"] == "token_expired")
    assert cut["event"] == "auth"
    short.wait_for("__disconnect__", timeout=5)
