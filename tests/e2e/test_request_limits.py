"""Requests at and past the server's limits: oversized tokens, oversized heads, raw bytes in the URL.

An oversized token is an invalid token: the contract's JSON 401 over REST, the `Invalid token`
refusal on a socket, whether it comes in the header or the handshake's auth payload; in
process and from the real eventlet server, which reads the request head itself.
"""
import json
import re
import socket
import time

import pytest
import requests

from gharbazaar.auth import INVALID_TEXT, MAX_TOKEN_BYTES
from gharbazaar.runtime.eventlet_patches import MALFORMED_REQUEST
from gharbazaar.sockets import REFUSED_INVALID
from tests.security.documents import published
from tests.support import FRONTEND_ORIGIN, Recorder, make_token, raw_http

INVALID = {"success": False, "error": INVALID_TEXT, "code": "unauthorized"}
OPERATIONS = [(method.upper(), path, operation)
              for path, methods in published("/api/v1/openapi.json")["paths"].items()
              for method, operation in methods.items()]
SIZES = [MAX_TOKEN_BYTES + 1, 20_000, 60_000]  # 60 KB: the head stays under eventlet's 64 KiB
TRANSPORTS = [("websocket",), ("polling",)]


def token_of_size(size):
    """Return a correctly signed token of about `size` bytes: refused for its size alone."""
    token = make_token("big-token-user", padding="")
    return make_token("big-token-user", padding="x" * ((size - len(token)) * 3 // 4 + 3))


@pytest.mark.parametrize("size", SIZES)
def test_an_oversized_token_is_the_contracts_json_401_in_process(client, size):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token_of_size(size)}",
                                                 "Origin": FRONTEND_ORIGIN})
    assert (response.status_code, response.get_json()) == (401, INVALID)
    assert response.headers["Access-Control-Allow-Origin"] == FRONTEND_ORIGIN


@pytest.mark.parametrize("size", SIZES)
def test_an_oversized_handshake_token_is_refused_as_invalid_in_process(socket_client, size):
    sock = socket_client(token_of_size(size))
    assert not sock.is_connected()


@pytest.mark.e2e
@pytest.mark.parametrize("size", SIZES)
def test_an_oversized_token_is_the_contracts_json_401_from_the_real_server(live_server, size):
    response = live_server.get("/api/v1/me", headers={"Authorization": f"Bearer {token_of_size(size)}",
                                                      "Origin": FRONTEND_ORIGIN})
    assert (response.status_code, response.json()) == (401, INVALID)
    # A browser shows the frontend this 401 only with the CORS header on it.
    assert response.headers["Access-Control-Allow-Origin"] == FRONTEND_ORIGIN


@pytest.mark.e2e
@pytest.mark.parametrize("transports", TRANSPORTS)
@pytest.mark.parametrize("where", ["header", "auth"])
def test_an_oversized_socket_token_is_refused_as_invalid_by_the_real_server(live_server, transports, where):
    token = token_of_size(20_000)
    if where == "header":
        rec = Recorder(live_server.url, None, transports=transports,
                       headers={"Authorization": f"Bearer {token}"})
    else:
        rec = Recorder(live_server.url, token, transports=transports)
    try:
        assert not rec.connect()
        assert rec.connect_error == {"message": REFUSED_INVALID}
    finally:
        rec.close()


@pytest.mark.e2e
@pytest.mark.parametrize("headers", [
    {"Authorization": "Bearer " + "a" * 70_000},  # one line past the head's cap
    {f"X-Filler-{i}": "a" * 7_000 for i in range(10)},  # many lines past it together
], ids=["one-line", "many-lines"])
def test_a_request_head_over_64_kib_is_a_bare_400_and_the_server_serves_on(live_server, headers):
    # Documented behaviour (docs/security.md): eventlet refuses the head before the app can run.
    response = requests.get(live_server.url + "/api/v1/me", headers=headers, timeout=10)
    assert (response.status_code, response.content) == (400, b"")
    assert live_server.get("/api/v1/health").status_code == 200


def raw_request(port, target, headers=b""):
    """Send one GET with the request target's bytes as given; return (status, body bytes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        head = b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        conn.sendall(head + headers + b"\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@pytest.mark.e2e
@pytest.mark.parametrize("target, status, code", [
    (b"/api/v1/chat/conversations?before=\xff\xfe", 400, "validation_error"),
    (b"/api/v1/tickets?status=\xe9&limit=\xff", 400, "validation_error"),
    (b"/api/v1/chat/conversations/\xff/messages?before=\xc3", 404, "not_found"),
])
def test_raw_bytes_that_are_not_utf8_in_a_url_get_a_json_4xx_from_the_real_server(
        live_server, target, status, code):
    token = b"Authorization: Bearer " + make_token().encode() + b"\r\n"
    answered, body = raw_request(live_server.port, target, token)
    assert (answered, json.loads(body)["code"]) == (status, code), body


@pytest.mark.e2e
def test_a_request_line_the_server_cannot_split_gets_the_json_400(live_server):
    # A raw non-breaking space (0xA0) splits the request line in three for http.server.
    status, body = raw_request(live_server.port, b"/api/v1/health?x=\xed\xa0\x80")
    assert (status, json.loads(body)) == (400, json.loads(MALFORMED_REQUEST))


HEADERS = ["Bearer \xe9\xff", "Bearer " + "a" * 20_000, "Bearer " + "\xe9" * 9_000, "Bearer a.b.c",
           "Bearer \x7f", "Bearer", "Basic dXNlcjpw", "bearer  %ED%A0%80"]


@pytest.mark.e2e
@pytest.mark.parametrize("header", HEADERS, ids=[f"header{i}" for i in range(len(HEADERS))])
def test_every_operation_answers_a_hostile_authorization_header_with_a_json_client_error(live_server, header):
    wrong = []
    for method, path, operation in OPERATIONS:
        route = re.sub(r"\{\w+\}", "0" * 24, path)
        response = requests.request(method, live_server.url + route, headers={"Authorization": header},
                                    timeout=10)
        refused = response.status_code >= 400
        body = response.json() if refused else None
        if operation.get("security") == [{"bearer": []}]:
            if response.status_code != 401 or body.get("code") != "unauthorized":
                wrong.append((method, path, response.status_code, response.text[:120]))
        elif response.status_code >= 500 or (refused and body.get("success") is not False):
            wrong.append((method, path, response.status_code, response.text[:120]))
    assert wrong == []


def polling_session(server, token):
    """Open an Engine.IO polling session by hand with the default namespace connected; return its URL."""
    handshake = f"{server.url}/socket.io/?EIO=4&transport=polling"
    opened = requests.get(handshake, headers={"Origin": FRONTEND_ORIGIN}, timeout=5)
    url = f"{handshake}&sid={json.loads(opened.text[1:])['sid']}"
    connect = requests.post(url, data="40" + json.dumps({"token": token}),
                            headers={"Origin": FRONTEND_ORIGIN}, timeout=5)
    assert connect.text == "OK", connect.text
    return url


@pytest.mark.e2e
def test_every_event_of_a_long_polling_post_is_answered(live_server):
    # socket.io-client sends everything it buffered (emits made while it reconnected) in one
    # POST, cut at the server's maxPayload in bytes: python-engineio dropped all of a POST of
    # more than 16 packets, silently (a 200, no ack, no `error`).
    url = polling_session(live_server, make_token("flushes-its-buffer"))
    sent = range(1, 41)
    events = "\x1e".join(f'42{n}["presence:heartbeat",{{}}]' for n in sent)
    assert requests.post(url, data=events, headers={"Origin": FRONTEND_ORIGIN}, timeout=5).text == "OK"
    acks, deadline = {}, time.monotonic() + 15
    while len(acks) < len(sent) and time.monotonic() < deadline:
        for packet in requests.get(url, headers={"Origin": FRONTEND_ORIGIN}, timeout=10).text.split("\x1e"):
            if answer := re.fullmatch(r"43(\d+)(\[.*\])", packet):
                acks[int(answer[1])] = json.loads(answer[2])[0]
    assert sorted(acks) == list(sent)
    # Past the connection's 20 events a second they are refused, and say so.
    assert all(ack["success"] or ack["code"] == "rate_limited" for ack in acks.values())


@pytest.mark.e2e
def test_a_request_line_over_the_url_limit_gets_the_json_envelope(live_server):
    status, body = raw_request(live_server.port, b"/api/v1/tickets?assignedTo=" + b"a" * 9000)
    assert status == 414
    assert json.loads(body) == {"success": False, "error": "Request URI too long", "code": "validation_error"}


@pytest.mark.e2e
def test_a_chunked_json_body_is_refused_not_read_as_empty(live_server):
    """Read as `{}`, an admin's assign to someone else ran as an assign to themselves."""
    body = json.dumps({"employeeId": "someone"}).encode()
    answer = raw_http.post(live_server.port, f"/api/v1/tickets/{'0' * 24}/assign",
                           make_token("chunky-admin", "admin"),
                           ["Content-Type: application/json", "Transfer-Encoding: chunked",
                            "Connection: close"],
                           b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n", whole=True)
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 411 ")
    assert json.loads(payload)["code"] == "length_required"


@pytest.mark.e2e
def test_a_post_with_a_type_and_no_length_is_an_empty_body_as_curl_sends_it(live_server):
    """`curl -X POST -H 'Content-Type: application/json' .../sync` sends neither a length nor a body."""
    status = raw_http.post(live_server.port, "/api/v1/sync", make_token("curl-user"),
                           ["Content-Type: application/json", "Connection: close"])
    # read as an empty body: sync's own 400 (nothing to sync), not a 411 for the missing length
    assert status.startswith(b"HTTP/1.1 400 ") and b"Send conversations" in status
