"""Per-user action limits shared by REST and Socket.IO (and by processes, through Redis).

flask-limiter only sees HTTP requests; a message sent over a socket must count against
the same budget as one sent over REST, so services call `hit()` themselves. The storage
is the limiter's (`RATELIMIT_STORAGE_URI`): memory for one process, Redis for several.
"""
import logging
import time

from flask import current_app
from limits import parse as parse_limit
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from . import redis_client
from .errors import RateLimited

log = logging.getLogger(__name__)

MESSAGES = "RATE_LIMIT_MESSAGES"
CONVERSATIONS = "RATE_LIMIT_CONVERSATIONS"
UPLOADS = "RATE_LIMIT_UPLOADS"
UPLOAD_MB = "RATE_LIMIT_UPLOAD_MB"
TYPING = "RATE_LIMIT_TYPING"
JOINS = "RATE_LIMIT_JOINS"
JOINS_TEXT = "Too many rooms joined. Please slow down."
# After the store fails, actions are counted in the process alone for this long (it is down or hung),
# then the store is asked again.
STORE_RETRY_S = 5
# Said in Retry-After beyond the window's end: a store's reset is read in whole seconds.
RETRY_MARGIN_S = 0.5
# How often the in-process store drops its expired counters (reads drop an expired one anyway).
SWEEP_S = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' in-process storage, its expired counters swept once a second (`swept-memory://`).

    The library schedules a sweep of every counter 10 ms after any hit, in a new thread: under
    steady traffic that is a green thread a hundred times a second, each walking every user's
    counters (1 ms at 15,000 of them). A fixed window reads its counter's expiry on every hit, so
    a slower sweep only keeps memory a little longer. It replaces the library's name-mangled
    scheduler (tests/core/test_throttle.py fails loudly if an upgrade renames it).
    """

    STORAGE_SCHEME = ["swept-memory"]  # limits' registry: flask-limiter builds it from its URI

    def __init__(self, uri=None, clock=time.monotonic, **options):
        self._clock, self._next_sweep = clock, 0.0
        super().__init__(uri, **options)

    def _MemoryStorage__schedule_expiry(self):
        now = self._clock()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_S
            super()._MemoryStorage__schedule_expiry()


def storage_uri(configured):
    """Return the storage URI to use for a configured RATELIMIT_STORAGE_URI (memory is swept)."""
    return "swept-memory://" if configured == "memory://" else configured


def storage_options(config):
    """Return the rate-limit storage options (bounded waits when the storage is Redis)."""
    return redis_client.redis_options(config) if config["RATELIMIT_STORAGE_URI"].startswith("redis") else {}


def _limiter(app):
    state = app.extensions.setdefault("gharbazaar.throttle", {"parsed": {}})
    if "limiter" not in state:
        options = storage_options(app.config)
        storage = storage_from_string(storage_uri(app.config["RATELIMIT_STORAGE_URI"]), **options)
        state["limiter"] = FixedWindowRateLimiter(storage)
    return state["limiter"]


def hit(setting, key, message="Too many requests. Please slow down.", cost=1):
    """Count an action (cost units of it) against the configured limit; raise RateLimited when over it."""
    _apply(setting, key, message, lambda limiter, limit, name: _count(limiter, limit, name, key, cost))


def check(setting, key, message, cost=1):
    """Raise RateLimited when cost more units would go over the limit; count nothing (see spend)."""
    def test(limiter, limit, name):
        return None if limiter.test(limit, name, key, cost=cost) else _reset(limiter, limit, name, key)
    _apply(setting, key, message, test)


def spend(setting, key, cost=1):
    """Count cost units of an action already done, over the limit or not (check refused it before)."""
    _apply(setting, key, "", lambda limiter, limit, name: limiter.hit(limit, name, key, cost=cost) and None)


def _apply(setting, key, message, action):
    """Run action(limiter, limit, storage name) on the shared store, or in-process while it is away."""
    app = current_app._get_current_object()
    limiter = _limiter(app)
    state = app.extensions["gharbazaar.throttle"]
    # Parsed once per limit string (parsing is a regular expression and a lookup per hit).
    text = app.config[setting]
    limit = state["parsed"].get(text)
    if limit is None:
        limit = state["parsed"][text] = parse_limit(text)
    if time.monotonic() < state.get("store_down_until", 0):
        reset = action(_fallback(state), limit, setting)
    else:
        try:
            reset = action(limiter, limit, f"{app.config['REDIS_CHANNEL']}/{setting}")
        except Exception as exc:  # the limit store (Redis) being down must not stop the service
            state["store_down_until"] = time.monotonic() + STORE_RETRY_S
            log.warning("rate-limit storage unavailable; counting in this process meanwhile",
                        extra={"fields": {"error": type(exc).__name__}})
            reset = action(_fallback(state), limit, setting)
    if reset is not None:  # never said longer than the window itself
        wait = min(reset - time.time() + RETRY_MARGIN_S, limit.get_expiry())
        raise RateLimited(retry_after=wait, message=message)


def _count(limiter, limit, setting, key, cost):
    """Count the action; return None when allowed, else when its window resets (epoch seconds).

    An action costing more than one unit (an upload's megabytes) is refused without spending
    them: a fixed window counts a refused hit too, and one large refusal would use up the rest."""
    affordable = cost == 1 or limiter.test(limit, setting, key, cost=cost)
    if affordable and limiter.hit(limit, setting, key, cost=cost):
        return None
    return _reset(limiter, limit, setting, key)


def _reset(limiter, limit, setting, key):
    return limiter.get_window_stats(limit, setting, key)[0]


def _fallback(state):
    """Return the in-process limiter that counts while the shared store is away (per process)."""
    if "fallback" not in state:
        state["fallback"] = FixedWindowRateLimiter(SweptMemoryStorage())
    return state["fallback"]
