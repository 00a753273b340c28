"""Group commit (gharbazaar/batch.py): callers who arrive together share one run, each gets its own answer."""
import threading
import traceback

import pytest
from pymongo.errors import ExecutionTimeout

from gharbazaar.batch import Coalescer


class Recorder:
    """A batch function that records its batches and can hold one in flight."""

    def __init__(self):
        self.batches = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, items):
        self.batches.append(list(items))
        self.entered.set()
        self.release.wait(10)
        return [ValueError(item) if item.startswith("bad") else item.upper() for item in items]


class Arrivals(list):
    """The coalescer's waiting list, counting callers as they join it."""

    def __init__(self):
        super().__init__()
        self.joined = threading.Semaphore(0)

    def append(self, slot):
        super().append(slot)
        self.joined.release()


def hold_first_batch(coalescer, run, answers):
    """Start a caller whose batch stays in flight; return its thread and the list later callers join."""
    run.release.clear()
    thread = call_in_thread(coalescer, "first", answers)
    assert run.entered.wait(10)
    coalescer._waiting = arrivals = Arrivals()  # the leader has taken its batch: callers now queue here
    return thread, arrivals


def join_all(arrivals, count, run, threads):
    """Once `count` callers are queued, let the held batch finish and wait for every caller."""
    for _ in range(count):
        assert arrivals.joined.acquire(timeout=10)
    run.release.set()
    for thread in threads:
        thread.join(10)


def call_in_thread(coalescer, item, answers):
    """Call the coalescer from a new thread; its answer (or exception) lands in answers[item]."""
    def call():
        try:
            answers[item] = coalescer(item)
        except Exception as exc:  # recorded for the assertions
            answers[item] = exc
    thread = threading.Thread(target=call)
    thread.start()
    return thread


def test_a_caller_alone_runs_its_own_batch_at_once():
    run = Recorder()
    coalescer = Coalescer(run)
    assert coalescer("a") == "A" and coalescer("b") == "B"
    assert run.batches == [["a"], ["b"]]


def test_callers_arriving_during_a_batch_go_together_in_the_next():
    run, answers = Recorder(), {}
    coalescer = Coalescer(run)
    first, arrivals = hold_first_batch(coalescer, run, answers)
    later = [call_in_thread(coalescer, item, answers) for item in ("b", "c", "d")]
    join_all(arrivals, 3, run, [first, *later])
    assert run.batches[0] == ["first"] and sorted(run.batches[1]) == ["b", "c", "d"] and len(run.batches) == 2
    assert answers == {"first": "FIRST", "b": "B", "c": "C", "d": "D"}


def test_a_batch_takes_at_most_its_limit_and_the_rest_go_next_in_arrival_order():
    run, answers = Recorder(), {}
    coalescer = Coalescer(run, max_batch=3)
    first, arrivals = hold_first_batch(coalescer, run, answers)
    items = [f"item-{n}" for n in range(7)]
    later = [call_in_thread(coalescer, item, answers) for item in items]
    join_all(arrivals, len(items), run, [first, *later])
    queued = [slot.item for slot in arrivals]
    assert run.batches == [["first"], queued[:3], queued[3:6], queued[6:]]
    assert answers == {"first": "FIRST", **{item: item.upper() for item in items}}


def test_callers_queued_longer_than_the_database_wait_get_a_timeout_and_nothing_is_written():
    now = [100.0]
    run, answers = Recorder(), {}
    coalescer = Coalescer(run, max_wait_s=2.0, clock=lambda: now[0])
    first, arrivals = hold_first_batch(coalescer, run, answers)
    early = [call_in_thread(coalescer, item, answers) for item in ("early-1", "early-2")]
    for _ in early:
        assert arrivals.joined.acquire(timeout=10)
    now[0] += 1.5  # these two have queued 1.5 s when the next arrives
    late = call_in_thread(coalescer, "late", answers)
    assert arrivals.joined.acquire(timeout=10)
    now[0] += 1.0  # the first two have now queued 2.5 s, over the wait; the last 1.0 s
    join_all(arrivals, 0, run, [first, *early, late])
    assert run.batches == [["first"], ["late"]]  # the expired were never handed to the batch function
    for item in ("early-1", "early-2"):
        assert isinstance(answers[item], ExecutionTimeout) and answers[item].timeout  # a 503 in errors.py
    assert answers["first"] == "FIRST" and answers["late"] == "LATE"
    assert coalescer("after") == "AFTER"


def test_a_failed_item_fails_its_own_caller_only():
    run, answers = Recorder(), {}
    coalescer = Coalescer(run)
    first, arrivals = hold_first_batch(coalescer, run, answers)
    later = [call_in_thread(coalescer, item, answers) for item in ("bad-1", "good")]
    join_all(arrivals, 2, run, [first, *later])
    assert isinstance(answers["bad-1"], ValueError) and answers["good"] == "GOOD"


def test_a_failed_batch_fails_each_of_its_callers_and_the_next_batch_still_runs():
    def broken(items):
        raise ConnectionError("database down")

    coalescer = Coalescer(broken)
    with pytest.raises(ConnectionError):
        coalescer("a")
    coalescer._run = lambda items: [item * 2 for item in items]
    assert coalescer("b") == "bb"


def test_many_callers_over_many_batches_each_get_their_own_answer():
    # Solo leaders carry no Event, waiters do: a hand-over to a caller without one would hang here.
    batches = []

    def run(items):
        batches.append(len(items))
        return [item * 2 for item in items]

    coalescer, answers, start = Coalescer(run), {}, threading.Barrier(8)

    def caller(n):
        start.wait(10)
        for i in range(50):
            answers[n, i] = coalescer(n * 1000 + i)
    threads = [threading.Thread(target=caller, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    assert answers == {(n, i): 2 * (n * 1000 + i) for n in range(8) for i in range(50)}
    assert sum(batches) == 400


def test_callers_of_a_failed_batch_each_raise_their_own_exception_with_their_own_traceback():
    class Down(Exception):
        def __init__(self, message, code):
            super().__init__(message)
            self.code = code

    failure = Down("database down", 91)

    class Failing(Recorder):
        def __call__(self, items):
            super().__call__(items)
            raise failure

    run, answers = Failing(), {}
    coalescer = Coalescer(run)
    first, arrivals = hold_first_batch(coalescer, run, answers)
    later = [call_in_thread(coalescer, f"caller-{n}", answers) for n in range(20)]
    join_all(arrivals, 20, run, [first, *later])
    raised = list(answers.values())
    assert all(type(exc) is Down and exc.code == 91 and str(exc) == "database down" for exc in raised)
    assert len({id(exc) for exc in raised}) == 21  # one object per caller, none shared
    depth = [len(traceback.extract_tb(exc.__traceback__)) for exc in raised]
    assert max(depth) <= min(depth) + 2, depth  # no caller's stack carries the others'


def test_a_batch_that_answers_too_few_results_fails_its_callers_instead_of_leaving_them_waiting():
    coalescer = Coalescer(lambda items: [])
    with pytest.raises(RuntimeError, match="returned 0 results"):
        coalescer("a")
    coalescer._run = lambda items: [item * 2 for item in items]
    assert coalescer("b") == "bb"


def test_a_coalescer_lingers_only_while_its_callers_arrive_together():
    run, answers, slept, during, threads = Recorder(), {}, [], [], []

    def sleep(seconds):  # stands for the linger; `during` says who arrives meanwhile
        slept.append(seconds)
        if during:
            during.pop(0)()

    coalescer = Coalescer(run, linger_s=0.05, sleep=sleep)
    assert coalescer("alone") == "ALONE" and slept == []  # nobody has arrived together: no wait
    first, arrivals = hold_first_batch(coalescer, run, answers)
    later = [call_in_thread(coalescer, item, answers) for item in ("b", "c")]
    join_all(arrivals, 2, run, [first, *later])
    assert sorted(run.batches[-1]) == ["b", "c"] and slept == []  # together, behind one in flight

    coalescer._waiting = arrivals = Arrivals()

    def two_arrive():
        threads.extend(call_in_thread(coalescer, item, answers) for item in ("e", "f"))
        for _ in range(3):  # the leader's own arrival, then the two
            assert arrivals.joined.acquire(timeout=10)

    during.append(two_arrive)
    answers["d"] = coalescer("d")
    for thread in threads:
        thread.join(10)
    assert slept == [0.05] and sorted(run.batches[-1]) == ["d", "e", "f"]
    assert answers == {"first": "FIRST", "b": "B", "c": "C", "d": "D", "e": "E", "f": "F"}
    assert coalescer("g") == "G" and slept == [0.05, 0.05]  # still together: waits, nobody comes
    assert coalescer("h") == "H" and slept == [0.05, 0.05]  # its batch held one: no wait again
