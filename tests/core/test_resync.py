"""Writes whose outcome the database never confirmed: every socket is told to resync once it answers."""
from types import SimpleNamespace

from gharbazaar.resync import UnknownWrites
from tests.faults.procs import wait_until
from tests.support import make_token

LOST = {"errmsg": "connection closed", "errtype": "AutoReconnect"}
REFUSED = {"ok": 0, "code": 11000, "errmsg": "E11000 duplicate key error"}


def watch(sock):
    """Return a function that collects what the test client has received so far."""
    seen = []

    def received(name):
        seen.extend(sock.get_received())
        return [event["args"][0] for event in seen if event["name"] == name]
    return received


def test_a_write_that_lost_its_answer_makes_every_socket_resync_once_the_database_answers(app, socket_client):
    received = watch(socket_client(make_token("resync-a")))
    listener = UnknownWrites(app)
    listener.failed(SimpleNamespace(command_name="insert", failure=LOST))
    listener.failed(SimpleNamespace(command_name="update", failure=LOST))
    assert received("sync:required") == []  # not while the database is still away
    listener.succeeded(SimpleNamespace(command_name="ping"))
    listener.succeeded(SimpleNamespace(command_name="find"))
    (notice,) = wait_until(lambda: received("sync:required"), 5, "sync:required")
    assert notice["reason"] == "database_outage" and notice["since"].endswith("Z")


def test_failures_the_database_answered_and_failed_reads_need_no_resync(app, socket_client):
    received = watch(socket_client(make_token("resync-b")))
    listener = UnknownWrites(app)
    listener.failed(SimpleNamespace(command_name="insert", failure=REFUSED))
    listener.failed(SimpleNamespace(command_name="find", failure=LOST))
    listener.succeeded(SimpleNamespace(command_name="insert"))
    assert listener.first_failure is None
    socket_client(make_token("resync-c")).emit("presence:heartbeat", {}, callback=True)  # a round trip
    assert received("sync:required") == []
