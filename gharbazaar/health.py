"""Liveness, readiness and the service index."""
from flask import Blueprint, current_app, jsonify

from . import __version__, db
from .documents import iso, utcnow

bp = Blueprint("health", __name__)


@bp.get("/")
def index():
    """Name the service and link to its health checks and docs."""
    return jsonify({"success": True, "name": "GharBazaar real-time backend", "version": __version__,
                    "links": {"health": "/api/v1/health", "ready": "/api/v1/health/ready",
                              "docs": "/api/docs", "socket": "/socket.io/"}})


@bp.get("/api/v1/health")
def health():
    """Answer 200 while the process serves, saying whether the database answers."""
    return jsonify({"success": True, "message": "API is healthy", "timestamp": iso(utcnow()),
                    "database": "ok" if db.ping() else "down", "version": __version__,
                    "draining": current_app.extensions.get("draining", False)})


@bp.get("/api/v1/health/ready")
def ready():
    """Answer 200 only when the database answers and the process is not shutting down."""
    ok = db.ping() and not current_app.extensions.get("draining", False)
    body = {"success": ok, "database": "ok" if ok else "down", "timestamp": iso(utcnow())}
    if not ok:
        body.update(error="Service not ready", code="unavailable")
    return jsonify(body), 200 if ok else 503
