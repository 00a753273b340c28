"""Telling every client to resync after a write whose outcome the database never confirmed.

A write that was sent and then lost its answer (the database killed or hung mid-write, or the
operation timeout passing while it committed) may be stored without its event ever being
published, and a client's sequence number then passes over it: the sender's retry with the same
clientMessageId gets the original back, announced to nobody. So after such a failure, once the
database answers again, every socket of every process gets `sync:required` (docs/sync.md), at
most once per QUIET_S.
"""
import logging
import time

from pymongo import monitoring

from . import outages, realtime

log = logging.getLogger(__name__)
WRITES = frozenset({"insert", "update", "delete", "findAndModify"})
REASON = "database_outage"
QUIET_S = 10


class UnknownWrites(monitoring.CommandListener):
    """Notice writes that failed without an answer; tell everyone to resync once one succeeds."""

    def __init__(self, app):
        self.app = app
        self.first_failure = None
        self.quiet_until = 0.0

    def started(self, event):
        pass

    def failed(self, event):
        # pymongo reports an error of its own (network, timeout) with `errtype`; the server's
        # answers (a duplicate key, a refused write) carry its reply instead: their outcome is known.
        if event.command_name in WRITES and "errtype" in (event.failure or {}) and self.first_failure is None:
            self.first_failure = time.time()

    def succeeded(self, event):
        if self.first_failure is None or time.monotonic() < self.quiet_until:
            return
        first, self.first_failure = self.first_failure, None
        self.quiet_until = time.monotonic() + QUIET_S
        notice = outages.sync_notice(REASON, first, outages.since_margin(self.app.config))
        log.info("clients told to resync after writes of unknown outcome", extra={"fields": notice})
        # Not from inside pymongo's callback: the emit may publish to Redis.
        self.app.extensions["socketio"].start_background_task(
            realtime.broadcast, self.app, outages.SYNC_REQUIRED, notice)
