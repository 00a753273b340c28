"""GET /api/v1/me: the caller as this backend sees their token (helps frontend debugging)."""
from flask import jsonify

from ..apidoc.openapi import Blueprint, answers
from ..apidoc.views import MeAnswer
from ..auth import authenticate_request, require_login

bp = require_login(Blueprint("identity", __name__, url_prefix="/api/v1"))


@bp.get("/me")
@answers(bp, MeAnswer)
def me():
    """Who am I, as this backend reads my token."""
    actor = authenticate_request()
    return jsonify({"success": True, "data": {"user": {
        "id": actor.id, "role": actor.role, "email": actor.email, "name": actor.display_name,
        "isStaff": actor.is_staff}}})
