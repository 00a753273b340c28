"""Liveness, readiness and the service index."""
from flask import Blueprint, current_app, jsonify

from . import __version__, db, queue
from .apidoc.registry import documented
from .apidoc.views import DbCommands, Health, Ready, ServiceIndex
from .documents import iso, utcnow

bp = Blueprint("health", __name__)


@bp.get("/")
@documented("Name the service and link to health and docs", response=ServiceIndex, enveloped=False,
            auth=False, rate_limited=False, tags=["health"])
def index():
    """Name the service and link to its health checks and docs."""
    return jsonify({"success": True, "name": "GharBazaar real-time backend", "version": __version__,
                    "links": {"health": "/api/v1/health", "ready": "/api/v1/health/ready",
                              "docs": "/api/docs", "socket": "/socket.io/"}})


@bp.get("/api/v1/health")
@documented("Liveness: 200 while the process serves", response=Health, enveloped=False, auth=False,
            rate_limited=False, tags=["health"])
def health():
    """Answer 200 while the process serves, saying whether the database answers."""
    return jsonify({"success": True, "message": "API is healthy", "timestamp": iso(utcnow()),
                    "database": "ok" if db.ping() else "down",
                    "redis": queue.redis_status(current_app), "version": __version__,
                    "draining": current_app.extensions.get("draining", False)})


@bp.get("/api/v1/health/ready")
@documented("Readiness: 200 only when the database answers and the process is not draining",
            response=Ready, enveloped=False, other={503: Ready}, auth=False, rate_limited=False,
            tags=["health"])
def ready():
    """Answer 200 only when the database answers and the process is not shutting down.

    A Redis outage is reported but does not fail readiness: each process still serves its
    own clients, and failing every process at once would turn a degradation into an outage.
    """
    database = db.ping()
    ok = database and not current_app.extensions.get("draining", False)
    body = {"success": ok, "database": "ok" if database else "down",
            "redis": queue.redis_status(current_app), "timestamp": iso(utcnow())}
    if not ok:
        body.update(error="Service not ready", code="unavailable")
    return jsonify(body), 200 if ok else 503


@bp.get("/api/v1/health/db-commands")
@documented("Database round trips by command (DB_METRICS=on only; 404 otherwise)", response=DbCommands,
            errors=(404,), auth=False, rate_limited=False, tags=["health"])
def db_commands():
    """Database round trips by command since start (DB_METRICS=on, never in production)."""
    counts = db.command_counts()
    if counts is None:
        return jsonify({"success": False, "error": "Endpoint not found", "code": "not_found",
                        "path": "/api/v1/health/db-commands"}), 404
    return jsonify({"success": True, "data": {"commands": counts, "total": sum(counts.values())}})
