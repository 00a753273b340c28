"""A clock the test moves: installed as the tickets' clock, it never moves by itself."""
from datetime import datetime, timedelta, timezone

from gharbazaar.tickets import clock

START = datetime(2026, 12, 7, 4, 0, tzinfo=timezone.utc)  # a Monday, 09:30 in Asia/Kolkata


class TestClock:
    """Callable returning the current (test) instant; advance(seconds) moves it."""

    __test__ = False

    def __init__(self, start=START):
        self.at = start

    def __call__(self):
        return self.at

    def advance(self, seconds):
        self.at += timedelta(seconds=seconds)
        return self.at


def install(app, start=START):
    """Give the app's tickets a test clock; return it."""
    test_clock = TestClock(start)
    clock.install(app, test_clock)
    return test_clock
