"""A user who chose `offline` looks offline: their lastSeen stays, their tabs come and go unannounced."""
from datetime import datetime, timezone

import pytest

from gharbazaar import db
from gharbazaar.presence import repository, service
from tests.support import make_token, unique

WENT_INVISIBLE = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def people(app):
    """a and b are contacts of each other."""
    a, b = unique("a"), unique("b")
    links = {a: {b}, b: {a}}
    service.register_contacts(app, lambda user_id: links.get(user_id, set()))
    return a, b


@pytest.fixture
def connect(socket_client):
    def open_socket(user):
        sock = socket_client(make_token(user))
        assert sock.is_connected()
        return sock
    return open_socket


def invisible(app, sock, user):
    """Choose `offline`, and pin the instant it was chosen (the test's own clock)."""
    assert sock.emit("presence:update-status", {"status": "offline"}, callback=True)["success"] is True
    with app.app_context():
        db.get_db()[repository.USERS].update_one({"_id": user}, {"$set": {"lastSeen": WENT_INVISIBLE}})


def seen_by(sock, user):
    (answer,) = sock.emit("presence:get-status", {"userIds": [user]}, callback=True)["data"]["users"]
    return answer["status"], answer["lastSeen"]


def presence_events(sock):
    return [(e["name"], e["args"][0]) for e in sock.get_received() if e["name"].startswith("presence:user-")]


def test_heartbeats_and_choosing_offline_again_do_not_move_an_invisible_users_last_seen(app, connect, people):
    a, b = people
    me, watcher = connect(a), connect(b)
    invisible(app, me, a)
    assert me.emit("presence:heartbeat", {}, callback=True)["success"] is True
    assert me.emit("presence:update-status", {"status": "offline"}, callback=True)["success"] is True
    assert seen_by(watcher, a) == ("offline", "2026-12-01T09:00:00.000Z")


def test_an_invisible_users_tabs_come_and_go_unannounced(app, connect, people):
    a, b = people
    watcher, first = connect(b), connect(a)
    invisible(app, first, a)
    watcher.get_received()
    second = connect(a)
    first.disconnect()
    second.disconnect()  # the last tab
    assert presence_events(watcher) == []
    assert seen_by(watcher, a) == ("offline", "2026-12-01T09:00:00.000Z")
    connect(a)  # a new session starts online, as after any chosen status (docs/decisions.md)
    assert presence_events(watcher) == [("presence:user-online", {"userId": a, "status": "online"})]
