"""REST routes for buyer-seller chat (/api/v1/chat)."""
from flask import Blueprint

from ..auth import require_login

bp = require_login(Blueprint("chat", __name__, url_prefix="/api/v1/chat"))
