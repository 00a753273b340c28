"""How this backend talks to Redis: every wait bounded, and a publisher whose callers take turns.

redis-py's default pool fails a command beyond its 100 connections in use (MaxConnectionsError):
a burst of emits, such as a batch of 100 sends settling together, read as a Redis outage, which
dropped what a process published for seconds and had every socket resync (the two-process
marketplace day: 114 and 131 times per process in one run).
"""
import time
from queue import Empty, LifoQueue

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

# Connections the publisher opens at most; a burst beyond them waits its turn (within REDIS_TIMEOUT_MS).
PUBLISH_CONNECTIONS = 50


def redis_options(config):
    """Return redis-py options that bound every wait on Redis to REDIS_TIMEOUT_MS, without retries."""
    timeout = config["REDIS_TIMEOUT_MS"] / 1000
    return {"socket_connect_timeout": timeout, "socket_timeout": timeout, "retry": Retry(NoBackoff(), 0)}


class TurnTakingPool(redis.BlockingConnectionPool):
    """A pool whose callers wait for a free connection, but give up once they have waited half
    their time or the publisher declared Redis unavailable meanwhile: connections come back within
    milliseconds from a Redis that answers, and a hung one should cost a sender one wait, not two
    (a connection handed back by a timed-out publish reconnects, which would wait again)."""

    def __init__(self, *args, outages=lambda: 0, **kwargs):
        pool = self

        class Turns(LifoQueue):
            def get(self, block=True, timeout=None):
                before, since = outages(), time.monotonic()
                item = super().get(block, timeout)
                if outages() != before or time.monotonic() - since > pool.timeout / 2:
                    self.put_nowait(item)
                    raise Empty  # the pool answers "No connection available"
                return item

        super().__init__(*args, queue_class=Turns, **kwargs)


def publisher(url, options, timeout_s, outages):
    """Return a Redis client for publishing whose callers wait their turn for a connection."""
    pool = TurnTakingPool.from_url(url, max_connections=PUBLISH_CONNECTIONS, timeout=timeout_s,
                                   outages=outages, **options)
    return redis.Redis(connection_pool=pool)
