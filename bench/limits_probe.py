#!/usr/bin/env python3
"""CPU per rate-limit hit of the in-process store, library's against ours: `python bench/limits_probe.py`.

Under eventlet (as the server runs), hits at ~600/s for a few seconds, on a store already
holding 100 and 15,000 users' counters; reports the whole process's CPU per hit, so the
sweeps the store schedules (green threads, and their walks over every counter) are counted.
The ~20 us the loop's own sleeps cost is in both columns. On demand, not in CI.
"""
import eventlet

eventlet.monkey_patch()

import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from limits import parse  # noqa: E402
from limits.storage import MemoryStorage  # noqa: E402
from limits.strategies import FixedWindowRateLimiter  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gharbazaar.throttle import SweptMemoryStorage  # noqa: E402


def cpu_s():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def per_hit_us(store, users, seconds=3.0):
    """Return the process CPU per hit (us) for hits spread over `seconds` across `users` counters."""
    limiter, limit = FixedWindowRateLimiter(store), parse("1000000/minute")
    for user in range(users):
        limiter.hit(limit, "RATE_LIMIT_MESSAGES", f"u{user}")
    eventlet.sleep(0.05)
    start_cpu, start, hits = cpu_s(), time.monotonic(), 0
    while time.monotonic() - start < seconds:
        for _ in range(5):
            limiter.hit(limit, "RATE_LIMIT_MESSAGES", f"u{hits % users}")
            hits += 1
        eventlet.sleep(0.008)
    return (cpu_s() - start_cpu) / hits * 1e6


def main():
    print("| counters held | limits' MemoryStorage (us CPU / hit) | SweptMemoryStorage (us CPU / hit) |")
    print("|---|---|---|")
    for users in (100, 15000):
        library = [per_hit_us(MemoryStorage(), users) for _ in range(2)]
        ours = [per_hit_us(SweptMemoryStorage(), users) for _ in range(2)]
        cells = [" / ".join(f"{v:.1f}" for v in runs) for runs in (library, ours)]
        print(f"| {users:,} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
