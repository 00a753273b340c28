"""POST /api/v1/sync: the REST form of the `sync` socket event."""
from flask import jsonify

from ..apidoc.openapi import Blueprint, answers
from ..auth import authenticate_request, require_login
from . import schemas, service
from .models import SyncAnswer

bp = require_login(Blueprint("sync", __name__, url_prefix="/api/v1/sync"))


@bp.post("")
@bp.arguments(schemas.SyncRequest)
@answers(bp, SyncAnswer)
def sync(request_data):
    """What changed since my last sequence numbers or instant (resync after reconnect)."""
    return jsonify({"success": True, "data": service.changes(authenticate_request(), request_data)})
