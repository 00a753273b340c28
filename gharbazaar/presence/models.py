"""Presence answers, as marshmallow schemas (documentation only); the payloads are in schemas.py."""
from ..models import View, flag, nested, one_of, text, when
from .service import STATUSES


class UserStatus(View):
    userId = text()
    status = one_of(STATUSES)


class UserPresence(UserStatus):
    lastSeen = when(nullable=True)


class StatusResponse(View):
    users = nested(UserPresence, many=True)


class Heartbeat(View):
    ok = flag()
