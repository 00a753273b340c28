"""The Redis message queue: health reporting and graceful degradation."""
import logging

import pytest

from gharbazaar import queue

DEAD_REDIS = "redis://127.0.0.1:9/0"


@pytest.mark.redis
def test_health_reports_a_reachable_redis(make_app, redis_url):
    client = make_app(REDIS_URL=redis_url).test_client()
    assert client.get("/api/v1/health").get_json()["redis"] == "ok"
    assert client.get("/api/v1/health/ready").get_json()["redis"] == "ok"


def test_redis_down_is_reported_but_ready_stays_200(make_app):
    client = make_app(REDIS_URL=DEAD_REDIS).test_client()
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 200 and ready.get_json()["redis"] == "down"


def test_no_redis_configured_is_reported_as_off(client):
    assert client.get("/api/v1/health").get_json()["redis"] == "off"


def test_publishing_with_redis_down_logs_once_and_does_not_raise(caplog):
    manager = queue.ResilientRedisManager(DEAD_REDIS)
    with caplog.at_level(logging.INFO, logger="gharbazaar.queue"):
        for _ in range(3):
            assert manager._publish({"method": "emit", "event": "x"}) is None
    assert [r.getMessage() for r in caplog.records].count(
        "redis unavailable: other processes miss events until it returns") == 1
    assert manager.healthy is False


@pytest.mark.redis
def test_publishing_recovers_and_says_so(redis_url, caplog):
    manager = queue.ResilientRedisManager(redis_url)
    manager.healthy = False
    with caplog.at_level(logging.INFO, logger="gharbazaar.queue"):
        assert manager._publish({"method": "emit", "event": "x"}) is not None
    assert manager.healthy is True
    assert "redis available again" in [r.getMessage() for r in caplog.records]
