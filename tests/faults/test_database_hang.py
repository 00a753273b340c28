"""A hung database (SIGSTOP, connections open and silent): every request bounded, then recovery."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.chat import BUSY, assert_stored_exactly_once, connect, open_conversation, people, resync, \
    server_messages
from tests.faults.procs import DB_TIMEOUT_MS
from tests.faults.procs import wait_until

pytestmark = pytest.mark.e2e
# The setting, plus what a loaded 2-core machine adds: what "about the setting" means here.
BOUND_S = DB_TIMEOUT_MS / 1000 * 1.5 + 1


def timed(call):
    began = time.monotonic()
    result = call()
    return result, time.monotonic() - began


def test_a_hung_database_costs_each_request_about_its_timeout_and_service_resumes(
        database, servers, stored, measured):
    (server,) = servers(**BUSY)
    buyer, seller = people()
    conversation_id = open_conversation(server, buyer, seller)
    sender, reader = connect(server, buyer, conversation_id), connect(server, seller, conversation_id)
    listing = f"/api/v1/chat/conversations/{conversation_id}/messages"
    first = sender.emit("send_message", {"conversationId": conversation_id, "content": "before",
                                         "clientMessageId": "hang-0"})
    acked = {"hang-0": first["data"]["message"]}
    reader.wait_for("new_message")

    database.pause()
    try:
        ready, took = timed(lambda: server.get("/api/v1/health/ready"))
        assert ready.status_code == 503 and took < BOUND_S, took
        measured("database hung: readiness answers 503 (s)", took)
        rest, took = timed(lambda: server.get(listing, headers=buyer.headers))
        assert rest.status_code == 503 and rest.json()["code"] == "unavailable" and took < BOUND_S, took
        measured("database hung: REST answers 503 unavailable (s)", took)
        ack, took = timed(lambda: sender.emit("send_message", {
            "conversationId": conversation_id, "content": "during", "clientMessageId": "hang-1"}, timeout=30))
        assert ack["success"] is False and ack["code"] == "unavailable" and took < BOUND_S, (ack, took)
        measured("database hung: send_message answers unavailable (s)", took)
        with ThreadPoolExecutor(12) as pool:  # more than one pooled connection's worth at once
            answers = list(pool.map(lambda _: timed(lambda: server.get(listing, headers=buyer.headers)),
                                    range(12)))
        assert {r.status_code for r, _ in answers} == {503}
        assert max(took for _, took in answers) < 2 * BOUND_S, [took for _, took in answers]
        health, took = timed(lambda: server.get("/api/v1/health"))
        assert health.status_code == 200 and health.json()["database"] == "down" and took < BOUND_S
    finally:
        database.resume()

    resumed = time.monotonic()
    wait_until(lambda: server.get("/api/v1/health/ready").status_code == 200, 20, "ready after SIGCONT")
    measured("database hung: readiness 200 after SIGCONT (s)", time.monotonic() - resumed)
    retried = sender.emit("send_message", {"conversationId": conversation_id, "content": "during",
                                           "clientMessageId": "hang-1"}, timeout=30)
    assert retried["success"] is True, retried
    acked["hang-1"] = retried["data"]["message"]
    assert server.get(listing, headers=buyer.headers).status_code == 200
    assert_stored_exactly_once(stored, conversation_id, acked)

    local = {m["id"]: m for m in reader.received("new_message")}
    resync(reader, local, {conversation_id: max(m["changeSeq"] for m in local.values())})
    assert local == server_messages(server, seller, conversation_id)
