"""The real server process on gevent (SOCKETIO_ASYNC_MODE=gevent): chat, frame cap, SIGTERM drain."""
import base64
import os
import signal
import socket
import struct
import time
import uuid

import pytest

from tests.chat.conftest import new_person
from tests.support import FRONTEND_ORIGIN, TEST_SECRET, ServerProcess

pytestmark = pytest.mark.e2e
API = "/api/v1/chat"


def gevent_server(mongo_uri):
    return ServerProcess({
        "APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gbgevent_{uuid.uuid4().hex[:10]}",
        "JWT_SECRET": TEST_SECRET, "SOCKETIO_ASYNC_MODE": "gevent"}).wait_listening()


@pytest.fixture(scope="module")
def server(mongo_uri):
    started = gevent_server(mongo_uri)
    yield started
    started.stop()


@pytest.fixture
def fresh_server(mongo_uri):
    started = []

    def start():
        started.append(gevent_server(mongo_uri))
        return started[-1]

    yield start
    for one in started:
        one.stop()


def test_the_process_serves_on_gevent(server):
    assert '"async_mode": "gevent"' in server.output()
    assert server.get("/api/v1/health").json()["database"] == "ok"


@pytest.mark.parametrize("transports", [("websocket",), ("polling",), ("polling", "websocket")])
def test_a_message_reaches_the_other_side(server, real_client, transports):
    buyer, seller = new_person("buyer", "Asha"), new_person("seller", "Ravi")
    created = server.post(f"{API}/conversations", json={"otherUserId": seller.id}, headers=buyer.headers)
    assert created.status_code == 201, created.text
    conv_id = created.json()["data"]["conversation"]["id"]
    sender = real_client(server.url, buyer.token)
    receiver = real_client(server.url, seller.token, transports=transports)
    for rec in (sender, receiver):
        assert rec.emit("join_conversation", conv_id)["success"] is True

    sent = sender.emit("send_message", {"conversationId": conv_id, "content": "on gevent"})
    assert sent["success"] is True
    assert receiver.wait_for("new_message") == sent["data"]["message"]


def test_an_oversized_websocket_frame_is_refused_before_it_is_read(server):
    # The frame announces 1 GiB and sends 4 bytes: a server that read frames of any length
    # would wait for the rest; one that refuses it (as eventlet does) closes the connection.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Origin: {FRONTEND_ORIGIN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 101")
        sock.sendall(struct.pack("!BBQ", 0x81, 0x80 | 127, 2**30) + os.urandom(4) + b"4abc")
        while sock.recv(4096):  # until the server closes; socket.timeout: it is still reading
            pass
    assert server.get("/api/v1/health").status_code == 200


def test_sigterm_tells_sockets_drains_and_exits_zero(fresh_server, real_client):
    server = fresh_server()
    clients = [real_client(server.url, new_person().token, transports=t)
               for t in [("websocket",), ("polling",)]]
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    for rec in clients:
        assert rec.wait_for("server:shutdown", timeout=5)["reconnect"] is True
        rec.wait_for("__disconnect__", timeout=5)  # the transport was closed: clients reconnect
    status = server.wait_exit(10)
    elapsed = time.monotonic() - started

    output = server.output()
    assert status == 0, output
    assert elapsed < 10
    assert '"msg": "stopped"' in output
    # Every response, websockets included, finished: the drain did not wait out its timeout.
    assert "drain timed out" not in output, output
    assert "Traceback" not in output, output
