"""POST /api/v1/sync: the REST form of the `sync` socket event."""
from flask import Blueprint, jsonify

from ..apidoc.registry import documented
from ..auth import authenticate_request, require_login
from ..validation import load_json
from . import schemas, service
from .docs import SyncAnswer

bp = require_login(Blueprint("sync", __name__, url_prefix="/api/v1/sync"))


@bp.post("")
@documented("What changed since my last sequence numbers or instant (resync after reconnect)",
            body=schemas.SyncRequest, response=SyncAnswer, tags=["sync"])
def sync():
    """Return what changed since the client's last sequence numbers or instant."""
    request_data = load_json(schemas.SyncRequest())
    return jsonify({"success": True, "data": service.changes(authenticate_request(), request_data)})
