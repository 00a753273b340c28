"""Presence across a database stall longer than the staleness window, with two processes.

Two apps on one database stand for two processes; a stall is simulated by ageing the processes'
and sockets' documents (what 90 s without a beat leaves), and each process's sweep is run by hand.
"""
from datetime import timedelta

import pytest

from gharbazaar import db
from gharbazaar.models import utcnow
from gharbazaar.presence import repository, service
from tests.support import make_token, unique

OLD = service.STALE_AFTER_S + 10


@pytest.fixture
def two(make_app):
    """Processes `one` and `two`; user a and employee e are contacts of b."""
    one, two = make_app(), make_app()
    a, b, e = unique("a"), unique("b"), unique("emp")
    links = {a: {b}, b: {a, e}, e: {b}}
    for app in (one, two):
        service.register_contacts(app, lambda user_id: links.get(user_id, set()))
    return one, two, a, b, e


@pytest.fixture
def connect(socket_client):
    def open_socket(app, user, role="buyer"):
        sock = socket_client(make_token(user, role), target=app)
        assert sock.is_connected()
        return sock
    return open_socket


def sweep(app):
    with app.app_context():
        service.sweep()


def age(apps, sockets):
    """Age these processes' beats and these sockets past the window, as a long silence leaves them."""
    old = {"$set": {"lastSeen": utcnow() - timedelta(seconds=OLD)}}
    with apps[0].app_context():
        database = db.get_db()
        processes = [service.process_id(app) for app in apps]
        database[repository.PROCESSES].update_many({"_id": {"$in": processes}}, old)
        who = {"$or": [{"userId": {"$in": sockets}}, {"_id": {"$in": sockets}}]}
        database[repository.SOCKETS].update_many(who, old)


def heard(sock, event):
    return [e["args"][0] for e in sock.get_received() if e["name"] == event]


def state(app, a, e):
    with app.app_context():
        return service.statuses([a])[0]["status"], e in service.available_users()


def test_after_a_stall_a_process_does_not_retire_the_sockets_of_another_that_is_alive(two, connect):
    one, two, a, b, e = two
    watcher = connect(one, b)
    connect(two, a)
    assert connect(two, e, "employee").emit("join_employee_room", callback=True)["success"] is True
    with one.app_context():
        repository.add_socket("dead-sid", unique("gone"), "buyer", "proc-dead")
    for app in (one, two):
        sweep(app)
    age((one, two), [a, e, "dead-sid"])  # the database stalled for longer than the window
    watcher.get_received()
    sweep(one)  # the first round after the stall: its own previous beat is as old as the others'
    with two.app_context():
        assert repository.count_sockets(service.process_id()) == 2  # a's and e's records kept
    assert heard(watcher, "presence:user-offline") == []
    sweep(two)  # two beats again within its round
    assert state(one, a, e) == ("online", True)
    sweep(one)  # one has beaten through the window now: a process that stayed silent is dead
    with one.app_context():
        assert repository._sockets().count_documents({"_id": "dead-sid"}) == 0
    assert state(one, a, e) == ("online", True)
    assert heard(watcher, "presence:user-offline") == []


def test_a_process_writes_again_its_open_sockets_another_retired(two, connect):
    one, two, a, b, e = two
    far, near = connect(one, b), connect(two, b)  # the watcher's tabs, one on each process
    connect(two, a)
    assert connect(two, e, "employee").emit("join_employee_room", callback=True)["success"] is True
    for app in (one, two):
        sweep(app)
    age((two,), [a, e])  # two alone looked silent (one kept beating): one retires its sockets
    far.get_received(), near.get_received()
    sweep(one)
    assert state(one, a, e) == ("offline", False)
    assert sorted(p["userId"] for p in heard(far, "presence:user-offline")) == sorted([a, e])
    sweep(two)  # two is alive: its next beat writes its sockets' records again
    assert state(one, a, e) == ("online", True)
    assert sorted((p["userId"], p["status"]) for p in heard(near, "presence:user-online")) == sorted(
        [(a, "online"), (e, "online")])
    with two.app_context():
        assert repository.count_sockets(service.process_id()) == 3  # a, e and b's tab
    sweep(two)  # nothing missing any more: nothing written or announced again
    assert heard(near, "presence:user-online") == []
