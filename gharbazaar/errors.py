"""One error model for REST and Socket.IO: the AppError family and its envelope."""
import logging
import math
import uuid

from flask import current_app, g, jsonify, request
from pymongo.errors import ConnectionFailure, PyMongoError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

UNAVAILABLE_TEXT = "Service temporarily unavailable. Please try again shortly."


class AppError(Exception):
    """A failure the client caused or can act on; carries status, code and text."""

    status = 400
    code = "bad_request"
    message = "Bad request"

    def __init__(self, message=None, code=None, details=None, headers=None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.details = details
        self.headers = headers or {}

    def body(self):
        """Return the error envelope shared by REST answers and socket acks."""
        body = {"success": False, "error": self.message, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(AppError):
    status, code, message = 400, "validation_error", "Validation failed"


class Unauthorized(AppError):
    status, code, message = 401, "unauthorized", "No token provided. Please login."


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    status, code, message = 404, "not_found", "Not found"


class Conflict(AppError):
    status, code, message = 409, "conflict", "Conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class PayloadTooLarge(AppError):
    status, code, message = 413, "payload_too_large", "Request body too large"


def file_too_large():
    """Return the contract's 413 for an upload over MAX_UPLOAD_MB."""
    return PayloadTooLarge(f"File too large. Maximum size: {current_app.config['MAX_UPLOAD_MB']}MB")


class RequestTimeout(AppError):
    status, code, message = 408, "request_timeout", "The request took too long to arrive. Please try again."


class LengthRequired(AppError):
    status, code, message = 411, "length_required", "Content-Length required"


class UnsupportedMediaType(AppError):
    status, code, message = 415, "unsupported_media_type", "Unsupported media type"


class RateLimited(AppError):
    status, code, message = 429, "rate_limited", "Too many requests. Please slow down."

    def __init__(self, retry_after=1, **kwargs):
        super().__init__(**kwargs)
        self.retry_after = max(1, math.ceil(retry_after))  # rounded up: waiting as told succeeds
        self.headers["Retry-After"] = str(self.retry_after)


class Unavailable(AppError):
    status, code, message = 503, "unavailable", UNAVAILABLE_TEXT


class InternalError(AppError):
    status, code, message = 500, "internal_error", "Internal server error"


_HTTP_CODES = {
    400: ("validation_error", "Bad request"),
    401: ("unauthorized", "No token provided. Please login."),
    403: ("forbidden", "Forbidden"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    416: ("range_not_satisfiable", "Requested range not satisfiable"),
    429: ("rate_limited", "Too many requests. Please try again later."),
}


def as_app_error(exc):
    """Translate any exception into an AppError (unknown ones become a logged 500)."""
    if isinstance(exc, AppError):
        return exc
    # A timeout (a hung or overloaded database) is an outage too, whatever family pymongo gives it.
    if isinstance(exc, ConnectionFailure) or (isinstance(exc, PyMongoError) and exc.timeout):
        log.warning("database unavailable: %s", type(exc).__name__)
        return Unavailable(headers={"Retry-After": "5"})
    if isinstance(exc, TimeoutError):  # the body missed its deadline (runtime.eventlet_patches.BodyDeadline)
        return RequestTimeout()
    if isinstance(exc, HTTPException) and exc.code == 413 and _is_upload():
        return file_too_large()  # an upload over the body cap, refused before the route runs
    if isinstance(exc, HTTPException) and exc.code in _HTTP_CODES:
        code, text = _HTTP_CODES[exc.code]
        err = AppError(message=text, code=code)
        err.status = exc.code
        if getattr(exc, "length", None) is not None:  # a 416 says how long the file is
            err.headers["Content-Range"] = f"{exc.units} */{exc.length}"
        return err
    log.exception("unhandled error", extra={"fields": {"request_id": _request_id()}})
    return InternalError()


def _is_upload():
    return bool(request) and request.mimetype == "multipart/form-data"


def _request_id():
    return g.get("request_id") if g else None


def _rest_response(exc):
    err = as_app_error(exc)
    body = err.body()
    if err.status >= 500:
        body["requestId"] = _request_id() or uuid.uuid4().hex
    # flask-limiter fills in the real Retry-After for its own 429s (headers enabled); one set here
    # is kept over the limiter's (extensions.own_retry_after).
    g.retry_after = err.headers.get("Retry-After")
    response = jsonify(body)
    response.status = _status_line(err.status, err.message)
    response.headers.extend(err.headers)
    return response


def _status_line(status, text):
    """Return the status line with the error's own text as its reason phrase, when it can be one.

    The frontend's chat upload shows only `xhr.statusText` when it fails ("Upload failed: File too
    large. Maximum size: 10MB" instead of "REQUEST ENTITY TOO LARGE"). HTTP/1.1 lets the phrase
    be any visible ASCII text; anything else keeps the standard phrase.
    """
    if text.isascii() and text.isprintable() and len(text) <= 200:
        return f"{status} {text}"
    return status


def _not_found(exc):
    return jsonify({"success": False, "error": "Endpoint not found", "code": "not_found",
                    "path": request.path}), 404


def init_app(app):
    """Map every failure to the JSON error envelope."""
    app.register_error_handler(404, _not_found)
    app.register_error_handler(Exception, _rest_response)
