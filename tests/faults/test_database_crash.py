"""The database killed -9 in the middle of a burst of acknowledged sends, then restarted on its data."""
import time

import pytest

from tests.faults.chat import (BUSY, Burst, assert_stored_exactly_once, connect, open_conversation, people,
                               resync, server_messages)
from tests.faults.procs import wait_until

pytestmark = pytest.mark.e2e


def ready(server):
    return server.get("/api/v1/health/ready").status_code


def test_acknowledged_messages_survive_a_database_kill_and_resends_return_the_originals(
        database, servers, stored, measured):
    (server,) = servers(**BUSY)
    buyer, seller = people()
    conversation_id = open_conversation(server, buyer, seller)
    reader = connect(server, seller, conversation_id)
    burst = Burst(server, buyer, conversation_id, senders=3, count=30)
    kill_now = burst.at(25)
    burst.start()
    assert kill_now.wait(60), "the burst did not get going"

    database.kill()  # mid-burst: three senders have a write in flight
    killed = time.monotonic()
    wait_until(lambda: ready(server) == 503, 10, "readiness 503 with the database dead")
    database.restart()
    restarted = time.monotonic()
    wait_until(lambda: ready(server) == 200, 20, "readiness 200 after the restart")
    measured("database kill -9: readiness 200 after restart (s)", time.monotonic() - restarted)
    acked = burst.join()
    measured("database kill -9: outage seen by senders (s)", time.monotonic() - killed)
    measured("database kill -9: slowest send attempt, answered or not (s)", max(burst.latencies))

    docs = assert_stored_exactly_once(stored, conversation_id, acked)
    sender = connect(server, buyer)
    for cid, message in acked.items():
        again = sender.emit("send_message", {"conversationId": conversation_id, "content": message["content"],
                                             "clientMessageId": cid})
        assert again["success"] is True and again["data"]["message"]["id"] == message["id"], (cid, again)
    assert len(stored("messages", {})) == len(docs) == len(acked)

    # A write in flight when the database died may be stored without its event ever sent (its
    # sender's retry gets the original back, announced to nobody): readers are told to resync.
    local = {m["id"]: m for m in reader.received("new_message")}
    on_server = server_messages(server, seller, conversation_id)
    if set(on_server) - set(local):
        notice = reader.wait_for("sync:required", timeout=5)
        assert notice["reason"] == "database_outage"
        resync(reader, local, since=notice["since"])
    assert local == on_server
