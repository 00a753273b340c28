"""Who is calling: token verification and the current actor for REST and sockets.

Tokens come from GharBazaar's auth service and carry `userId` (or `sub`/`id`), not the
`sub`-only identity flask-jwt-extended insists on, so they are verified with PyJWT
(which flask-jwt-extended itself uses); flask-jwt-extended mints development tokens.
"""
from dataclasses import dataclass

import jwt
from flask import current_app, g, request

from .errors import Unauthorized
from .validation import is_text

CUSTOMER_ROLES = frozenset({
    "buyer", "seller", "legal_partner", "ground_partner", "promoter_partner", "service_partner",
})
STAFF_ROLES = frozenset({"employee", "admin"})
ROLES = CUSTOMER_ROLES | STAFF_ROLES
ID_CLAIMS = ("userId", "sub", "id")
MAX_TOKEN_BYTES = 8192
MAX_CLAIM_CHARS = 256

MISSING_TEXT = "No token provided. Please login."
INVALID_TEXT = "Invalid or expired token. Please login again."


class TokenMissing(Exception):
    """No token was presented."""


class TokenExpired(Exception):
    """The token was valid once and has expired."""


class TokenInvalid(Exception):
    """The token is forged, malformed or carries claims we refuse."""


@dataclass(frozen=True)
class Actor:
    """The authenticated user behind a request or socket."""

    id: str
    role: str
    email: str | None = None
    name: str | None = None
    exp: float | None = None

    @property
    def is_staff(self):
        return self.role in STAFF_ROLES

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def display_name(self):
        """Return a name that is never empty: name, else email local part, else id."""
        if self.name:
            return self.name
        if self.email:
            return self.email.split("@", 1)[0]
        return self.id


def strip_bearer(value):
    """Return the token from 'Bearer <t>' or a bare token; None when empty."""
    if not value or not isinstance(value, str):
        return None
    parts = value.split(None, 1)
    if parts and parts[0].lower() == "bearer":
        parts = parts[1:]
    return parts[0].strip() if parts else None


def _text_claim(claims, name, required=False):
    value = claims.get(name)
    if not required and (value is None or isinstance(value, str) and not value.strip()):
        # A blank display claim is no claim: the original signup stores a name of spaces, and
        # refusing the token would lock that user out of chat and tickets over a display name.
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_CLAIM_CHARS or not is_text(value):
        raise TokenInvalid(f"bad claim {name}")
    return value.strip()


def verify_token(token, config):
    """Return the Actor for a token or raise TokenMissing/TokenExpired/TokenInvalid."""
    if not token:
        raise TokenMissing()
    if len(token) > MAX_TOKEN_BYTES:
        raise TokenInvalid("token too large")
    required = ["exp"] if config["JWT_REQUIRE_EXP"] else []
    if config["JWT_ISSUER"]:
        required.append("iss")
    if config["JWT_AUDIENCE"]:
        required.append("aud")
    try:
        claims = jwt.decode(
            token, config["JWT_SECRET"], algorithms=["HS256"],
            issuer=config["JWT_ISSUER"], audience=config["JWT_AUDIENCE"],
            # `iat` is not checked, as the original (jsonwebtoken) never did: the auth service runs on
            # other hosts, and a clock a second ahead of ours made every token it issued "invalid"
            # (the browser's socket then gave up until a reload). `exp` and `nbf` stay exact.
            options={"require": required, "verify_aud": bool(config["JWT_AUDIENCE"]), "verify_iat": False},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired() from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalid(type(exc).__name__) from exc
    return _actor_from_claims(claims)


def _actor_from_claims(claims):
    user_id = next((claims[c] for c in ID_CLAIMS if claims.get(c) is not None), None)
    if user_id is None:
        raise TokenInvalid("no user id")
    role = claims.get("role")
    if not isinstance(role, str) or role not in ROLES:
        raise TokenInvalid("unknown role")
    if isinstance(user_id, str) and user_id != user_id.strip():
        raise TokenInvalid("padded user id")  # an opaque id is compared as signed: " alice" is not "alice"
    return Actor(
        id=_text_claim({"id": user_id}, "id", required=True),
        role=role,
        email=_text_claim(claims, "email"),
        name=_text_claim(claims, "name"),
        exp=_expiry(claims.get("exp")),
    )


def _expiry(exp):
    """Return the `exp` claim as seconds, or raise TokenInvalid for one no clock can reach."""
    # PyJWT accepts any integer (or digit string) as `exp`; 10**400 is past what a float holds.
    try:
        return float(exp) if exp is not None else None
    except (OverflowError, TypeError, ValueError):
        raise TokenInvalid("exp out of range") from None


def authenticate_request():
    """Return the request's Actor (cached on g) or raise Unauthorized."""
    if "actor" in g:
        return g.actor
    token = strip_bearer(request.headers.get("Authorization"))
    try:
        g.actor = verify_token(token, current_app.config)
    except TokenMissing:
        raise Unauthorized(MISSING_TEXT) from None
    except TokenExpired:
        raise Unauthorized(INVALID_TEXT, code="token_expired") from None
    except TokenInvalid:
        raise Unauthorized(INVALID_TEXT) from None
    return g.actor


def optional_actor():
    """Return the request's Actor or None, never raising (used to key rate limits)."""
    try:
        return authenticate_request()
    except Unauthorized:
        return None


def require_login(blueprint):
    """Make every route of a blueprint authenticated."""
    def authenticate():
        authenticate_request()  # returns None: a value here would become the response

    blueprint.before_request(authenticate)
    return blueprint
