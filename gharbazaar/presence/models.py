"""Presence answers, as marshmallow schemas (documentation only); the payloads are in schemas.py."""
from ..models import flag, nested, one_of, shape, text, when
from .service import STATUSES


UserStatus = shape("UserStatus", userId=text(), status=one_of(STATUSES))


class UserPresence(UserStatus):
    lastSeen = when(nullable=True)


StatusResponse = shape("StatusResponse", users=nested(UserPresence, many=True))
Heartbeat = shape("Heartbeat", ok=flag())
