"""Group commit: callers of one database operation who arrive together share one round trip.

A connect storm (every client reconnecting after a deploy) runs the same few presence writes
and checks for thousands of sockets at once. Alone, a caller runs its batch of one at once,
exactly as before; callers that arrive while a batch is in flight wait for it to finish and
then go together as the next batch. Each caller still returns only after its own item was
written or read, so what it observes is unchanged.

A Coalescer may also linger: while its callers arrive together (its last batch held more than
one), a leader waits `linger_s` before taking its batch, so that a frequent write that nobody
waits on closely (presence heartbeats) is shared even when none is in flight. A caller alone,
or one socket sending as fast as it can (its events run one at a time, so never two in a
batch), never waits: that socket's rate limit sees its events at their own pace.

A batch takes at most MAX_BATCH callers, in arrival order; the rest go in the next. Unbounded,
a saturated database let batches grow to 800 sends, whose writes outlasted the bounded database
wait, and every caller of such a batch failed (the marketplace day, docs/performance.md). A
caller that has queued longer than the database wait (MONGODB_TIMEOUT_MS) is not written late:
it gets the timeout it would have met waiting on the database itself (a 503), and nothing of
its item is written.
"""
import threading
import time

from flask import current_app
from pymongo.errors import ExecutionTimeout

# Callers per batch: enough that a busy moment costs a few round trips per hundred operations,
# few enough that one batch's writes stay well inside the database wait (MONGODB_TIMEOUT_MS).
MAX_BATCH = 100


class _Slot:
    """One caller's item, and then its result (or the exception to raise in its place)."""

    def __init__(self, item, arrived):
        self.item = item
        self.arrived = arrived
        self.leads = False
        self.result = None
        self.done = None  # an Event for callers who wait; one who leads at once never does

    def settle(self, result):
        self.result = result
        if self.done is not None:
            self.done.set()


class Coalescer:
    """Call `run(items) -> results` (one per item, an Exception for an item that failed) in batches."""

    def __init__(self, run, max_batch=MAX_BATCH, max_wait_s=None, clock=time.monotonic,
                 linger_s=0, sleep=time.sleep):
        self._run = run
        self._linger_s = linger_s
        self._sleep = sleep  # eventlet's once wsgi.py has patched the standard library
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting = []
        self._busy = False
        self._crowded = False  # the last batch held more than one caller

    def __call__(self, item):
        slot = _Slot(item, self._clock())
        with self._lock:
            self._waiting.append(slot)
            slot.leads, self._busy = not self._busy, True
            if not slot.leads:
                slot.done = threading.Event()
        if not slot.leads:
            slot.done.wait()  # until our batch has run, or we are to run the next one
        if slot.leads:
            if self._linger_s and self._crowded:
                self._sleep(self._linger_s)  # callers arriving meanwhile join this batch
            self._lead()
        if isinstance(slot.result, BaseException):
            raise _for_caller(slot.result)
        return slot.result

    def _lead(self):
        with self._lock:  # the leader is first in line, so always in the batch it runs
            batch, self._waiting = self._waiting[:self._max_batch], self._waiting[self._max_batch:]
            self._crowded = len(batch) > 1
        batch = self._expire(batch)
        results = [RuntimeError("the batch was interrupted before it ran")] * len(batch)
        try:
            if batch:
                results = list(self._run([slot.item for slot in batch]))
            if len(results) != len(batch):  # a caller left without a result would wait forever
                raise RuntimeError(f"a batch of {len(batch)} returned {len(results)} results")
        except Exception as exc:  # every caller of the batch fails, as it would have alone
            results = [exc] * len(batch)
        finally:
            self._hand_over()
            for slot, result in zip(batch, results):
                slot.settle(result)

    def _expire(self, batch):
        """Settle the callers who queued longer than the database wait; return the others."""
        if self._max_wait_s is None:
            return batch
        now, kept = self._clock(), []
        for slot in batch:
            if now - slot.arrived > self._max_wait_s:
                slot.settle(ExecutionTimeout(f"queued {now - slot.arrived:.1f} s for a database batch", 50))
            else:
                kept.append(slot)
        return kept

    def _hand_over(self):
        """Let the first caller who arrived meanwhile run the next batch, or stand down."""
        with self._lock:
            if self._waiting:
                self._waiting[0].leads = True
                self._waiting[0].done.set()
            else:
                self._busy = False


def _for_caller(exc):
    """Return the exception one caller raises: its own copy. Raising one shared object in every
    caller chains each caller's traceback onto it: a failed batch of 100 sends logged a stack of
    hundreds of frames per caller, formatted a hundred times over, while the database was down."""
    try:  # built without __init__, whose arguments need not be the exception's args
        own = type(exc).__new__(type(exc), *exc.args)
        own.args = exc.args
        own.__dict__.update(vars(exc))
    except Exception:  # an exception without a __dict__ is raised as it is
        return exc
    own.__cause__, own.__suppress_context__ = exc.__cause__, exc.__suppress_context__
    return own


def alone(fn, *args):
    """Run one caller's item by itself inside a batch: its result, or the exception it raised as
    its result (that caller fails alone; the rest of the batch stands)."""
    try:
        return fn(*args)
    except Exception as exc:
        return exc


def coalesced(name, run, linger_s=0):
    """Return the current app's Coalescer for `name` (one per app: each has its own database)."""
    batches = current_app.extensions.setdefault("gharbazaar.batches", {})
    found = batches.get(name)
    if found is None:
        wait_s = current_app.config["MONGODB_TIMEOUT_MS"] / 1000
        found = batches.setdefault(name, Coalescer(run, max_wait_s=wait_s, linger_s=linger_s))
    return found
