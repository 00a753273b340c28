"""Resilience of one real server process: database outage, oversized packets, Redis, SIGTERM."""
import signal
import time
import uuid

import pytest

from gharbazaar.runtime import embedded_db
from tests.support import TEST_SECRET, Recorder, ServerProcess, auth, free_port, make_token

pytestmark = pytest.mark.e2e


def wait_until(check, timeout, explain=lambda: ""):
    """Call check() (which itself blocks briefly) until it is true; fail after timeout, saying
    what explain() returns (the state of the processes involved)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
    raise AssertionError(f"condition not met within {timeout}s; {explain()}")


@pytest.fixture
def servers():
    started = []

    def start(**env):
        base = {"APP_ENV": "test", "JWT_SECRET": TEST_SECRET, "MONGODB_DB": f"gbres_{uuid.uuid4().hex[:8]}"}
        server = ServerProcess({**base, **env})
        started.append(server)
        return server.wait_listening()

    yield start
    for server in started:
        server.stop()


def test_database_outage_is_503_and_unavailable_then_heals_by_itself(servers, tmp_path):
    port = free_port()
    storage = str(tmp_path / "db")
    database, uri = embedded_db.start(storage, port=port)
    try:
        server = servers(MONGODB_URI=uri, MONGODB_TIMEOUT_MS=400)
        token = make_token("resilient")
        client = Recorder(server.url, token)
        assert client.connect()
        assert client.emit("presence:heartbeat", {})["success"] is True

        embedded_db.stop(database)
        assert server.get("/api/v1/health/ready").status_code == 503
        listing = server.get("/api/v1/chat/conversations", headers=auth(token))
        assert listing.status_code == 503 and listing.json()["code"] == "unavailable"
        refused = client.emit("send_message", {"conversationId": "0" * 24, "content": "lost?"})
        assert refused["code"] == "unavailable"
        health = server.get("/api/v1/health")
        assert health.status_code == 200 and health.json()["database"] == "down"
        ack = client.emit("presence:heartbeat", {})
        assert ack["code"] == "unavailable"
        assert client.wait_for("error", timeout=5)["code"] == "unavailable"
        assert client.client.connected

        database, _ = embedded_db.start(storage, port=port)
        wait_until(lambda: server.get("/api/v1/health/ready").status_code == 200, timeout=20,
                   explain=lambda: f"database exit code {database.poll()}; server log:\n"
                                   f"{server.output()[-4000:]}")
        assert client.emit("presence:heartbeat", {})["success"] is True
        assert server.get("/api/v1/chat/conversations", headers=auth(token)).status_code == 200
        client.close()
    finally:
        embedded_db.stop(database)


def test_an_oversized_packet_closes_only_that_connection(servers, mongo_uri):
    server = servers(MONGODB_URI=mongo_uri, SOCKETIO_MAX_PAYLOAD_BYTES=10_000)
    flooder, bystander = Recorder(server.url, make_token("big")), Recorder(server.url, make_token("calm"))
    assert flooder.connect() and bystander.connect()
    flooder.emit("presence:heartbeat", {"junk": "x" * 50_000}, ack=False)
    flooder.wait_for("__disconnect__", timeout=10)
    assert bystander.emit("presence:heartbeat", {})["success"] is True
    bystander.close()


@pytest.mark.redis
def test_sigterm_is_quick_with_the_redis_queue(servers, mongo_uri, redis_url):
    server = servers(MONGODB_URI=mongo_uri, REDIS_URL=redis_url)
    client = Recorder(server.url, make_token("queued"))
    assert client.connect()
    assert server.get("/api/v1/health").json()["redis"] == "ok"
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    client.wait_for("server:shutdown", timeout=5)
    assert server.wait_exit(10) == 0
    assert time.monotonic() - started < 5
    client.close()


def test_redis_down_at_start_still_serves_own_clients(servers, mongo_uri):
    server = servers(MONGODB_URI=mongo_uri, REDIS_URL="redis://127.0.0.1:9/0")
    client = Recorder(server.url, make_token("alone"))
    assert client.connect()
    assert client.emit("presence:heartbeat", {})["success"] is True
    assert server.get("/api/v1/health/ready").json()["redis"] == "down"
    client.close()
    assert server.output().count("redis unavailable") <= 1


def test_a_flooding_socket_is_cut_off_while_others_are_served(servers, mongo_uri):
    server = servers(MONGODB_URI=mongo_uri, RATE_LIMIT_SOCKET_EVENTS="20 per second",
                     RATE_LIMIT_SOCKET_FLOOD="50 per 10 seconds")
    flooder, bystander = Recorder(server.url, make_token("flood")), Recorder(server.url, make_token("calm"))
    assert flooder.connect() and bystander.connect()
    for _ in range(300):
        flooder.emit("presence:heartbeat", {}, ack=False)
    cut = flooder.wait_for("error", timeout=10,
                           where=lambda e: e["message"] == "Disconnected: too many events.")
    assert cut["code"] == "rate_limited"
    flooder.wait_for("__disconnect__", timeout=10)
    assert bystander.emit("presence:heartbeat", {})["success"] is True
    bystander.close()
