"""Presence: live-socket counts in MongoDB, scoped announcements, status, staleness."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from pymongo.errors import ConnectionFailure

from gharbazaar import db, sockets
from gharbazaar.models import utcnow
from gharbazaar.presence import repository, service
from tests.support import make_token, unique


@pytest.fixture
def people(app):
    """Three users; a and b are contacts of each other, c is a stranger."""
    a, b, c = unique("a"), unique("b"), unique("c")
    links = {a: {b}, b: {a}}
    service.register_contacts(app, lambda user_id: links.get(user_id, set()))
    return a, b, c


@pytest.fixture
def connect(socket_client):
    def open_socket(user, role="buyer", target=None):
        sock = socket_client(make_token(user, role), target=target)
        assert sock.is_connected()
        return sock
    return open_socket


def events(sock, name):
    return [e["args"][0] for e in sock.get_received() if e["name"] == name]


def status_of(app, user):
    with app.app_context():
        return service.statuses([user])[0]["status"]


def test_online_while_any_tab_is_open(app, connect, people, caplog):
    a, _, _ = people
    first, second = connect(a), connect(a)
    assert "presence not recorded on connect" not in caplog.text
    assert status_of(app, a) == "online"
    first.disconnect()
    assert status_of(app, a) == "online"
    second.disconnect()
    assert status_of(app, a) == "offline"


def test_contacts_are_told_of_online_and_offline_and_strangers_are_not(app, connect, people):
    a, b, c = people
    watcher, stranger = connect(b), connect(c)
    watcher.get_received(), stranger.get_received()
    tab = connect(a)
    assert events(watcher, "presence:user-online") == [{"userId": a, "status": "online"}]
    connect(a)  # a second tab announces nothing new
    tab.disconnect()
    assert events(watcher, "presence:user-online") == [] and events(watcher, "presence:user-offline") == []
    assert events(stranger, "presence:user-online") == []


def test_last_tab_closing_announces_offline_with_last_seen(app, connect, people):
    a, b, _ = people
    watcher = connect(b)
    connect(a).disconnect()
    (offline,) = events(watcher, "presence:user-offline")
    assert offline["userId"] == a and offline["status"] == "offline" and offline["lastSeen"].endswith("Z")


def test_status_changes_reach_contacts_and_queries(app, connect, people):
    a, b, _ = people
    watcher, me = connect(b), connect(a)
    watcher.get_received()
    ack = me.emit("presence:update-status", {"status": "away"}, callback=True)
    assert ack == {"success": True, "data": {"userId": a, "status": "away"}}
    assert events(watcher, "presence:status-changed") == [{"userId": a, "status": "away"}]
    assert status_of(app, a) == "away"


def test_a_chosen_status_lasts_the_session_only(app, connect, people):
    # The frontend never sends its choice again when it connects: an `away` kept for the next
    # session showed the user away to everyone and kept an employee from being handed tickets.
    a, b, _ = people
    watcher, me = connect(b), connect(a)
    second_tab = connect(a)
    assert me.emit("presence:update-status", {"status": "away"}, callback=True)["success"] is True
    me.disconnect()
    assert status_of(app, a) == "away"  # the session goes on in the other tab
    second_tab.disconnect()
    watcher.get_received()
    connect(a)
    assert events(watcher, "presence:user-online") == [{"userId": a, "status": "online"}]
    assert status_of(app, a) == "online"


def test_unknown_status_is_an_error_event(connect, people):
    me = connect(people[0])
    ack = me.emit("presence:update-status", {"status": "invisible-ninja"}, callback=True)
    assert ack["code"] == "validation_error"
    assert events(me, "error")[0]["event"] == "presence:update-status"


def test_get_status_answers_the_asker_only_without_socket_ids(connect, people):
    a, b, c = people
    asker, other = connect(b), connect(c)
    connect(a)
    asker.get_received(), other.get_received()
    asker.emit("presence:get-status", {"userIds": [a, "nobody-" + a]})
    (answer,) = events(asker, "presence:status-response")
    got = [(u["userId"], u["status"]) for u in answer["users"]]
    assert got == [(a, "online"), ("nobody-" + a, "offline")]
    assert all(set(u) == {"userId", "status", "lastSeen"} for u in answer["users"])
    assert events(other, "presence:status-response") == []


def test_get_status_shows_a_stranger_as_an_unknown_id_and_staff_everyone(connect, people):
    a, b, c = people
    connect(a).emit("presence:heartbeat", {})
    stranger, staff, contact = connect(c), connect(unique("emp"), "employee"), connect(b)
    query = {"userIds": [a]}
    assert stranger.emit("presence:get-status", query, callback=True)["data"]["users"] == [
        {"userId": a, "status": "offline", "lastSeen": None}]
    for viewer in (staff, contact):
        (seen,) = viewer.emit("presence:get-status", query, callback=True)["data"]["users"]
        assert seen["status"] == "online" and seen["lastSeen"].endswith("Z")


@pytest.mark.parametrize("payload", [{"userIds": ["x"] * 101}, {"userIds": "abc"}, {"userIds": [1, 2]}, None])
def test_get_status_refuses_bad_queries(connect, people, payload):
    sock = connect(people[0])
    assert sock.emit("presence:get-status", payload, callback=True)["code"] == "validation_error"


def test_heartbeat_refreshes_last_seen_before_the_sockets_next_event(app, connect, people):
    """Heartbeats share their write after a short wait; a socket's next event still reads it."""
    a = people[0]
    sock = connect(a)
    with app.app_context():
        db.get_db()[repository.USERS].update_one({"_id": a}, {"$set": {"lastSeen": datetime(2020, 1, 1)}})
    sock.emit("presence:heartbeat", {})  # no answer asked for, as the frontend sends it
    (mine,) = sock.emit("presence:get-status", {"userIds": [a]}, callback=True)["data"]["users"]
    assert mine["status"] == "online" and mine["lastSeen"] > "2020-01-02"
    assert sock.emit("presence:heartbeat", {}, callback=True) == {"success": True, "data": {"ok": True}}


def test_a_socket_silent_for_90_seconds_counts_as_offline(app, people):
    a, _, _ = people
    with app.app_context():
        repository.add_socket("dead-process-sid", a, "buyer", "dead-process")
        repository.mark_online(a)
        assert service.statuses([a])[0]["status"] == "online"
        old = utcnow() - timedelta(seconds=service.STALE_AFTER_S + 5)
        repository._sockets().update_one({"_id": "dead-process-sid"}, {"$set": {"lastSeen": old}})
        assert service.statuses([a])[0]["status"] == "offline"


def test_sweep_retires_stale_sockets_and_tells_contacts(app, connect, people):
    a, b, _ = people
    watcher = connect(b)
    with app.app_context():
        repository.add_socket("dead-sid", a, "buyer", "dead-process")
        repository.mark_online(a)
        old = utcnow() - timedelta(seconds=service.STALE_AFTER_S + 5)
        repository._sockets().update_one({"_id": "dead-sid"}, {"$set": {"lastSeen": old}})
        repository.beat(service.process_id())  # this process has been beating all along
        service.sweep()
        assert repository._sockets().count_documents({"_id": "dead-sid"}) == 0
    assert [e["userId"] for e in events(watcher, "presence:user-offline")] == [a]


def age(app, collection, _id, seconds):
    """Set a presence document's lastSeen `seconds` in the past."""
    with app.app_context():
        old = utcnow() - timedelta(seconds=seconds)
        db.get_db()[collection].update_one({"_id": _id}, {"$set": {"lastSeen": old}})


def test_a_process_vouches_for_its_sockets_until_it_is_silent_for_90_seconds(app, people):
    a, b, _ = people
    with app.app_context():
        repository.add_socket("old-tab", a, "buyer", "proc-alive")
        repository.add_socket("old-desk", b, "employee", "proc-alive", available=True)
        for user in (a, b):
            repository.mark_online(user)
        repository.beat("proc-alive")
    age(app, repository.SOCKETS, "old-tab", service.STALE_AFTER_S + 5)  # connected long ago
    age(app, repository.SOCKETS, "old-desk", service.STALE_AFTER_S + 5)
    assert status_of(app, a) == "online"
    with app.app_context():
        assert service.available_users() == {b}
    age(app, repository.PROCESSES, "proc-alive", service.STALE_AFTER_S - 5)
    assert status_of(app, a) == "online"
    age(app, repository.PROCESSES, "proc-alive", service.STALE_AFTER_S + 5)
    assert status_of(app, a) == "offline"
    with app.app_context():
        assert service.available_users() == set()


def test_the_sweep_retires_only_sockets_nobody_vouches_for(app, people):
    a, b, c = people
    with app.app_context():
        for sid, user, process in (("gone-1", a, "proc-dead"), ("new-1", b, "proc-dead"),
                                   ("kept-1", c, "proc-alive"), ("orphan-1", c, "proc-never-beat")):
            repository.add_socket(sid, user, "buyer", process)
        for process in ("proc-dead", "proc-alive", service.process_id()):
            repository.beat(process)
    for sid in ("gone-1", "kept-1", "orphan-1"):
        age(app, repository.SOCKETS, sid, service.STALE_AFTER_S + 5)
    age(app, repository.PROCESSES, "proc-dead", service.STALE_AFTER_S + 5)
    with app.app_context():
        service.sweep()
        left = {doc["_id"] for doc in repository._sockets().find()}
    # new-1 connected within the window: it is live on its own until its process beats again.
    assert left == {"new-1", "kept-1"}


def test_the_sweep_writes_one_document_whatever_the_number_of_sockets(make_app):
    app = make_app(DB_METRICS=True)
    costs = []
    with app.app_context():
        service.sweep()  # a process that has been beating (its first round judges nobody silent)
    for count in (3, 60):
        with app.app_context():
            for i in range(count):
                repository.add_socket(f"s{count}-{i}", f"u{count}-{i}", "buyer", service.process_id())
            before = db.command_counts(app)
            service.sweep()
            after = db.command_counts(app)
        costs.append({name: after[name] - before.get(name, 0)
                      for name in after if after[name] != before.get(name)})
    # One write (the beat, answering the previous one), whatever the sockets; then the live processes,
    # the processes holding sockets, and what the sweep's listeners read (tickets: whether anything waits).
    assert costs[0] == costs[1] == {"findAndModify": 1, "find": 2, "distinct": 1}


def test_state_is_shared_by_processes_on_one_database(make_app, connect, people):
    a = people[0]
    one, two = make_app(), make_app()
    tab_on_one = connect(a, target=one)
    connect(a, target=two)
    tab_on_one.disconnect()
    assert status_of(two, a) == "online" and status_of(one, a) == "online"


def test_available_staff_are_in_the_room_and_not_away(app, connect):
    emp = unique("emp")
    sock = connect(emp, role="employee")
    with app.app_context():
        assert emp not in service.available_users()
        service.declare_available(connection_of(app, emp))
        assert emp in service.available_users()
    sock.emit("presence:update-status", {"status": "away"})
    with app.app_context():
        assert emp not in service.available_users()


def connection_of(app, user):
    return next(c for c in sockets.registry(app).connections.values() if c.actor.id == user)


def test_only_the_first_tab_flips_a_user_online(app, people):
    a = people[0]
    with app.app_context():
        assert repository.mark_online(a) is True
        assert repository.users([a])[a]["online"] is True
        assert repository.mark_online(a) is False
        assert repository.mark_offline(a) is not None
        assert repository.users([a])[a]["online"] is False
        assert repository.mark_offline(a) is None  # already offline: nobody flips it again
        assert repository.mark_online(a) is True


def test_a_socket_is_removed_once_and_a_heartbeat_refreshes_only_an_online_user(app, people):
    """remove_socket says whether this caller removed it (two processes may race on a stale one);
    a heartbeat handled after its user went offline leaves the lastSeen going offline recorded."""
    a = people[0]
    sid = f"sid-{unique('touch')}"
    long_ago = datetime(2020, 1, 1, tzinfo=timezone.utc)
    with app.app_context():
        users = db.get_db()[repository.USERS]
        repository.add_socket(sid, a, "buyer", "proc-touch")
        repository.mark_online(a)
        users.update_one({"_id": a}, {"$set": {"lastSeen": long_ago}})
        repository.touch_user(a)
        assert repository.users([a])[a]["lastSeen"] > long_ago
        assert repository.remove_socket(sid) is True
        assert repository.remove_socket(sid) is False
        assert repository.mark_offline(a) is not None
        users.update_one({"_id": a}, {"$set": {"lastSeen": long_ago}})
        repository.touch_user(a)  # offline: a late heartbeat no longer refreshes the user
        assert repository.users([a])[a]["lastSeen"] == long_ago


def test_sockets_connecting_together_are_each_recorded_and_checked(app):
    """Concurrent writes and checks share round trips (presence/batch.py); each caller gets its own answer."""
    users = [unique("together") for _ in range(12)]
    answers = {}

    def connect_and_check(i, user):
        with app.app_context():
            if i % 2 == 0:
                repository.add_socket(f"sid-{user}", user, "buyer", "proc-together")
            answers[user] = (i % 2 == 0, repository.is_live(user, service.STALE_AFTER_S))

    threads = [threading.Thread(target=connect_and_check, args=pair) for pair in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    with app.app_context():
        assert repository.live_user_ids(users, service.STALE_AFTER_S) == set(users[::2])
        assert all(repository.is_live(user, service.STALE_AFTER_S) == (user in users[::2]) for user in users)
    assert all(wrote == live for wrote, live in answers.values()) and len(answers) == len(users)


def test_the_sweep_index_replaces_the_ones_by_process_and_by_age_alone(app):
    with app.app_context():
        socket_docs = db.get_db()[repository.SOCKETS]
        # As an earlier release created them.
        socket_docs.create_index([("process", 1)], name="by_process")
        socket_docs.create_index([("lastSeen", 1)], name="by_last_seen")
        db.ensure_indexes(app)
        names = set(socket_docs.index_information())
        assert not {"by_process", "by_last_seen"} & names
        assert {"process_seen", "by_user_fresh", "available_fresh"} <= names
        processes = db.get_db()[repository.PROCESSES].index_information()
        assert processes["by_beat"]["expireAfterSeconds"] == repository.FORGET_PROCESS_AFTER_S


def test_a_socket_whose_removal_failed_is_retired_by_the_next_sweep(app, connect, people, monkeypatch):
    # Its process vouches for every record it holds: left alone, the user would look online (and an
    # employee get tickets) for as long as the process runs.
    a, b, _ = people
    watcher, tab = connect(b), connect(a)
    real_remove = repository.remove_socket

    def database_away(sid):
        raise ConnectionFailure("database away")

    monkeypatch.setattr(repository, "remove_socket", database_away)
    tab.disconnect()
    monkeypatch.setattr(repository, "remove_socket", real_remove)
    assert status_of(app, a) == "online"
    assert watcher.is_connected()
    with app.app_context():
        service.sweep()
        assert service.unforgotten(app) == {}
    assert status_of(app, a) == "offline"
    assert [e["userId"] for e in events(watcher, "presence:user-offline")] == [a]


def test_a_tab_opened_as_the_last_one_closes_leaves_the_user_online_for_contacts(
        app, connect, people, monkeypatch):
    """The reload race: the new tab's connect flips the user back online (and announces it) between the
    closing tab's flip to offline and its second look; no offline may be announced after that online."""
    a, b, _ = people
    watcher = connect(b)
    tab = connect(a)
    watcher.get_received()
    real = repository.mark_offline
    opened = []

    def offline_then_a_new_tab(user_id):
        last_seen = real(user_id)
        monkeypatch.setattr(repository, "mark_offline", real)
        opened.append(connect(a))
        return last_seen
    monkeypatch.setattr(repository, "mark_offline", offline_then_a_new_tab)
    tab.disconnect()
    assert opened and status_of(app, a) == "online"
    heard = [(e["name"], e["args"][0]["status"]) for e in watcher.get_received()
             if e["name"].startswith("presence:")]
    assert heard == [("presence:user-online", "online")]  # and no offline after it
