"""Structured logs: one JSON line per record, one per request, with ids and no secrets."""
import json
import logging
import re
import sys
import time
import uuid

from flask import g, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object; `extra={"fields": {...}}` adds keys."""

    def format(self, record):
        line = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


JsonFormatter.converter = time.gmtime


def configure(level):
    """Send every log record to stderr as JSON at the given level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("engineio", "socketio", "werkzeug", "pymongo"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def _start_request():
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _log_request(response):
    actor = g.get("actor")
    logging.getLogger("gharbazaar.request").info("request", extra={"fields": {
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": request.path,  # never the query string: it may hold signed-link secrets
        "status": response.status_code,
        "ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
        "user": actor.id if actor else None,
        "ip": request.remote_addr,
    }})
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def init_app(app):
    """Configure logging and log every request in one line."""
    if not app.testing:
        configure(app.config["LOG_LEVEL"])
    app.before_request(_start_request)
    app.after_request(_log_request)
