"""Ticket fixtures: people with unique ids, REST calls by role, employees made available."""
from types import SimpleNamespace

import pytest

from tests.support import auth, make_token, unique
from tests.support.tickets import TICKET

ROLES = {"customer": "buyer", "other": "seller", "emp1": "employee", "emp2": "employee", "admin": "admin"}


@pytest.fixture
def people():
    """Ids no other test uses; emp1 sorts before emp2 (the tie rule is checked against id order)."""
    return SimpleNamespace(customer=unique("cust"), other=unique("outsider"), emp1=unique("a-emp"),
                           emp2=unique("b-emp"), admin=unique("admin"))


@pytest.fixture
def rest(client):
    """rest(method, path, user, role, body=None): call /api/v1/tickets<path> as that user."""
    def call(method, path, user, role="buyer", body=None, **kwargs):
        return client.open(f"/api/v1/tickets{path}", method=method, headers=auth(make_token(user, role)),
                           json=body, **kwargs)
    return call


@pytest.fixture
def new_ticket(rest):
    """new_ticket(user, **fields): create a ticket over REST and return its document."""
    def create(user, role="buyer", **fields):
        response = rest("POST", "", user, role, {**TICKET, **fields})
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]["ticket"]
    return create


@pytest.fixture
def online(socket_client):
    """online(user, role='employee', namespace='/'): a socket in the employee room (live presence)."""
    def connect(user, role="employee", namespace="/"):
        sock = socket_client(make_token(user, role), namespace=namespace)
        ack = sock.emit("join_employee_room", None, callback=True, namespace=namespace)
        assert ack["success"] is True, ack
        sock.get_received(namespace)  # start each test's expectations from a clean slate
        return sock
    return connect
