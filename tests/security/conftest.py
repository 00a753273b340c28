"""Security fixtures: one app per module on its own database, its REST and Socket.IO clients.

Building an app costs about a second, and the authorization matrix and the hostile-file
tests are hundreds of small requests, so these modules share one app each. Nothing is
shared between tests but the app: every test works on users, conversations and tickets
made for it (see `tests/security/test_authz_matrix.py` for the one read-only world).

Limits are raised so that hundreds of requests by the same few users never hit a 429:
rate limits have tests of their own, and a 429 here would hide the answer under test.
Auto-assignment is off so that a ticket stays where a test put it.
"""
import uuid

import pytest
from pymongo import MongoClient

from gharbazaar import create_app, db, sockets
from tests.support import app_settings

GENEROUS = "100000 per minute"
SETTINGS = {
    "RATE_LIMIT_REST": GENEROUS, "RATE_LIMIT_MESSAGES": GENEROUS, "RATE_LIMIT_CONVERSATIONS": GENEROUS,
    "RATE_LIMIT_UPLOADS": GENEROUS, "RATE_LIMIT_SOCKET_EVENTS": GENEROUS, "RATE_LIMIT_TYPING": GENEROUS,
    "RATE_LIMIT_JOINS": GENEROUS, "AUTO_ASSIGN": False,
}


@pytest.fixture(scope="module")
def security_app(mongo_uri):
    """An app on a database of this module's own, dropped afterwards."""
    name = f"gbsec_{uuid.uuid4().hex[:12]}"
    app = create_app(app_settings(mongo_uri, name, **SETTINGS))
    db.ensure_indexes(app)
    yield app
    sockets.registry(app).connections.clear()
    db.close(app)
    with MongoClient(mongo_uri, serverSelectionTimeoutMS=3000) as client:
        client.drop_database(name)


@pytest.fixture(scope="module")
def security_client(security_app):
    return security_app.test_client()


@pytest.fixture
def security_socket(security_app, socket_client):
    """Open a Flask-SocketIO test client on the module's app: security_socket(token or None)."""
    return lambda tok=None, namespace="/": socket_client(tok, namespace=namespace, target=security_app)
