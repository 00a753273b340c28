"""Fixtures: a real MongoDB-wire server, a fresh database per test, apps, clients, tokens."""
import os
import uuid

import pytest
from pymongo import MongoClient

from gharbazaar import create_app, db, redis_queue, sockets
from gharbazaar.runtime import embedded_db
from tests.support import TEST_SECRET, Recorder, ServerProcess, app_settings, make_token


@pytest.fixture(scope="session")
def mongo_uri():
    """MONGODB_URI when set (a real mongod), else a SecantusDB child process for the session."""
    if os.environ.get("MONGODB_URI"):
        yield os.environ["MONGODB_URI"]
        return
    process, uri = embedded_db.start(":memory:")
    yield uri
    embedded_db.stop(process)


@pytest.fixture(scope="session")
def redis_url():
    """A real Redis (REDIS_URL, else the local one); skipped without one, except under CI."""
    import redis
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs a Redis at {url}: {exc}")
        pytest.skip(f"no Redis at {url} ({type(exc).__name__}); set REDIS_URL to run these tests")
    return url


@pytest.fixture
def db_name(mongo_uri):
    """A database name no other test uses; dropped afterwards."""
    name = f"gbtest_{uuid.uuid4().hex[:12]}"
    yield name
    with MongoClient(mongo_uri, serverSelectionTimeoutMS=3000) as client:
        client.drop_database(name)


@pytest.fixture
def make_app(mongo_uri, db_name):
    """Build an app on this test's database; keyword overrides change its settings."""
    apps = []

    def build(indexes=True, **overrides):
        app = create_app(app_settings(mongo_uri, db_name, **overrides))
        if indexes:
            db.ensure_indexes(app)
        apps.append(app)
        return app

    yield build
    for app in apps:
        # Background loops (token expiry, presence refresh) run while sockets are registered.
        sockets.registry(app).connections.clear()
        redis_queue.stop(app)
        db.close(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token():
    """Mint a token: token(user, role, **claims)."""
    return make_token


@pytest.fixture
def socket_client(app):
    """Open a Flask-SocketIO test client: socket_client(token, namespace='/', target=app)."""
    opened = []

    def connect(tok=None, namespace="/", headers=None, target=None):
        target = target or app
        auth = {"token": tok} if tok else None
        sock = target.extensions["socketio"].test_client(target, namespace=namespace, auth=auth,
                                                         headers=headers)
        opened.append(sock)
        return sock

    yield connect
    for sock in opened:
        if sock.is_connected():
            sock.disconnect()


@pytest.fixture
def real_client():
    """Connect a real python-socketio client: real_client(url, token, **Recorder options)."""
    opened = []

    def connect(url, tok, **kwargs):
        rec = Recorder(url, tok, **kwargs)
        assert rec.connect(), rec.connect_error
        opened.append(rec)
        return rec

    yield connect
    for rec in opened:
        rec.close()


@pytest.fixture(scope="module")
def live_server(mongo_uri):
    """A real `python wsgi.py` process (eventlet) on a free port, on its own database."""
    server = ServerProcess({
        "APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gbe2e_{uuid.uuid4().hex[:10]}",
        "JWT_SECRET": TEST_SECRET, "FRONTEND_URL": "http://localhost:3000",
    }).wait_listening()
    yield server
    server.stop()
