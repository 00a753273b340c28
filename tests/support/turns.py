"""A deterministic scheduler: worker threads take turns, one database command at a time.

Every command a worker sends first waits for the scheduler's go (a pymongo command listener
blocks in the worker's own thread), so exactly one worker runs between two commands and a
schedule (which worker goes next, at each step) fixes the interleaving completely.
"""
import sys
import threading
import traceback

from pymongo import MongoClient, monitoring

STEP_TIMEOUT_S = 20


class Gate(monitoring.CommandListener):
    """Hold each command of a worker thread until that worker is given its turn."""

    def __init__(self):
        self.local = threading.local()

    def started(self, event):
        worker = getattr(self.local, "worker", None)
        if worker is not None:
            worker.park(event.command)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def gated_client(app, gate):
    """Give the app a MongoClient whose commands pass through the gate (before its first use)."""
    app.extensions["mongo"]["client"] = MongoClient(app.config["MONGODB_URI"], tz_aware=True,
                                                    event_listeners=[gate])


class Worker:
    """One thread that runs `target` and stops before each database command until told to go."""

    def __init__(self, gate, target, name):
        self.name, self.error, self.done, self.steps, self.next = name, None, False, 0, None
        self._go, self._parked = threading.Semaphore(0), threading.Event()
        self._thread = threading.Thread(target=self._run, args=(gate, target), name=name, daemon=True)
        self._thread.start()

    def _run(self, gate, target):
        gate.local.worker = self
        self._go.acquire()
        try:
            target()
        except BaseException as exc:  # reported by run(): a worker's failure fails the test
            self.error = exc
        finally:
            self.done = True
            self._parked.set()

    def park(self, command):
        self.next = command
        self._parked.set()
        self._go.acquire()

    def step(self):
        """Let the worker send its pending command and run up to its next one (or its end)."""
        self._parked.clear()
        self._go.release()
        self.steps += 1
        if not self._parked.wait(STEP_TIMEOUT_S):
            stack = "".join(traceback.format_stack(sys._current_frames()[self._thread.ident]))
            raise AssertionError(f"{self.name} blocked outside the database (by a parked worker?)\n{stack}")

    def step_until(self, predicate):
        """Step until the command the worker is about to send satisfies predicate(command)."""
        while not self.done and not (self.next is not None and predicate(self.next)):
            self.step()


def run(workers, schedule=()):
    """Run the workers to their ends: each (pick, n) of the schedule moves one n steps, then round-robin."""
    steps = 0
    picks = [pick for pick, length in schedule for _ in range(length)]
    while live := [worker for worker in workers if not worker.done]:
        pick = picks[steps] if steps < len(picks) else steps
        live[pick % len(live)].step()
        steps += 1
    failed = [(worker.name, worker.error) for worker in workers if worker.error is not None]
    assert not failed, failed
    return steps
