"""What every upload's body must do before any route reads it: say its length, arrive in time, and
not be one of too many at once from one user.

Werkzeug reads a multipart body only when the form is first touched, with no deadline of its own
and only a per-read timeout below it: a body dripped a byte every 20 s would hold its connection
(and up to MAX_UPLOAD_MB of spooled temporary file) for as long as the client likes.
"""
from collections import Counter
from contextlib import contextmanager

from flask import current_app, g, request

from ..auth import optional_actor
from .. import validation
from ..errors import AppError, LengthRequired, RateLimited, UnsupportedMediaType, ValidationFailed

IN_FLIGHT = "gharbazaar.uploads_in_flight"
UPLOAD_PATHS = ("/upload", "/files")  # POST .../upload (chat, tickets) and .../files (tickets)


class BodyTimeout(AppError):
    status, code, message = 408, "request_timeout", "The upload took too long. Please try again."


def init_app(app):
    """Check multipart bodies before the routes parse them."""
    app.extensions[IN_FLIGHT] = Counter()
    app.before_request(read_upload_body)
    app.teardown_request(_finished)


def read_upload_body():
    """Read an authenticated upload's form whole, within UPLOAD_BODY_TIMEOUT_S, one of a few per user."""
    if request.method != "POST":
        return
    upload_path = request.path.rstrip("/").endswith(UPLOAD_PATHS)
    if request.mimetype != "multipart/form-data" and not upload_path:
        return
    actor = optional_actor()
    if actor is None:
        return  # the route's own authentication answers 401 without reading the body
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Uploads must be multipart/form-data")
    if request.content_length is None:
        raise LengthRequired("Content-Length required for uploads")
    in_flight = current_app.extensions[IN_FLIGHT]
    if in_flight[actor.id] >= current_app.config["MAX_UPLOADS_IN_FLIGHT"]:
        raise RateLimited(retry_after=5, message="Too many uploads at once. Please wait for one to finish.")
    in_flight[actor.id] += 1
    g.upload_user = actor.id
    with _deadline(current_app.config["UPLOAD_BODY_TIMEOUT_S"]):
        request.files  # parsed now, under the deadline; the route reuses the parsed form
    validation.check_payload(request.form.to_dict())  # every form, whether a route reads it or not


@contextmanager
def _deadline(seconds):
    """Raise BodyTimeout when the block takes longer (green threads only: eventlet can interrupt a
    read; under threads each read still has HTTP_IO_TIMEOUT_S)."""
    if current_app.config["SOCKETIO_ASYNC_MODE"] != "eventlet":
        yield
        return
    import eventlet  # noqa: PLC0415 -- only where eventlet serves (imported lazily, as the runtime does)
    try:
        with eventlet.Timeout(seconds):
            yield
    except eventlet.Timeout:
        raise BodyTimeout() from None


def one_file(field="file"):
    """Return the request's one uploaded file under field, or None; several files are refused."""
    files = request.files
    if field in files and (len(files.getlist(field)) > 1 or any(name != field for name in files)):
        raise ValidationFailed("Upload one file per request, in the `file` field.",
                               details=[{"field": field, "message": "Exactly one file."}])
    return files.get(field)


def _finished(_exc=None):
    user = g.pop("upload_user", None)
    if user is not None:
        in_flight = current_app.extensions[IN_FLIGHT]
        in_flight[user] -= 1
        if in_flight[user] <= 0:
            del in_flight[user]
