"""The real server process (eventlet) with real Socket.IO clients: handshake and expiry."""
import pytest

from gharbazaar.sockets import REFUSED_EXPIRED, REFUSED_INVALID, REFUSED_MISSING
from tests.support import Recorder, make_token

pytestmark = pytest.mark.e2e
TRANSPORTS = [("websocket",), ("polling",)]


@pytest.fixture
def recorder(live_server):
    opened = []

    def open_client(token=None, **kwargs):
        rec = Recorder(live_server.url, token, **kwargs)
        opened.append(rec)
        return rec

    yield open_client
    for rec in opened:
        rec.close()


@pytest.mark.parametrize("transports", TRANSPORTS)
@pytest.mark.parametrize("namespace", ["/", "/chat", "/tickets"])
def test_valid_token_connects(recorder, transports, namespace):
    rec = recorder(make_token(), transports=transports, namespace=namespace)
    assert rec.connect()


@pytest.mark.parametrize("transports", TRANSPORTS)
@pytest.mark.parametrize("token, text", [
    (None, REFUSED_MISSING),
    (make_token(ttl=-30), REFUSED_EXPIRED),
    (make_token(secret="wrong-secret-wrong-secret-wrong-secret-00"), REFUSED_INVALID),
    (make_token(role="hacker"), REFUSED_INVALID),
])
def test_refusals_reach_the_client_as_connect_error_texts(recorder, transports, token, text):
    rec = recorder(token, transports=transports)
    assert not rec.connect()
    assert rec.connect_error == {"message": text}


def test_authorization_header_is_accepted_by_the_real_server(recorder):
    rec = recorder(None, headers={"Authorization": f"Bearer {make_token()}"})
    assert rec.connect()


def test_query_string_tokens_are_ignored(live_server):
    rec = Recorder(f"{live_server.url}?token={make_token()}", None)
    assert not rec.connect()
    assert rec.connect_error == {"message": REFUSED_MISSING}


def test_handshake_from_a_foreign_origin_is_refused(recorder):
    assert recorder(make_token(), headers={"Origin": "http://localhost:3000"}).connect()
    assert not recorder(make_token(), headers={"Origin": "https://evil.example"}).connect()


def test_a_socket_is_told_and_cut_off_when_its_token_expires(recorder):
    rec = recorder(make_token(ttl=2))
    assert rec.connect()
    error = rec.wait_for("error", timeout=7)
    assert error["code"] == "token_expired" and error["message"] == REFUSED_EXPIRED
    rec.wait_for("__disconnect__", timeout=5)
    assert not rec.client.connected


def test_unknown_events_do_not_break_the_connection(recorder):
    rec = recorder(make_token())
    assert rec.connect()
    rec.emit("no_such_event", {"x": 1}, ack=False)
    rec.emit("no_such_event", "x" * 10000, ack=False)
    assert rec.client.connected


def test_rest_and_socket_share_one_port(live_server):
    assert live_server.get("/api/v1/health").json()["database"] == "ok"
