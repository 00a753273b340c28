"""Slow, idle and half-open clients on a real server: timed out, without cutting healthy sockets."""
import json
import socket
import time
import uuid
from urllib.parse import urlsplit

import pytest
import requests
import websocket

from tests.support import TEST_SECRET, Recorder, ServerProcess, make_token
from tests.support.raw_socket import RawSocket

pytestmark = pytest.mark.e2e
HEAD_S = IO_S = 1
CONNECT_S = 1
CAP = 40
PENDING = 5


@pytest.fixture(scope="module")
def strict_server(mongo_uri):
    """A server with second-long HTTP limits, few connections and few pending handshakes."""
    server = ServerProcess({
        "APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gbslow_{uuid.uuid4().hex[:8]}",
        "JWT_SECRET": TEST_SECRET, "HTTP_HEAD_TIMEOUT_S": HEAD_S, "HTTP_IO_TIMEOUT_S": IO_S,
        "MAX_CONNECTIONS": CAP, "SOCKET_CONNECT_TIMEOUT_S": CONNECT_S, "MAX_PENDING_HANDSHAKES": PENDING,
        "SOCKETIO_PING_INTERVAL": 1, "SOCKETIO_PING_TIMEOUT": 2,
    }).wait_listening()
    yield server
    server.stop()


def raw_connection(server):
    address = urlsplit(server.url)
    return socket.create_connection((address.hostname, address.port), timeout=5)


def closed_within(sock, seconds, drip=None):
    """Return the seconds until the server closes sock (sending `drip` bytes meanwhile), or None."""
    started = time.monotonic()
    sock.settimeout(0.25)
    while time.monotonic() - started < seconds:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except socket.timeout:
            if drip:
                sock.sendall(drip)
        except ConnectionResetError:
            return time.monotonic() - started
    return None


def healthy(server, within):
    """Return True once /api/v1/health answers, trying until `within` seconds have passed."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{server.url}/api/v1/health", timeout=1).status_code == 200:
                return True
        except requests.RequestException:
            continue
    return False


def test_idle_connections_filling_every_slot_are_closed_and_health_answers_again(strict_server):
    idle = [raw_connection(strict_server) for _ in range(CAP + 10)]
    try:
        assert healthy(strict_server, within=HEAD_S + 4)
        assert closed_within(idle[0], HEAD_S + 2) is not None
    finally:
        for sock in idle:
            sock.close()


def test_a_request_head_sent_a_byte_at_a_time_is_cut_at_the_head_deadline(strict_server):
    sock = raw_connection(strict_server)
    sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
    took = closed_within(sock, HEAD_S + 3, drip=b"X")
    sock.close()
    assert took is not None and took < HEAD_S + 1.5


def test_a_body_that_stops_arriving_is_cut(strict_server):
    sock = raw_connection(strict_server)
    sock.sendall(b"POST /api/v1/chat/conversations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Authorization: Bearer " + make_token("slow-body").encode() + b"\r\n"
                 b"Content-Length: 100\r\n\r\n{\"other")
    took = closed_within(sock, IO_S + 3)
    sock.close()
    assert took is not None


@pytest.mark.parametrize("transports", [("websocket",), ("polling",)])
def test_healthy_sockets_outlive_every_http_timeout(strict_server, transports):
    client = Recorder(strict_server.url, make_token(f"steady-{transports[0]}"), transports=transports)
    try:
        assert client.connect()
        with pytest.raises(AssertionError):  # nothing happens for three head and I/O timeouts
            client.wait_for("__disconnect__", timeout=3 * max(HEAD_S, IO_S))
        assert client.emit("presence:heartbeat", {})["success"] is True
    finally:
        client.close()


def test_sessions_that_never_authenticate_are_capped_and_closed(strict_server):
    handshake = f"{strict_server.url}/socket.io/?EIO=4&transport=polling"
    opened = [requests.get(handshake, timeout=5) for _ in range(PENDING)]
    assert all(answer.status_code == 200 for answer in opened)
    refused = requests.get(handshake, timeout=5)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    sids = [json.loads(answer.text[1:])["sid"] for answer in opened]
    deadline = time.monotonic() + CONNECT_S + 4
    for sid in sids:  # a poll on a live session waits for a packet; on a closed one it is refused
        while requests.get(f"{handshake}&sid={sid}", timeout=5).status_code == 200:
            assert time.monotonic() < deadline, "a session that never authenticated was kept"
    client = Recorder(strict_server.url, make_token("after-the-cap"), transports=("polling",))
    try:
        assert client.connect(), client.connect_error
    finally:
        client.close()


@pytest.mark.parametrize("leave", ["client", "server"])
def test_a_session_left_without_a_namespace_is_closed_like_one_that_never_authenticated(strict_server, leave):
    # The client sends a namespace disconnect, or the server cuts the socket off (here: it
    # floods), and the websocket stays open: it would hold its connection past every per-user
    # and pending limit.
    raw = RawSocket(strict_server.url, make_token(f"leaves-and-lingers-{leave}"))
    if leave == "client":
        raw.ws.send("41")
    else:
        for _ in range(150):
            raw.emit("presence:heartbeat", {})
    assert closed_before(raw, time.monotonic() + CONNECT_S + 3), "the session outlived the connect timeout"


def test_long_polling_sessions_never_polled_again_do_not_stall_the_sweep(strict_server):
    # Closing one waited for its client to collect the close packet: for a session never polled
    # again, forever, and no session was swept after it (the pending cap then refused everyone).
    handshake = f"{strict_server.url}/socket.io/?EIO=4&transport=polling"
    idle = [json.loads(requests.get(handshake, timeout=5).text[1:])["sid"] for _ in range(2)]
    raw = RawSocket(strict_server.url, make_token("lingers-behind-idle-sessions"))
    raw.ws.send("41")
    assert closed_before(raw, time.monotonic() + CONNECT_S + 3)
    assert [requests.get(f"{handshake}&sid={sid}", timeout=5).status_code for sid in idle] == [400, 400]


def closed_before(raw, deadline):
    """Return True when the server closes the raw socket before the deadline (answering pings)."""
    while time.monotonic() < deadline:
        try:
            frame = raw.ws.recv()
        except websocket.WebSocketConnectionClosedException:
            return True
        except websocket.WebSocketTimeoutException:
            continue
        if frame in ("", None, "1"):
            return True
        if frame == "2":
            raw.ws.send("3")
    return False
