"""Hostile file links: every hostile value as `exp`, `sig` or the file id, with and without a token.

A link is a capability of its own: a bad one is a 403 (a 401 with no credentials at all), a
participant's token still works beside it, and nothing is ever a 5xx. Swept in process, and
sent as raw bytes to the real eventlet server, which decodes the request line itself.
"""
import io
import json
import socket
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests

from tests.support.files import png_bytes
from tests.security import hostile
from tests.support import auth, make_token, unique

BAD_LINK = {"success": False, "error": "Invalid or expired file link", "code": "forbidden"}
NO_FILE = {"success": False, "error": "File not found", "code": "not_found"}


class Link:
    """A file the owner uploaded to a conversation with the participant and sent them, and its signed link."""

    def __init__(self, call, owner, participant):
        conversation = call("post", "/api/v1/chat/conversations", json={"otherUserId": participant},
                            headers=auth(make_token(owner))).json_body["data"]["conversation"]
        stored = call("post", "/api/v1/chat/upload", headers=auth(make_token(owner)), files={
            "conversationId": (None, conversation["id"]),
            "file": ("house.png", png_bytes(), "image/png")}).json_body["data"]
        call("post", f"/api/v1/chat/conversations/{conversation['id']}/messages",  # read by the participant
             json={"fileUrl": stored["url"]}, headers=auth(make_token(owner)))
        query = parse_qs(urlsplit(stored["url"]).query)
        self.id, self.exp, self.sig = stored["fileId"], query["exp"][0], query["sig"][0]

    def path(self, file_id=None, exp=None, sig=None):
        """Return the link's path and query, with any part replaced by an already encoded value."""
        return f"/api/v1/files/{file_id or self.id}?exp={exp or self.exp}&sig={sig or quote(self.sig)}"


class InProcess:
    """The security app's test client, answering like requests does (json_body, status_code)."""

    def __init__(self, client):
        self.client = client

    def __call__(self, method, path, files=None, **kwargs):
        if files:
            kwargs.update(content_type="multipart/form-data", data={
                name: value[1] if value[0] is None else (io.BytesIO(value[1]), value[0], value[2])
                for name, value in files.items()})
        response = self.client.open(path, method=method.upper(), **kwargs)
        response.json_body = response.get_json(silent=True)
        return response


@pytest.fixture(scope="module")
def people():
    return {"owner": unique("owner"), "participant": unique("participant"), "outsider": unique("outsider")}


@pytest.fixture(scope="module")
def link(security_client, people):
    return Link(InProcess(security_client), people["owner"], people["participant"])


def answers(client, path, who, people):
    headers = auth(make_token(people[who])) if who else {}
    response = client.get(path, headers=headers)
    return response.status_code, response.get_json(silent=True)


def test_the_link_itself_works_without_a_token(security_client, link):
    assert security_client.get(link.path()).status_code == 200


@pytest.mark.parametrize("part", ["exp", "sig"])
def test_every_hostile_expiry_or_signature_is_a_403_without_a_token_and_ignored_beside_a_token(
        security_client, link, people, part):
    wrong = []
    for kind, value in hostile.query_values():
        path = link.path(**{part: value})
        expected = {None: (403, BAD_LINK), "participant": (200, None), "outsider": (404, NO_FILE)}
        for who, outcome in expected.items():
            if answers(security_client, path, who, people) != outcome:
                wrong.append((kind, value, who, answers(security_client, path, who, people)))
    assert wrong == []


def test_every_hostile_file_id_beside_a_valid_signature_is_refused(security_client, link, people):
    wrong = []
    for kind, value in hostile.query_values():
        for who in (None, "participant"):
            status, body = answers(security_client, link.path(file_id=value), who, people)
            # Another id does not match the signature (403); with a token, a real id is still needed (404).
            expected = {403: BAD_LINK, 404: NO_FILE} if who is None else {404: NO_FILE}
            if status == 404 and body.get("error") == "Endpoint not found":  # an encoded "/": another route
                continue
            if expected.get(status) != body:
                wrong.append((kind, value, who, status, body))
    assert wrong == []


# No byte that splits a request line (0xA0, 0x85): test_request_limits.py covers those.
RAW = [b"\xc3\xa9\xc3\xa9", b"\xff\xfe", b"\xed\xb2\x80", b"%FF%FE", b"%ED%A0%80", b"\xe2\x80\xae", b"%00"]


@pytest.mark.e2e
@pytest.mark.parametrize("part", ["exp", "sig"])
def test_the_real_server_answers_raw_non_ascii_bytes_in_a_link_with_the_json_403(live_server, people, part):
    def call(method, path, **kwargs):
        response = requests.request(method, live_server.url + path, timeout=10, **kwargs)
        response.json_body = response.json()
        return response
    link = Link(call, people["owner"], people["participant"])
    wrong = []
    for raw in RAW:
        parts = {"exp": link.exp.encode(), "sig": quote(link.sig).encode(), part: raw}
        status, body = raw_get(live_server.port, b"/api/v1/files/%s?exp=%s&sig=%s" % (
            link.id.encode(), parts["exp"], parts["sig"]))
        if (status, body) != (403, BAD_LINK):
            wrong.append((raw, status, body))
    assert wrong == []


def raw_get(port, target):
    """Send one GET with the request target's bytes exactly as given; return (status, JSON body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body[:200]
