"""Redis killed -9 or hung (SIGSTOP) under two processes mid-burst: truthful health, resync, recovery."""
import socket
import time

import pytest

from gharbazaar.sync.models import SyncRequired
from tests.faults.chat import BUSY, Burst, assert_stored_exactly_once, connect, open_conversation, people, \
    resync, server_messages
from tests.faults.procs import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
# Each send stays about one Redis timeout (2 s) plus a loaded machine's slack, even while Redis hangs.
SEND_BOUND_S = 4.5


def redis_of(*servers):
    return {server.get("/api/v1/health").json()["redis"] for server in servers}


@pytest.fixture
def two_processes(servers, redis_server):
    """Process A (the buyer's senders) and B (the seller's reader) on one Redis, both subscribed."""
    a, b = servers(2, REDIS_URL=redis_server.url, **BUSY)
    wait_until(lambda: redis_of(a, b) == {"ok"}, 10, "both processes subscribed")
    buyer, seller = people()
    conversation_id = open_conversation(a, buyer, seller)
    reader = connect(b, seller, conversation_id)
    return a, b, buyer, seller, conversation_id, reader


def check_recovery(two_processes, burst, notice, stored, measured, fault):
    """After the fault: exactly once, delivery across processes at once, the reader's resync complete."""
    a, b, buyer, seller, conversation_id, reader = two_processes
    acked = burst.join()
    measured(f"redis {fault}: slowest send during the burst (s)", max(burst.latencies))
    assert max(burst.latencies) < SEND_BOUND_S, sorted(burst.latencies)[-3:]
    assert_stored_exactly_once(stored, conversation_id, acked)
    sent = time.monotonic()
    probe = connect(a, buyer, conversation_id).emit("send_message", {
        "conversationId": conversation_id, "content": "after the outage"})["data"]["message"]
    reader.wait_for("new_message", timeout=3, where=lambda m: m["id"] == probe["id"])
    measured(f"redis {fault}: A->B delivery after health said ok (s)", time.monotonic() - sent)

    local = {m["id"]: m for m in reader.received("new_message")}
    missed = set(acked) - {m.get("clientMessageId") for m in local.values()}
    assert missed, "the fault cost B's reader nothing: the test did not test the outage"
    resync(reader, local, since=notice["since"])  # what docs/sync.md tells a client to do
    assert local == server_messages(b, seller, conversation_id)


def test_redis_killed_mid_burst_comes_back_within_seconds_and_clients_are_told_to_resync(
        two_processes, redis_server, stored, measured):
    a, b, buyer, _, conversation_id, reader = two_processes
    burst = Burst(a, buyer, conversation_id, senders=2, count=25)
    kill_now, during = burst.at(10), burst.at(25)
    burst.start()
    assert kill_now.wait(60)

    redis_server.kill()
    killed = time.monotonic()
    wait_until(lambda: redis_of(a, b) == {"down"}, 10, "both processes report redis down")
    measured("redis kill -9: health says down (s)", time.monotonic() - killed)
    ready = b.get("/api/v1/health/ready")  # a degradation, not an outage: still ready, and says why
    assert ready.status_code == 200 and ready.json()["redis"] == "down"
    assert during.wait(60), "sends stopped being acknowledged while Redis was down"
    assert reader.received("sync:required") == []

    redis_server.restart()
    restarted = time.monotonic()
    notice = reader.wait_for("sync:required", timeout=10)
    measured("redis kill -9: sync:required after restart (s)", time.monotonic() - restarted)
    assert notice["reason"] == "redis_outage" and SyncRequired().validate(notice) == {}
    assert time.monotonic() - restarted < 3
    wait_until(lambda: redis_of(a, b) == {"ok"}, 10, "both processes report redis ok")
    measured("redis kill -9: health ok on both after restart (s)", time.monotonic() - restarted)
    check_recovery(two_processes, burst, notice, stored, measured, "kill -9")


def test_redis_hung_mid_burst_costs_sends_a_bounded_delay_and_clients_resync_after(
        two_processes, redis_server, stored, measured):
    a, b, buyer, _, conversation_id, reader = two_processes
    burst = Burst(a, buyer, conversation_id, senders=2, count=25)
    stop_now, during = burst.at(10), burst.at(25)
    burst.start()
    assert stop_now.wait(60)

    redis_server.pause()
    try:
        paused = time.monotonic()
        wait_until(lambda: redis_of(a, b) == {"down"}, 10, "both processes report redis down")
        measured("redis SIGSTOP: health says down (s)", time.monotonic() - paused)
        assert during.wait(30), "sends stopped being acknowledged while Redis hung"
    finally:
        redis_server.resume()
    resumed = time.monotonic()
    notice = reader.wait_for("sync:required", timeout=10)
    measured("redis SIGSTOP: sync:required after SIGCONT (s)", time.monotonic() - resumed)
    wait_until(lambda: redis_of(a, b) == {"ok"}, 10, "both processes report redis ok")
    measured("redis SIGSTOP: health ok on both after SIGCONT (s)", time.monotonic() - resumed)
    check_recovery(two_processes, burst, notice, stored, measured, "SIGSTOP")


def test_the_subscription_is_retried_every_two_seconds_at_most_however_long_redis_stays_away(
        servers, redis_server, measured):
    (server,) = servers(1, REDIS_URL=redis_server.url)
    wait_until(lambda: redis_of(server) == {"ok"}, 10, "subscribed")
    redis_server.kill()
    # Redis's port, now ours: every connection to it is the listener trying again. Refused at once.
    with socket.socket() as port:
        port.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        port.bind(("127.0.0.1", redis_server.port))
        port.listen(8)
        attempts = []
        while len(attempts) < 6:  # python-socketio's own back-off (1, 2, 4, 8 s) takes 15 s for 4
            port.settimeout(max(0.1, 12 - (attempts[-1] - attempts[0] if attempts else 0)))
            conn, _ = port.accept()
            attempts.append(time.monotonic())
            conn.close()
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:])]
    measured("redis down: longest gap between subscription attempts (s)", max(gaps))
    assert max(gaps) < 2.8, gaps
    assert redis_of(server) == {"down"}
