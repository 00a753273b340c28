"""The one error envelope: validation, operators, sizes, methods, rate limits, 503 and 500."""
import io

import pytest
from flask import Blueprint, jsonify
from marshmallow import fields, validate

from gharbazaar import errors
from gharbazaar.db import get_db, object_id
from gharbazaar.validation import BaseSchema, load_json
from tests.support import auth, make_token


class NoteSchema(BaseSchema):
    content = fields.String(required=True, validate=validate.Length(min=1, max=100))
    tags = fields.List(fields.String(), load_default=list)


def probe_blueprint():
    """Routes that exercise the shared parsing and storage helpers the features use."""
    bp = Blueprint("probe", __name__, url_prefix="/api/v1/probe")

    @bp.post("/notes")
    def create_note():
        note = load_json(NoteSchema())
        get_db().notes.insert_one(dict(note))
        return jsonify({"success": True, "data": {"content": note["content"]}}), 201

    @bp.get("/notes/<note_id>")
    def get_note(note_id):
        doc = get_db().notes.find_one({"_id": object_id(note_id, "Note")})
        return jsonify({"success": True, "data": {"found": doc is not None}})

    @bp.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    return bp


@pytest.fixture
def probe(make_app):
    def build(**overrides):
        app = make_app(indexes="MONGODB_URI" not in overrides, **overrides)
        app.register_blueprint(probe_blueprint())
        return app.test_client()
    return build


def test_unknown_route_is_a_json_404_naming_the_path(client):
    response = client.get("/nope/here")
    assert response.status_code == 404
    assert response.get_json() == {"success": False, "error": "Endpoint not found",
                                   "code": "not_found", "path": "/nope/here"}


def test_an_id_holding_slashes_is_a_json_404_not_a_redirect(client, token):
    response = client.post("/api/v1/chat/conversations/%2F%2F%5B/read", json={}, headers={
        "Authorization": f"Bearer {token()}"})
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_wrong_method_is_a_json_405(client):
    response = client.delete("/api/v1/health")
    assert response.status_code == 405
    assert response.get_json()["code"] == "method_not_allowed"


def test_valid_body_is_accepted(probe):
    response = probe().post("/api/v1/probe/notes", json={"content": "hello", "extra": 1})
    assert response.status_code == 201
    assert response.get_json() == {"success": True, "data": {"content": "hello"}}


@pytest.mark.parametrize("body, field", [
    ({"content": {"$ne": None}}, "content.$ne"),
    ({"content": "ok", "tags": [{"$gt": ""}]}, "tags[0].$gt"),
    ({"$where": "sleep(1000)", "content": "x"}, "$where"),
])
def test_mongodb_operators_in_a_body_are_a_400(probe, body, field):
    client = probe()
    response = client.post("/api/v1/probe/notes", json=body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["code"] == "validation_error"
    assert field in [d["field"] for d in payload["details"]]


def test_nothing_is_written_for_a_refused_body(probe, app):
    client = probe()
    client.post("/api/v1/probe/notes", json={"content": {"$ne": None}})
    assert client.get("/api/v1/probe/notes/000000000000000000000000").status_code == 200


@pytest.mark.parametrize("body, field", [
    ({}, "content"),
    ({"content": ""}, "content"),
    ({"content": 5}, "content"),
    ({"content": "x" * 101}, "content"),
    ({"content": "x", "tags": "notalist"}, "tags"),
])
def test_validation_errors_list_the_field(probe, body, field):
    response = probe().post("/api/v1/probe/notes", json=body)
    assert response.status_code == 400
    payload = response.get_json()
    assert payload["success"] is False and isinstance(payload["error"], str)
    assert payload["details"][0]["field"] == field


@pytest.mark.parametrize("raw", ["[1, 2]", "\"text\"", "42", "null"])
def test_a_body_that_is_not_an_object_is_a_400(probe, raw):
    response = probe().post("/api/v1/probe/notes", data=raw, content_type="application/json")
    assert response.status_code == 400


def test_malformed_json_is_a_400(probe):
    response = probe().post("/api/v1/probe/notes", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] == "validation_error"


def test_non_json_body_is_a_415(probe):
    response = probe().post("/api/v1/probe/notes", data="content=x")
    assert response.status_code == 415
    assert response.get_json()["code"] == "unsupported_media_type"


def test_json_body_over_the_cap_is_a_413(probe):
    response = probe(MAX_JSON_BYTES=1000).post("/api/v1/probe/notes", json={"content": "x" * 2000})
    assert response.status_code == 413
    assert response.get_json()["code"] == "payload_too_large"


def test_malformed_object_id_is_a_404(probe):
    response = probe().get("/api/v1/probe/notes/not-an-id")
    assert response.status_code == 404
    assert response.get_json() == {"success": False, "error": "Note not found", "code": "not_found"}


def test_a_bug_is_a_500_with_a_request_id_and_no_internals(probe):
    response = probe().get("/api/v1/probe/boom")
    assert response.status_code == 500
    body = response.get_json()
    assert body["code"] == "internal_error" and body["requestId"]
    assert "secret internals" not in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"] == body["requestId"]


def test_database_down_is_a_fast_503(probe):
    client = probe(MONGODB_URI="mongodb://127.0.0.1:9/?directConnection=true", MONGODB_TIMEOUT_MS=300)
    response = client.post("/api/v1/probe/notes", json={"content": "x"})
    assert response.status_code == 503
    assert response.get_json()["code"] == "unavailable"


def test_a_503_keeps_its_own_retry_after_and_other_answers_carry_none(probe):
    # flask-limiter would write its REST window's reset (up to 15 minutes) over the 503's 5 s.
    client = probe(MONGODB_URI="mongodb://127.0.0.1:9/?directConnection=true", MONGODB_TIMEOUT_MS=300,
                   RATE_LIMIT_REST="1000 per 15 minutes")
    response = client.post("/api/v1/probe/notes", json={"content": "x"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    answered = client.get("/api/v1/me", headers=auth(make_token("calm")))
    assert answered.status_code == 200 and "Retry-After" not in answered.headers
    assert answered.headers["X-RateLimit-Remaining"]


def test_an_errors_text_is_its_reason_phrase_when_http_allows_it(make_app):
    # The frontend's chat upload shows xhr.statusText alone when an upload fails.
    client = make_app(MAX_UPLOAD_MB=1).test_client()
    body = {"file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "big.png"), "conversationId": "0" * 24}
    response = client.post("/api/v1/chat/upload", headers=auth(make_token("big")),
                           content_type="multipart/form-data", data=body)
    assert response.status == "413 File too large. Maximum size: 1MB"
    assert response.get_json()["error"] == "File too large. Maximum size: 1MB"
    with client.application.test_request_context():
        assert errors._status_line(400, "Naam \u0928\u0939\u0940\u0902") == 400  # the standard phrase
        assert errors._status_line(400, "two\r\nlines") == 400


def test_rate_limit_is_a_429_with_retry_after(make_app):
    client = make_app(RATE_LIMIT_REST="2 per minute").test_client()
    headers = auth(make_token("limited"))
    assert [client.get("/api/v1/me", headers=headers).status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 429
    assert response.get_json()["code"] == "rate_limited"
    assert 0 < int(response.headers["Retry-After"]) <= 60  # rounded up, never past the window


def test_rate_limits_are_per_user_not_shared(make_app):
    client = make_app(RATE_LIMIT_REST="1 per minute").test_client()
    assert client.get("/api/v1/me", headers=auth(make_token("first"))).status_code == 200
    assert client.get("/api/v1/me", headers=auth(make_token("second"))).status_code == 200
    assert client.get("/api/v1/me", headers=auth(make_token("first"))).status_code == 429


def test_the_rest_limit_is_one_budget_per_user_across_every_route(make_app):
    client = make_app(RATE_LIMIT_REST="4 per minute").test_client()
    headers = auth(make_token("spread"))
    paths = ["/api/v1/me", "/api/v1/chat/conversations", "/api/v1/tickets", "/api/v1/tickets/",
             "/api/v1/chat/blocks"]
    assert [client.get(path, headers=headers).status_code for path in paths] == [200] * 4 + [429]
    anonymous = [client.get(path).status_code for path in paths]
    assert anonymous == [401] * 4 + [429], "one budget per address when anonymous"


def test_health_is_never_rate_limited(make_app):
    client = make_app(RATE_LIMIT_REST="1 per minute").test_client()
    assert {client.get("/api/v1/health").status_code for _ in range(3)} == {200}


def test_request_id_is_echoed_when_sensible(client):
    def echoed(request_id):
        return client.get("/api/v1/health", headers={"X-Request-ID": request_id}).headers["X-Request-ID"]

    assert echoed("abc12345-req") == "abc12345-req"
    assert echoed("bad id!") != "bad id!"


@pytest.mark.parametrize("hops, budgets", [(None, 1), (1, 2)])
def test_x_forwarded_for_picks_the_anonymous_budget_only_behind_a_declared_proxy(make_app, hops, budgets):
    client = make_app(RATE_LIMIT_REST="1 per minute", PROXY_HOPS=hops).test_client()
    answers = [client.get("/api/v1/me", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
               for n in (1, 2)]
    assert answers.count(401) == budgets, "outside production, no proxy unless PROXY_HOPS says so"
