"""What the runtime changes in pymongo, and why: tests/runtime/test_driver_patches.py fails if an
upgrade changes what it replaces.
"""
from pymongo import _csot
from pymongo.errors import ExecutionTimeout, NetworkTimeout
from pymongo.synchronous.topology import Topology


def install():
    """Apply the process-wide patches to pymongo (idempotent)."""
    keep_the_server_when_an_operation_runs_out_of_time()


def ran_out_of_its_own_time(error):
    """Return True when error is a timeout of the current operation's own deadline (timeoutMS)."""
    remaining = _csot.remaining()
    if remaining is None or not isinstance(error, (NetworkTimeout, ExecutionTimeout)):
        return False
    # ExecutionTimeout: pymongo refused to send because the time left was under one round trip.
    return remaining <= 0 or isinstance(error, ExecutionTimeout)


def keep_the_server_when_an_operation_runs_out_of_time():
    """Let an operation that times out while opening a connection leave the server as it was."""
    original = Topology._handle_error
    if getattr(original, "keeps_the_server", False):
        return

    # pymongo's server selection waits in steps of 0.5 s and hands out a server that came back even
    # to an operation whose timeoutMS passed during the wait. That operation then opens a connection
    # with no time left, times out before the handshake, and pymongo takes that as the server's
    # fault: server Unknown, pool cleared, the monitor's check cancelled. Under steady traffic after
    # a database restart some operation is always that late, so the process did not heal (with
    # MONGODB_TIMEOUT_MS=400: still unready 20 s later in half the runs). An operation out of its
    # own time says nothing about the server; the monitor still finds a dead or hung one.
    def handle_error(self, address, err_ctx):
        if not err_ctx.completed_handshake and ran_out_of_its_own_time(err_ctx.error):
            return None
        return original(self, address, err_ctx)

    handle_error.keeps_the_server = True
    Topology._handle_error = handle_error
