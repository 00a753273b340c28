"""Group commit: callers of one database operation who arrive together share one round trip.

A connect storm (every client reconnecting after a deploy) runs the same few presence writes
and checks for thousands of sockets at once. Alone, a caller runs its batch of one at once,
exactly as before; callers that arrive while a batch is in flight wait for it to finish and
then go together as the next batch. Each caller still returns only after its own item was
written or read, so what it observes is unchanged.
"""
import threading

from flask import current_app


class _Slot:
    """One caller's item, and then its result (or the exception to raise in its place)."""

    def __init__(self, item):
        self.item = item
        self.leads = False
        self.result = None
        self.done = None  # an Event for callers who wait; one who leads at once never does

    def settle(self, result):
        self.result = result
        if self.done is not None:
            self.done.set()


class Coalescer:
    """Call `run(items) -> results` (one per item, an Exception for an item that failed) in batches."""

    def __init__(self, run):
        self._run = run
        self._lock = threading.Lock()
        self._waiting = []
        self._busy = False

    def __call__(self, item):
        slot = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            slot.leads, self._busy = not self._busy, True
            if not slot.leads:
                slot.done = threading.Event()
        if not slot.leads:
            slot.done.wait()  # until our batch has run, or we are to run the next one
        if slot.leads:
            self._lead()
        if isinstance(slot.result, BaseException):
            raise _for_caller(slot.result)
        return slot.result

    def _lead(self):
        with self._lock:
            batch, self._waiting = self._waiting, []
        results = [RuntimeError("the batch was interrupted before it ran")] * len(batch)
        try:
            results = list(self._run([slot.item for slot in batch]))
            if len(results) != len(batch):  # a caller left without a result would wait forever
                raise RuntimeError(f"a batch of {len(batch)} returned {len(results)} results")
        except Exception as exc:  # every caller of the batch fails, as it would have alone
            results = [exc] * len(batch)
        finally:
            self._hand_over()
            for slot, result in zip(batch, results):
                slot.settle(result)

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


def coalesced(name, run):
    """Return the current app's Coalescer for `name` (one per app: each has its own database)."""
    batches = current_app.extensions.setdefault("gharbazaar.batches", {})
    return batches.get(name) or batches.setdefault(name, Coalescer(run))
