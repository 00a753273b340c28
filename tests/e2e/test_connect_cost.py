"""What one idle socket costs the real server (eventlet): what its handshake negotiates."""
import base64
import os
import socket

import pytest

from tests.support import FRONTEND_ORIGIN, make_token

pytestmark = pytest.mark.e2e


def websocket_handshake(server, extensions):
    """Open an Engine.IO websocket by hand, offering extensions as a browser does; return the reply head."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: {extensions}\r\n"
               f"Origin: {FRONTEND_ORIGIN}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            assert chunk, f"connection closed after {head!r}"
            head += chunk
    return head.split(b"\r\n\r\n", 1)[0].decode().lower()


def test_websocket_compression_is_never_negotiated(live_server):
    head = websocket_handshake(live_server, "permessage-deflate; client_max_window_bits")
    assert head.startswith("http/1.1 101")
    assert "sec-websocket-extensions" not in head


def test_heads_and_bodies_longer_than_a_connection_buffer_pass(live_server):
    padding = {f"X-Padding-{i}": "p" * 3000 for i in range(4)}
    spec = live_server.get("/api/v1/openapi.json", headers=padding)
    assert spec.status_code == 200 and len(spec.content) > 32 * 1024 and spec.json()["openapi"]
    body = {"participantId": "x", "padding": "p" * 300_000}
    refused = live_server.post("/api/v1/chat/conversations", json=body,
                               headers={"Authorization": f"Bearer {make_token()}"})
    assert refused.status_code == 400 and refused.json()["code"] == "validation_error"
