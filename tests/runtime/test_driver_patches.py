"""The runtime's change to pymongo: an operation out of its own time leaves the server known."""
import pymongo
from pymongo.errors import AutoReconnect, ExecutionTimeout, NetworkTimeout

from gharbazaar.runtime import driver_patches
from tests.support import run_python

# In a child process, so that this process's pymongo stays as every other test finds it. A fresh
# client whose monitor has found the server runs one command whose timeoutMS has already passed:
# it must open a connection with no time left. It prints the error and what the client then says
# the server is.
LATE_OPERATION = """
import sys, threading, pymongo
from pymongo import monitoring
from gharbazaar.runtime import driver_patches
if sys.argv[2] == "patched":
    driver_patches.install()
found = threading.Event()
class Found(monitoring.ServerListener):
    def opened(self, event): pass
    def closed(self, event): pass
    def description_changed(self, event):
        if event.new_description.server_type_name != "Unknown":
            found.set()
client = pymongo.MongoClient(sys.argv[1], timeoutMS=5000, event_listeners=[Found()])
if not found.wait(20):
    raise SystemExit("the monitor never found the server")
def types():
    return sorted(sd.server_type_name for sd in client.topology_description.server_descriptions().values())
try:
    with pymongo.timeout(1e-9):
        client.admin.command("ping")
    print("answered", end=" ")
except pymongo.errors.PyMongoError as exc:
    print(type(exc).__name__, end=" ")
print(*types())
"""


def late_operation(mongo_uri, mode):
    return run_python(LATE_OPERATION, mongo_uri, mode).split()


def test_pymongo_itself_blames_the_server_for_an_operation_out_of_time(mongo_uri):
    # What the patch is for: if this fails, pymongo no longer does it and the patch can go.
    error, state = late_operation(mongo_uri, "plain")
    assert error == "NetworkTimeout"
    assert state == "Unknown"


def test_with_the_patch_the_operation_still_times_out_and_the_server_stays_known(mongo_uri):
    error, state = late_operation(mongo_uri, "patched")
    assert error == "NetworkTimeout"
    assert state != "Unknown"


def test_only_a_timeout_of_the_operations_own_deadline_counts(monkeypatch):
    left = {"s": None}  # the operation's time left, as pymongo's _csot.remaining() reports it
    monkeypatch.setattr(driver_patches._csot, "remaining", lambda: left["s"])
    assert not driver_patches.ran_out_of_its_own_time(NetworkTimeout("no deadline set"))
    left["s"] = 30.0
    assert not driver_patches.ran_out_of_its_own_time(NetworkTimeout("time was left"))
    assert driver_patches.ran_out_of_its_own_time(ExecutionTimeout("under one round trip", 50))
    left["s"] = -0.001
    assert driver_patches.ran_out_of_its_own_time(NetworkTimeout("out of time"))
    assert not driver_patches.ran_out_of_its_own_time(AutoReconnect("connection refused"))


def test_pymongo_reports_the_time_left_where_the_patch_reads_it():
    assert driver_patches._csot.remaining() is None
    with pymongo.timeout(30):
        assert 0 < driver_patches._csot.remaining() <= 30


def test_installing_twice_wraps_once_what_pymongo_still_defines():
    check = (
        "from pymongo.synchronous.topology import Topology\n"
        "from gharbazaar.runtime import driver_patches\n"
        "original = Topology._handle_error\n"
        "driver_patches.install()\n"
        "patched = Topology._handle_error\n"
        "driver_patches.install()\n"
        "assert Topology._handle_error is patched is not original\n"
        "import inspect\n"
        "assert list(inspect.signature(original).parameters) == ['self', 'address', 'err_ctx']\n"
    )
    run_python(check)
