"""Liveness, readiness and the service index."""
from flask import current_app, jsonify

from . import __version__, db, redis_queue
from .extensions import talisman
from .apidoc.openapi import PUBLIC, Blueprint, envelope, errors
from .apidoc.views import DbCommands, Health, Ready, ServiceIndex
from .models import iso, utcnow

bp = Blueprint("health", __name__)


@bp.get("/")
@bp.response(200, ServiceIndex)
@bp.doc(security=PUBLIC)
def index():
    """Name the service and link to health and docs."""
    return jsonify({"success": True, "name": "GharBazaar real-time backend", "version": __version__,
                    "links": {"health": "/api/v1/health", "ready": "/api/v1/health/ready",
                              "docs": "/api/docs", "socket": "/socket.io/"}})


# Liveness answers at once whatever the database does: a probe with a 1 s timeout must not
# restart a healthy process because the database is slow.
LIVENESS_PING_S = 0.5


# Probes from inside a platform come over plain HTTP without X-Forwarded-Proto: answered, not
# redirected to https (a 302 would count as healthy and hide a 503).
@bp.get("/api/v1/health")
@talisman(force_https=False)
@bp.response(200, Health)
@bp.doc(security=PUBLIC)
def health():
    """Liveness: 200 while the process serves."""
    return jsonify({"success": True, "message": "API is healthy", "timestamp": iso(utcnow()),
                    "database": "ok" if db.ping(timeout_s=LIVENESS_PING_S) else "down",
                    "redis": redis_queue.redis_status(current_app), "version": __version__,
                    "draining": current_app.extensions.get("draining", False)})


@bp.get("/api/v1/health/ready")
@talisman(force_https=False)
@bp.response(200, Ready)
@bp.alt_response(503, schema=Ready, description="Not ready")
@bp.doc(security=PUBLIC)
def ready():
    """Readiness: 200 only when the database answers and the process is not draining.

    A Redis outage is reported but does not fail readiness: each process still serves its
    own clients, and failing every process at once would turn a degradation into an outage.
    """
    database = db.ping()
    ok = database and not current_app.extensions.get("draining", False)
    body = {"success": ok, "database": "ok" if database else "down",
            "redis": redis_queue.redis_status(current_app), "timestamp": iso(utcnow())}
    if not ok:
        body.update(error="Service not ready", code="unavailable")
    return jsonify(body), 200 if ok else 503


@bp.get("/api/v1/health/db-commands")
@bp.response(200, envelope(DbCommands))
@bp.doc(security=PUBLIC)
@errors(bp, 404)
def db_commands():
    """Database round trips by command (DB_METRICS=on only; 404 otherwise)."""
    counts = db.command_counts()
    if counts is None:
        return jsonify({"success": False, "error": "Endpoint not found", "code": "not_found",
                        "path": "/api/v1/health/db-commands"}), 404
    return jsonify({"success": True, "data": {"commands": counts, "total": sum(counts.values()),
                                              "waited": db.command_timings()}})
