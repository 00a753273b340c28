"""Fault-test fixtures: a killable database and Redis of the test's own, and real server processes."""
import os
import shutil
import uuid

import pytest
from pymongo import MongoClient

from tests.faults.procs import DB_TIMEOUT_MS, Database, RedisServer
from tests.support import TEST_SECRET, ServerProcess

# Short enough that a test sees an outage quickly, long enough for a loaded 2-core machine.


@pytest.fixture
def database(tmp_path):
    """A real database process on its own data directory, killed at the end whatever happened."""
    server = Database(tmp_path / "db").start()
    yield server
    server.stop()


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own on a free port (the shared one on 6379 is never touched)."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs redis-server for the fault tests")
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def servers(database):
    """Start real `python wsgi.py` processes on the test's database: servers(count, **env)."""
    started = []
    shared = {"APP_ENV": "test", "JWT_SECRET": TEST_SECRET, "MONGODB_URI": database.uri,
              "MONGODB_DB": f"gbfault_{uuid.uuid4().hex[:8]}", "MONGODB_TIMEOUT_MS": DB_TIMEOUT_MS,
              "REDIS_CHANNEL": f"gbfault-{uuid.uuid4().hex[:8]}"}

    def start(count=1, **env):
        fresh = [ServerProcess({**shared, **env}) for _ in range(count)]
        started.extend(fresh)
        return [server.wait_listening() for server in fresh]

    start.db_name = shared["MONGODB_DB"]
    yield start
    for server in started:
        server.stop()


@pytest.fixture
def stored(database, servers):
    """Read the test's database directly (after the fault): stored(collection, query) -> documents."""
    def read(collection, query=None):
        with MongoClient(database.uri, serverSelectionTimeoutMS=10000) as client:
            return list(client[servers.db_name][collection].find(query or {}))
    return read


_MEASURED = []


@pytest.fixture
def measured(request):
    """Record a measured duration (seconds); the run prints them all at the end (docs quote them)."""
    def record(what, seconds):
        _MEASURED.append((request.node.name, what, seconds))
    return record


def pytest_terminal_summary(terminalreporter):
    if _MEASURED:
        terminalreporter.section("fault measurements")
        for test, what, seconds in _MEASURED:
            terminalreporter.write_line(f"{seconds:7.2f}  {what}  [{test}]")
