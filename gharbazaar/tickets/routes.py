"""REST routes for support tickets (/api/v1/tickets)."""
from flask import Blueprint

from ..auth import require_login

bp = require_login(Blueprint("tickets", __name__, url_prefix="/api/v1/tickets"))
