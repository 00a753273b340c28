"""Engine.IO's heartbeat on the real server: pings on the interval, silent clients cut off."""
import json
import time
import uuid

import pytest
import websocket

from tests.support import TEST_SECRET, ServerProcess, make_token

pytestmark = pytest.mark.e2e
INTERVAL_S, TIMEOUT_S = 1, 1


@pytest.fixture(scope="module")
def fast_pings(mongo_uri):
    """A server whose heartbeat runs every second, so that a test sees several."""
    server = ServerProcess({
        "APP_ENV": "test", "MONGODB_URI": mongo_uri, "MONGODB_DB": f"gbping_{uuid.uuid4().hex[:10]}",
        "JWT_SECRET": TEST_SECRET, "FRONTEND_URL": "http://localhost:3000",
        "SOCKETIO_PING_INTERVAL": INTERVAL_S, "SOCKETIO_PING_TIMEOUT": TIMEOUT_S,
    }).wait_listening()
    yield server
    server.stop()


def open_socket(server):
    """Connect a raw websocket and complete the Socket.IO handshake on `/`; return it."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", timeout=5,
        origin="http://localhost:3000")
    opened = ws.recv()
    assert opened.startswith("0") and json.loads(opened[1:])["pingInterval"] == INTERVAL_S * 1000
    ws.send("40" + json.dumps({"token": make_token("pinged-user")}))
    assert ws.recv().startswith("40{")
    return ws


def test_the_server_pings_on_its_interval_while_the_client_answers(fast_pings):
    ws = open_socket(fast_pings)
    try:
        at = []
        while len(at) < 4:
            frame = ws.recv()  # the 5 s socket timeout fails the test if pings stop
            if frame == "2":
                at.append(time.monotonic())
                ws.send("3")
        gaps = [b - a for a, b in zip(at, at[1:])]
        assert all(INTERVAL_S * 0.7 < gap < INTERVAL_S + 1.0 for gap in gaps), gaps
    finally:
        ws.close()


def test_a_client_that_stops_answering_is_disconnected(fast_pings):
    ws = open_socket(fast_pings)
    ws.settimeout(10)
    frames = []
    try:
        while True:
            frame = ws.recv()
            if not frame:  # the server closed the websocket
                break
            frames.append(frame)
    except websocket.WebSocketConnectionClosedException:
        pass
    finally:
        ws.close()
    assert "2" in frames  # it was pinged, did not answer, and was let go
