"""The Redis message queue: health from the manager's real state, graceful degradation, recovery."""
import json
import logging
import shutil
import threading
import time
import uuid

import pytest
import redis

from gharbazaar import realtime, redis_client, redis_queue
from tests.faults.procs import RedisServer, wait_until

DEAD_REDIS = "redis://127.0.0.1:9/0"


def channel():
    return f"gbqueue-{uuid.uuid4().hex[:8]}"


@pytest.mark.redis
def test_health_reports_ok_once_this_process_is_subscribed(make_app, redis_url):
    client = make_app(REDIS_URL=redis_url, REDIS_CHANNEL=channel()).test_client()
    wait_until(lambda: client.get("/api/v1/health").get_json()["redis"] == "ok", 10, "subscribed")
    assert client.get("/api/v1/health/ready").get_json()["redis"] == "ok"


def test_redis_down_is_reported_but_ready_stays_200(make_app):
    client = make_app(REDIS_URL=DEAD_REDIS, REDIS_TIMEOUT_MS=200).test_client()
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 200 and ready.get_json()["redis"] == "down"


def test_no_redis_configured_is_reported_as_off(client):
    assert client.get("/api/v1/health").get_json()["redis"] == "off"


def test_health_opens_no_redis_connection_per_request(make_app, tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path).start()
    try:
        client = make_app(REDIS_URL=server.url, REDIS_CHANNEL=channel()).test_client()
        wait_until(lambda: client.get("/api/v1/health").get_json()["redis"] == "ok", 10, "subscribed")
        probe = redis.Redis.from_url(server.url)
        before = probe.info("stats")["total_connections_received"]
        for _ in range(50):
            client.get("/api/v1/health")
            client.get("/api/v1/health/ready")
        assert probe.info("stats")["total_connections_received"] - before <= 2  # a publisher at most
        probe.close()
    finally:
        server.stop()


def test_publishing_with_redis_down_logs_once_and_stops_waiting_on_it(caplog):
    manager = redis_queue.ResilientRedisManager(DEAD_REDIS)
    with caplog.at_level(logging.INFO, logger="gharbazaar.redis_queue"):
        for _ in range(3):
            assert manager._publish({"method": "emit", "event": "x"}) is None
    assert [r.getMessage() for r in caplog.records].count(
        "redis unavailable: other processes miss events until it returns") == 1
    assert manager.healthy is False and manager.status() == "down"
    assert manager.connected is False and manager.retry_publish_at > 0  # the next ones skip Redis


@pytest.mark.redis
def test_publishing_again_tells_the_other_processes_to_resync(redis_url, caplog):
    name = channel()
    watcher = redis.Redis.from_url(redis_url).pubsub()
    watcher.subscribe(name)
    assert watcher.get_message(timeout=5)["type"] == "subscribe"
    manager = redis_queue.ResilientRedisManager(redis_url, name, namespaces=("/", "/chat"))
    manager.listening, manager.healthy, manager.failed_at, manager.outage = True, False, 1_800_000_000.0, True
    with caplog.at_level(logging.INFO, logger="gharbazaar.redis_queue"):
        assert manager._publish({"method": "emit", "event": "x", "data": [{}]}) is not None
    assert manager.healthy is True and manager.status() == "ok"
    assert "redis available again" in [r.getMessage() for r in caplog.records]
    published = [json.loads(watcher.get_message(timeout=5)["data"]) for _ in range(3)]
    watcher.close()
    notice = published[1]
    assert (notice["event"], notice["namespaces"], notice["room"]) == ("sync:required", ["/", "/chat"], None)
    assert notice["data"] == [{"reason": "redis_outage", "since": "2027-01-15T07:59:50.000Z"}]
    forget = published[2]  # what this process changed meanwhile never reached the others' caches
    assert (forget["event"], forget["namespace"], forget["data"]) == (
        redis_queue.NOTICE, redis_queue.NOTICE_NAMESPACE, [None])
    assert forget["namespace"] not in realtime.NAMESPACES, "an older process's listener delivers it to nobody"


def recorder(app, topics):
    """Return the list of topics whose notices ran on app, in order."""
    seen = []
    for topic in topics:
        realtime.on_notice(app, topic, lambda _app, topic=topic: seen.append(topic))
    return seen


@pytest.mark.redis
def test_a_notice_runs_its_handlers_here_at_once_and_on_every_other_process(make_app, redis_url):
    name = channel()
    here, there = (make_app(REDIS_URL=redis_url, REDIS_CHANNEL=name) for _ in range(2))
    for app in (here, there):
        wait_until(lambda app=app: redis_queue.redis_status(app) == "ok", 10, "subscribed")
    seen_here, seen_there = recorder(here, ["blocks", "other"]), recorder(there, ["blocks", "other"])
    with here.app_context():
        realtime.notify("blocks")
    assert seen_here == ["blocks"], "this process forgets before the change is answered"
    wait_until(lambda: seen_there, 10, "the other process noticed")
    assert seen_there == ["blocks"] and seen_here == ["blocks"], "once each, only the topic's handlers"


def test_a_notice_without_redis_runs_this_process_handlers(app):
    seen = recorder(app, ["blocks"])
    with app.app_context():
        realtime.notify("blocks")
    assert seen == ["blocks"]


@pytest.mark.redis
def test_subscribed_again_after_an_outage_every_handler_runs(make_app, redis_url):
    app = make_app(REDIS_URL=redis_url, REDIS_CHANNEL=channel())
    seen = recorder(app, ["blocks", "other"])
    manager = app.extensions["socketio"].server.manager
    manager._tell_own_sockets(1_800_000_000.0)  # what the listener does once Redis answers again
    assert sorted(seen) == ["blocks", "other"], "notices published meanwhile may have been missed"


def test_a_failing_notice_handler_does_not_end_the_listener(caplog):
    manager = redis_queue.ResilientRedisManager(DEAD_REDIS)
    manager.on_notice = lambda topic: 1 / 0
    with caplog.at_level(logging.ERROR, logger="gharbazaar.redis_queue"):
        manager._handle_emit({"method": "emit", "event": redis_queue.NOTICE, "data": ["t"],
                              "namespace": redis_queue.NOTICE_NAMESPACE, "namespaces": []})
    assert [r.getMessage() for r in caplog.records] == ["notice handler failed"]


@pytest.mark.redis
def test_a_burst_of_publishes_beyond_the_pool_waits_its_turn_instead_of_failing(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path).start()
    try:
        manager = redis_queue.ResilientRedisManager(
            server.url, channel(), options=redis_client.redis_options({"REDIS_TIMEOUT_MS": 10_000}))
        assert manager._publish({"method": "emit", "event": "x"}) is not None  # connected
        pool = manager.redis.connection_pool
        server.pause()  # every publish now holds its connection until Redis answers
        results = []

        def publish():
            results.append(manager._publish({"method": "emit", "event": "x"}))
        burst = [threading.Thread(target=publish)
                 for _ in range(redis_client.PUBLISH_CONNECTIONS + 60)]  # beyond redis-py's default of 100
        for thread in burst:
            thread.start()
        wait_until(lambda: len(pool._connections) == redis_client.PUBLISH_CONNECTIONS and pool.pool.empty(),
                   10, "every connection in use")
        assert results == [], "nobody has failed while waiting"
        server.resume()
        for thread in burst:
            thread.join(timeout=30)
        assert len(results) == len(burst) and None not in results
        assert manager.healthy is True, "no outage was declared"
    finally:
        server.stop()


@pytest.mark.redis
def test_publishes_waiting_for_a_connection_give_up_once_an_outage_is_declared(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path).start()
    timeout_s = 1.5
    try:
        manager = redis_queue.ResilientRedisManager(
            server.url, channel(), options=redis_client.redis_options({"REDIS_TIMEOUT_MS": timeout_s * 1000}))
        assert manager._publish({"method": "emit", "event": "x"}) is not None
        pool = manager.redis.connection_pool
        server.pause()  # hung: the publishes holding a connection time out, the others wait for one
        done = []

        def publish():
            manager._publish({"method": "emit", "event": "x"})
            done.append(time.monotonic())
        burst = [threading.Thread(target=publish) for _ in range(redis_client.PUBLISH_CONNECTIONS + 10)]
        started = time.monotonic()
        for thread in burst:
            thread.start()
        wait_until(lambda: pool.pool.empty(), 10, "every connection in use")
        for thread in burst:
            thread.join(timeout=30)
        assert len(done) == len(burst) and manager.healthy is False
        # Without giving up, a waiter would get a connection when the first holders time out and
        # then wait out a second timeout on the hung Redis.
        assert max(done) - started < 1.6 * timeout_s, "a sender waited on a hung Redis twice"
    finally:
        server.resume()
        server.stop()
