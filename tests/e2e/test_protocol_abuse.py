"""Protocol abuse on a real server: reserved event names, binary packets, frames that do not decode
and refused long-polling requests, sent by hand."""
import json
import socket

import pytest
import requests
import websocket

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
    # Still one live, counted socket: online to others, and the user may open more and act there
    # (this socket spent its second's event budget on them: they count like any unknown event).
    assert status_of(watcher, user) == "online"
    second = raw(make_token(user))  # accepted (it asserts so)
    second.emit("presence:heartbeat", {}, ack_id=3)
    assert second.ack(3)[0]["success"] is True


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


@pytest.mark.parametrize("frame", [
    "4x", "49", '42["send_message"', "43abc", "42" + "[" * 3000, '450-["presence:heartbeat",{}]',
], ids=["bad-type", "unknown-type", "truncated", "bad-ack-id", "deep", "binary-without-attachments"])
def test_a_frame_that_does_not_decode_closes_its_connection_in_one_log_line(raw, live_server, frame):
    sock, bystander = raw(make_token(unique("garbled"))), raw(make_token(unique("bystander")))
    before = len(live_server.lines)
    sock.ws.send(frame)
    assert sock.closed_by_server()
    bystander.emit("presence:heartbeat", {}, ack_id=5)
    assert bystander.ack(5)[0]["success"] is True
    logged = "\n".join(live_server.lines[before:])
    assert "Traceback" not in logged and "message handler error" not in logged


def polling_sid(live_server):
    opened = requests.get(f"{live_server.url}/socket.io/?EIO=4&transport=polling", timeout=5)
    return json.loads(opened.text[1:])["sid"]


@pytest.mark.parametrize("body", [b"9", b"2", b"6", b"\xff\xfe", b"bAAAA"],
                         ids=["unknown-type", "client-ping", "client-noop", "not-utf8", "bad-binary"])
def test_a_refused_long_polling_post_is_answered_at_once_and_ends_its_session(live_server, body):
    """engine.io's own disconnect waited for a poll that never came: the request hung for good."""
    sid = polling_sid(live_server)
    url = f"{live_server.url}/socket.io/?EIO=4&transport=polling&sid={sid}"
    before = len(live_server.lines)
    requests.post(url, data=body, timeout=5)  # answered (400, or 200 for a binary frame taken in)
    assert requests.get(url, timeout=5).status_code == 400  # the session is gone, not waiting
    assert live_server.get("/api/v1/health").status_code == 200
    assert "Traceback" not in "\n".join(live_server.lines[before:])


def test_a_long_polling_post_over_the_payload_cap_is_answered_at_once(live_server):
    sid = polling_sid(live_server)
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(f"POST /socket.io/?EIO=4&transport=polling&sid={sid} HTTP/1.1\r\nHost: x\r\n"
                     f"Content-Length: 10000000\r\n\r\n".encode())
        assert conn.makefile("rb").readline().startswith(b"HTTP/1.1 400")


def test_a_socket_closed_for_a_malformed_frame_is_not_read_any_further(raw, live_server):
    sock = raw(make_token(unique("flooder")))
    before = len(live_server.lines)
    frame = websocket.ABNF.create_frame("4x", websocket.ABNF.OPCODE_TEXT).format()
    sock.ws.sock.sendall(frame * 300)  # one write: all buffered when the first frame closes the socket
    assert sock.closed_by_server()
    assert live_server.get("/api/v1/health").status_code == 200
    closed = [line for line in live_server.lines[before:] if "malformed packet" in line]
    assert len(closed) == 1, len(closed)
