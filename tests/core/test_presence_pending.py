"""Presence writes that failed during an outage: written later, with the staff flag, or undone."""
from gharbazaar import sockets
from gharbazaar.auth import Actor
from gharbazaar.presence import pending, repository, service
from tests.faults.procs import wait_until
from tests.support import unique


def late_socket(role="employee"):
    return sockets.Connection(unique("sid"), "/", Actor(unique(role), role))


def test_a_socket_that_joined_the_available_meanwhile_is_written_with_its_flag(app):
    conn = late_socket()
    sockets.registry(app).add(conn)
    available = []
    receiver = lambda _app, user_id=None: available.append(user_id)  # noqa: E731
    service.became_available.connect(receiver)
    try:
        pending.later(app, conn, service.settle_late)
        pending.later(app, conn, service.settle_late, available=True)  # join_employee_room, still down
        wait_until(lambda: pending.get(app, conn.sid) is None, 10, "the late write")
        with app.app_context():
            assert repository.available_user_ids(service.STALE_AFTER_S) == {conn.actor.id}
            assert service.statuses([conn.actor.id])[0]["status"] == "online"
        assert available == [conn.actor.id]
    finally:
        service.became_available.disconnect(receiver)


def test_a_socket_gone_before_its_late_write_leaves_no_presence(app):
    conn = late_socket("buyer")  # never in the registry: it disconnected during the outage
    pending.later(app, conn, service.settle_late)
    wait_until(lambda: pending.get(app, conn.sid) is None, 10, "the late write")
    with app.app_context():
        assert repository.live_user_ids([conn.actor.id], service.STALE_AFTER_S) == set()
        assert service.statuses([conn.actor.id])[0]["status"] == "offline"
