"""SIGTERM under a bad database: the drain finishes within 10 s whatever the database does."""
import signal
import time
import uuid

import pytest
import requests

from gharbazaar.runtime import embedded_db
from tests.support import TEST_SECRET, Recorder, ServerProcess, freeze, make_token

pytestmark = pytest.mark.e2e
SOCKETS = 15


@pytest.fixture
def own_database():
    """A SecantusDB process of this test's own, which the test may kill or stop."""
    process, uri = embedded_db.start(":memory:")
    yield process, uri
    if process.poll() is None:
        process.send_signal(signal.SIGCONT)
    embedded_db.stop(process)


@pytest.mark.parametrize("fault", ["killed", "hung"])
def test_sigterm_with_the_database_gone_exits_zero_within_ten_seconds(own_database, fault):
    process, uri = own_database
    server = ServerProcess({"APP_ENV": "test", "MONGODB_URI": uri, "JWT_SECRET": TEST_SECRET,
                            "MONGODB_DB": f"gbdrain_{uuid.uuid4().hex[:8]}"}).wait_listening()
    clients = [Recorder(server.url, make_token(f"drain-{i}"), transports=("websocket",))
               for i in range(SOCKETS)]
    try:
        assert all(client.connect() for client in clients)
        if fault == "killed":
            process.kill()
            process.wait(10)
        else:
            freeze(process)
        assert requests.get(f"{server.url}/api/v1/health/ready", timeout=15).status_code == 503
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        status = server.wait_exit(12)
        elapsed = time.monotonic() - started
        told = sum(1 for client in clients if "server:shutdown" in [name for name, _ in client.seen])
    finally:
        for client in clients:
            client.close()
        server.stop()
    assert status == 0, server.output()
    assert elapsed < 10, f"drain took {elapsed:.1f} s"
    assert told == SOCKETS
