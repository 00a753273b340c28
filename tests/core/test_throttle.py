"""The in-process rate-limit store (throttle.SweptMemoryStorage): the library's limits, swept each second."""
import time
import uuid

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from gharbazaar import throttle
from gharbazaar.errors import RateLimited


@pytest.fixture
def sweeps(monkeypatch):
    """Count the sweeps the library is asked to schedule."""
    asked = []
    original = MemoryStorage._MemoryStorage__schedule_expiry
    monkeypatch.setattr(MemoryStorage, "_MemoryStorage__schedule_expiry",
                        lambda self: (asked.append(1), original(self)))
    return asked


def test_the_library_still_has_the_scheduler_this_store_replaces():
    # An upgrade that renames it would silently bring back a sweep per hit: fail here instead.
    assert callable(getattr(MemoryStorage, "_MemoryStorage__schedule_expiry", None))
    assert callable(getattr(MemoryStorage, "_MemoryStorage__expire_events", None))


def test_the_library_asks_for_a_sweep_on_every_hit(sweeps):
    limiter, limit = FixedWindowRateLimiter(MemoryStorage()), parse("100/minute")
    for user in range(10):
        limiter.hit(limit, "RATE_LIMIT_MESSAGES", f"u{user}")
    assert len(sweeps) == 10, "the premise: without this store, every hit schedules a sweep"


def test_a_busy_second_schedules_one_sweep_and_the_next_second_one_more(sweeps):
    now = [1000.0]
    storage = throttle.SweptMemoryStorage(clock=lambda: now[0])
    limiter, limit = FixedWindowRateLimiter(storage), parse("100/minute")
    for user in range(500):
        limiter.hit(limit, "RATE_LIMIT_MESSAGES", f"u{user}")
    assert len(sweeps) == 1
    now[0] += throttle.SWEEP_S
    limiter.hit(limit, "RATE_LIMIT_MESSAGES", "u0")
    assert len(sweeps) == 2


def test_limits_are_enforced_and_an_expired_window_starts_again():
    storage = throttle.SweptMemoryStorage()
    limiter, limit = FixedWindowRateLimiter(storage), parse("2/minute")
    assert limiter.hit(limit, "k", "u") and limiter.hit(limit, "k", "u")
    assert not limiter.hit(limit, "k", "u"), "the third in the window is refused"
    assert limiter.hit(limit, "k", "other"), "each user has their own window"
    for key in storage.expirations:  # the window ends, without waiting a minute for it
        storage.expirations[key] = time.time() - 1
    assert limiter.hit(limit, "k", "u"), "an expired window is dropped when read"


def test_a_sweep_drops_the_expired_counters():
    storage = throttle.SweptMemoryStorage()
    limiter, limit = FixedWindowRateLimiter(storage), parse("5/minute")
    for user in range(3):
        limiter.hit(limit, "k", f"u{user}")
    expired = sorted(storage.expirations)[:2]
    for key in expired:
        storage.expirations[key] = time.time() - 1
    storage._MemoryStorage__expire_events()
    assert sorted(storage.storage) == sorted(set(storage.expirations)) and len(storage.storage) == 1


def test_the_app_and_its_rest_limiter_use_it_for_memory_and_redis_stays_redis(app):
    from gharbazaar.extensions import limiter
    with app.app_context():
        assert app.config["RATELIMIT_STORAGE_URI"] == "swept-memory://"
        assert isinstance(throttle._limiter(app).storage, throttle.SweptMemoryStorage)
        assert isinstance(limiter.storage, throttle.SweptMemoryStorage)
    assert throttle.storage_uri("redis://localhost:6379/0") == "redis://localhost:6379/0"


def test_a_refused_action_of_several_units_spends_none_of_them(make_app):
    # 3 MB left of 5: a 4 MB upload is refused, and a 1 MB one afterwards still fits.
    with make_app(RATE_LIMIT_UPLOAD_MB="5 per minute").app_context():
        throttle.hit(throttle.UPLOAD_MB, "mb", cost=2)
        with pytest.raises(RateLimited):
            throttle.hit(throttle.UPLOAD_MB, "mb", cost=4)
        throttle.hit(throttle.UPLOAD_MB, "mb", cost=3)
        with pytest.raises(RateLimited):
            throttle.hit(throttle.UPLOAD_MB, "mb", cost=1)


def test_while_the_shared_store_is_away_each_process_still_counts(make_app, caplog):
    app = make_app(RATE_LIMIT_MESSAGES="2 per minute", RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    with app.app_context():
        for _ in range(2):
            throttle.hit(throttle.MESSAGES, "away")
        with pytest.raises(RateLimited):
            throttle.hit(throttle.MESSAGES, "away")
        throttle.hit(throttle.MESSAGES, "someone else")
    assert "counting in this process meanwhile" in caplog.text


@pytest.mark.parametrize("left, told", [(0.2, 1), (1.0, 1), (1.01, 2), (59.5, 60)])
def test_retry_after_is_rounded_up_so_waiting_as_told_succeeds(left, told):
    assert RateLimited(retry_after=left).retry_after == told


def test_deployments_sharing_a_redis_keep_their_budgets_apart(make_app, redis_url):
    # flask-limiter's REST counters take the same prefix (RATELIMIT_KEY_PREFIX), read once per
    # process: one app per process in production, so it is checked here for the app's own limits.
    run = uuid.uuid4().hex
    apps = [make_app(RATE_LIMIT_MESSAGES="1 per minute", RATELIMIT_STORAGE_URI=redis_url,
                     REDIS_CHANNEL=f"{name}-{run}") for name in ("staging", "live")]
    for app in apps:  # the same user, one budget in each deployment
        with app.app_context():
            throttle.hit(throttle.MESSAGES, f"both-{run}")
        assert app.config["RATELIMIT_KEY_PREFIX"] == app.config["REDIS_CHANNEL"]
    with apps[0].app_context(), pytest.raises(RateLimited):
        throttle.hit(throttle.MESSAGES, f"both-{run}")
