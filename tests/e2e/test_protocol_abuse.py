"""Protocol abuse on a real server: reserved event names and binary packets, sent by hand."""
import pytest

from gharbazaar.runtime.guards import MAX_ATTACHMENTS, RESERVED
from tests.support.raw_socket import RawSocket
from tests.support import make_token, unique

pytestmark = pytest.mark.e2e
PLACEHOLDER = {"_placeholder": True, "num": 0}


@pytest.fixture
def raw(live_server):
    opened = []

    def connect(token):
        sock = RawSocket(live_server.url, token)
        opened.append(sock)
        return sock

    yield connect
    for sock in opened:
        sock.close()


def status_of(asker, user_id):
    asker.emit("presence:get-status", {"userIds": [user_id]}, ack_id=7)
    (answer,) = asker.ack(7)
    return answer["data"]["users"][0]["status"]


@pytest.mark.parametrize("name", sorted(RESERVED) + [None, 42, ["disconnect"], {"a": 1}])
def test_a_reserved_or_malformed_event_name_never_reaches_a_handler(raw, name):
    user = unique("reserved")
    sock, watcher = raw(make_token(user)), raw(make_token(unique("watcher"), "employee"))  # staff see all
    for _ in range(25):  # past MAX_SOCKETS_PER_USER, were each `connect` counted
        sock.emit(name, {"token": make_token(user)})
    # Still one live, counted socket: online to others, able to act, and the user may open more.
    assert status_of(watcher, user) == "online"
    sock.emit("presence:heartbeat", {}, ack_id=3)
    assert sock.ack(3)[0]["success"] is True
    raw(make_token(user))  # a second socket of the same user is still accepted (it asserts so)


def test_an_empty_event_packet_is_ignored(raw):
    sock = raw(make_token(unique("empty")))
    sock.ws.send("42[]")
    sock.emit("presence:heartbeat", {}, ack_id=4)
    assert sock.ack(4)[0]["success"] is True


def test_a_binary_packet_announcing_too_many_attachments_closes_the_connection(raw, live_server):
    sock = raw(make_token(unique("binary")))
    sock.ws.send(f"45{MAX_ATTACHMENTS + 1}-" + '["probe",' + '{"_placeholder":true,"num":0}]')
    assert sock.closed_by_server()
    assert live_server.get("/api/v1/health").status_code == 200


def test_binary_attachments_past_the_payload_cap_close_the_connection(raw, live_server):
    sock = raw(make_token(unique("binary")))
    sock.ws.send(f"45{MAX_ATTACHMENTS}-" + '["probe",' + '{"_placeholder":true,"num":0}]')
    chunk = b"\0" * (60 * 1024)  # two of them pass SOCKETIO_MAX_PAYLOAD_BYTES (100 KiB)
    for _ in range(MAX_ATTACHMENTS):
        try:
            sock.ws.send_binary(chunk)
        except (BrokenPipeError, ConnectionResetError, OSError):
            break
    assert sock.closed_by_server()
    assert live_server.get("/api/v1/health").status_code == 200


def test_a_small_binary_event_still_works(raw):
    sock = raw(make_token(unique("binary")))
    sock.ws.send('451-5["presence:heartbeat",' + '{"_placeholder":true,"num":0}]')
    sock.ws.send_binary(b"tiny")
    assert sock.ack(5)[0]["success"] is True
