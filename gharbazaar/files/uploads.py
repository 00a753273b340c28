"""What every upload's body must do before any route reads it: say its length, and not be one of too
many arriving at once from one user. The body is read here, whole, while it counts as arriving; its
deadline (UPLOAD_BODY_TIMEOUT_S, then 408) is the server's, as every body's is
(runtime.eventlet_patches.BodyDeadline).
"""
from collections import Counter

from flask import current_app, g, request
from werkzeug.exceptions import BadRequest

from ..auth import optional_actor
from .. import validation
from ..errors import LengthRequired, RateLimited, RequestTimeout, UnsupportedMediaType, ValidationFailed

IN_FLIGHT = "gharbazaar.uploads_in_flight"
UPLOAD_PATHS = ("/upload", "/files")  # POST .../upload (chat, tickets) and .../files (tickets)


def init_app(app):
    """Check multipart bodies before the routes parse them."""
    app.extensions[IN_FLIGHT] = Counter()
    app.before_request(read_upload_body)
    app.teardown_request(_finished)


def read_upload_body():
    """Read an authenticated upload's form whole, as one of the few its user may have arriving."""
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
    try:
        request.files  # parsed now, while counted; the route reuses the parsed form
    except BadRequest:
        if getattr(request.environ.get("wsgi.input"), "expired", False):
            raise RequestTimeout() from None  # the body missed its deadline: say so, not 400
        raise
    validation.check_payload(request.form.to_dict())  # every form, whether a route reads it or not


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
