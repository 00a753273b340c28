"""Authentication over REST and the Socket.IO handshake (test client; texts in e2e)."""
import hashlib
import hmac
import json
import time

import jwt
import pytest

from gharbazaar.auth import INVALID_TEXT, MISSING_TEXT
from tests.support import TEST_SECRET, auth, make_token

ME = "/api/v1/me"


def rsa_keys():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, public


def rs256_token():
    key, _ = rsa_keys()
    return jwt.encode({"userId": "u1", "role": "admin", "exp": int(time.time()) + 60}, key, algorithm="RS256")


def public_key_as_hmac_secret_token():
    _, public = rsa_keys()
    header = jwt.utils.base64url_encode(b'{"alg":"HS256","typ":"JWT"}')
    claims = {"userId": "u1", "role": "admin", "exp": int(time.time()) + 60}
    body = jwt.utils.base64url_encode(json.dumps(claims).encode())
    signature = hmac.new(public, header + b"." + body, hashlib.sha256).digest()
    return (header + b"." + body + b"." + jwt.utils.base64url_encode(signature)).decode()


def none_alg_token(**claims):
    body = {"userId": "u1", "role": "buyer", "exp": int(time.time()) + 60, **claims}
    return jwt.encode(body, None, algorithm="none")


REFUSED = {
    "alg none": lambda: none_alg_token(),
    "wrong secret": lambda: make_token(secret="another-secret-that-is-long-enough-000000"),
    "expired": lambda: make_token(ttl=-10),
    "missing userId": lambda: make_token(userId=None),
    "unknown role": lambda: make_token(role="superuser"),
    "missing role": lambda: make_token(role=None),
    "numeric userId": lambda: make_token(userId=17),
    "empty userId": lambda: make_token(userId="  "),
    # An opaque id is compared as signed: " u1" or "u1\t" must not become u1.
    "userId with spaces around": lambda: make_token(userId=" u1 "),
    "userId with a trailing tab": lambda: make_token(userId="u1\t"),
    "sub with a leading space": lambda: make_token(userId=None, sub=" u1"),
    "missing exp": lambda: make_token(exp=None),
    "string exp": lambda: make_token(exp="tomorrow"),
    "exp past what a float holds": lambda: make_token(exp=10**400),  # was a 500
    "not yet valid": lambda: make_token(nbf=int(time.time()) + 600),
    "huge token": lambda: make_token(padding="x" * 9000),
    "garbage": lambda: "not.a.token",
    "truncated signature": lambda: make_token()[:-5],
    "empty signature": lambda: make_token().rsplit(".", 1)[0] + ".",
    "RS256 signed": rs256_token,
    "HS256 keyed with a public key": public_key_as_hmac_secret_token,
    "role as a list": lambda: make_token(role=["admin"]),
    "email not a string": lambda: make_token(email=5),
    "userId operator object": lambda: make_token(userId={"$ne": None}),
    # Correctly signed, but not valid Unicode: stored, they failed in the database (a 500).
    "unpaired surrogate in userId": lambda: make_token(userId="u\ud800"),
    "unpaired surrogate in name": lambda: make_token(name="\udfff"),
    "unpaired surrogate in email": lambda: make_token(email="a\ud800@example.com"),
}


def test_missing_token_is_refused_with_the_login_text(client):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.get_json() == {"success": False, "error": MISSING_TEXT, "code": "unauthorized"}


def test_empty_bearer_counts_as_missing(client):
    response = client.get(ME, headers={"Authorization": "Bearer   "})
    assert response.get_json()["error"] == MISSING_TEXT


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_tokens_are_refused_over_rest(client, case):
    response = client.get(ME, headers=auth(REFUSED[case]()))
    assert response.status_code == 401
    body = response.get_json()
    assert body["error"] == INVALID_TEXT
    assert body["code"] == ("token_expired" if case == "expired" else "unauthorized")


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_tokens_are_refused_at_the_socket_handshake(socket_client, case):
    assert not socket_client(REFUSED[case]()).is_connected()


def test_valid_token_identifies_the_user(client):
    response = client.get(ME, headers=auth(make_token("demo_buyer_001", "buyer", name="Asha")))
    assert response.status_code == 200
    assert response.get_json()["data"]["user"] == {
        "id": "demo_buyer_001", "role": "buyer", "email": "demo_buyer_001@example.com",
        "name": "Asha", "isStaff": False}


@pytest.mark.parametrize("skew", [1, 30, 3600])
def test_a_token_issued_by_a_clock_ahead_of_ours_is_accepted(client, socket_client, skew):
    # jsonwebtoken (the auth service's library) never checks `iat`; PyJWT refuses one in the future.
    tok = make_token("u-skew", iat=int(time.time()) + skew)
    assert client.get(ME, headers=auth(tok)).get_json()["data"]["user"]["id"] == "u-skew"
    assert socket_client(tok).is_connected()


@pytest.mark.parametrize("claims, user", [
    ({"name": "  "}, {"name": "u-blank", "email": "u-blank@example.com"}),  # the email's local part
    ({"name": ""}, {"name": "u-blank", "email": "u-blank@example.com"}),
    ({"name": "Asha", "email": " \t"}, {"name": "Asha", "email": None}),
])
def test_a_blank_name_or_email_claim_counts_as_absent(client, socket_client, claims, user):
    # The original signup stores a name of spaces; the token must still open chat and tickets.
    tok = make_token("u-blank", **claims)
    answer = client.get(ME, headers=auth(tok)).get_json()["data"]["user"]
    assert {key: answer[key] for key in ("id", "name", "email")} == {"id": "u-blank", **user}
    assert socket_client(tok).is_connected()


@pytest.mark.parametrize("claim", ["sub", "id"])
def test_user_id_aliases_are_accepted(client, claim):
    tok = make_token(userId=None, **{claim: "user-17"})
    assert client.get(ME, headers=auth(tok)).get_json()["data"]["user"]["id"] == "user-17"


@pytest.mark.parametrize("role, staff", [("seller", False), ("legal_partner", False),
                                         ("service_partner", False), ("employee", True), ("admin", True)])
def test_every_known_role_is_accepted(client, role, staff):
    user = client.get(ME, headers=auth(make_token("u2", role))).get_json()["data"]["user"]
    assert user["isStaff"] is staff


def test_display_name_falls_back_to_email_then_id(client):
    by_email = make_token("u3", email="priya.k@example.com")
    by_id = make_token("u4", email=None)
    assert client.get(ME, headers=auth(by_email)).get_json()["data"]["user"]["name"] == "priya.k"
    assert client.get(ME, headers=auth(by_id)).get_json()["data"]["user"]["name"] == "u4"


def test_audience_claim_is_ignored_when_not_configured(client):
    assert client.get(ME, headers=auth(make_token(aud="gharbazaar-frontend"))).status_code == 200


@pytest.fixture
def strict_client(make_app):
    app = make_app(JWT_ISSUER="gharbazaar-backend", JWT_AUDIENCE="gharbazaar-frontend")
    return app.test_client()


@pytest.mark.parametrize("claims, status", [
    ({"iss": "gharbazaar-backend", "aud": "gharbazaar-frontend"}, 200),
    ({"iss": "someone-else", "aud": "gharbazaar-frontend"}, 401),
    ({"iss": "gharbazaar-backend", "aud": "another-app"}, 401),
    ({"aud": "gharbazaar-frontend"}, 401),
    ({"iss": "gharbazaar-backend"}, 401),
])
def test_issuer_and_audience_must_match_when_configured(strict_client, claims, status):
    assert strict_client.get(ME, headers=auth(make_token(**claims))).status_code == status


def test_socket_accepts_token_in_auth_payload_with_or_without_bearer(socket_client):
    assert socket_client(make_token()).is_connected()
    assert socket_client("Bearer " + make_token()).is_connected()


def test_socket_accepts_authorization_header(socket_client):
    sock = socket_client(None, headers={"Authorization": f"Bearer {make_token()}"})
    assert sock.is_connected()


def test_socket_never_reads_a_query_string_token(app):
    sock = app.extensions["socketio"].test_client(app, query_string=f"token={make_token()}")
    assert not sock.is_connected()


def test_socket_refuses_missing_token(socket_client):
    assert not socket_client(None).is_connected()


@pytest.mark.parametrize("namespace", ["/chat", "/tickets"])
def test_feature_namespaces_authenticate_too(socket_client, namespace):
    assert socket_client(make_token(), namespace=namespace).is_connected(namespace)
    assert not socket_client(None, namespace=namespace).is_connected(namespace)


def test_secret_used_in_tests_is_long_enough():
    assert len(TEST_SECRET.encode()) >= 32


def test_require_login_guards_every_route_of_a_blueprint(make_app):
    from flask import Blueprint, jsonify

    from gharbazaar.auth import require_login
    bp = require_login(Blueprint("guarded", __name__, url_prefix="/api/v1/guarded"))
    bp.get("/")(lambda: jsonify({"success": True}))
    app = make_app()
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/api/v1/guarded/").status_code == 401
    assert client.get("/api/v1/guarded/", headers=auth(make_token())).status_code == 200
