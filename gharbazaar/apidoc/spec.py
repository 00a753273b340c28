"""Build the OpenAPI 3.1 document from the app's routes and the schemas they really load."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .. import __version__
from ..validation import LooseId

REASONS = {200: "OK", 201: "Created", 400: "Invalid request (`validation_error`)",
           401: "No token, or an invalid or expired one (`unauthorized`, `token_expired`)",
           403: "Not allowed for this user (`forbidden`)",
           404: "Unknown or malformed id, or not visible to this user (`not_found`)",
           409: "Conflicts with the current state (`conflict`, `invalid_transition`)",
           413: "Body too large (`payload_too_large`)",
           415: "Wrong content type or file type (`unsupported_media_type`)",
           422: "Refused by the chat safety policy (`message_blocked`; `error` says what was found)",
           429: "Rate limited (`rate_limited`, with Retry-After)",
           503: "Database unavailable (`unavailable`)"}
DESCRIPTION = (
    "REST API of the GharBazaar real-time backend. Success: `{\"success\": true, \"data\": ...}`; "
    "failure: `{\"success\": false, \"error\", \"code\", \"details\"?}`. Authenticate with "
    "`Authorization: Bearer <JWT>` from GharBazaar's auth service. Generated from the marshmallow "
    "schemas the routes load; the Socket.IO events are in /api/v1/asyncapi.json.")


def _loose_ids(self, field, ret):
    """Property ids accept numbers too (listings send them as numbers): say so."""
    if isinstance(field, LooseId):
        return {"type": ["string", "integer"] + (["null"] if field.allow_none else [])}
    return {}


def make_spec(title="GharBazaar real-time backend", openapi_version="3.1.0"):
    """Return an empty APISpec with the marshmallow plugin (also used by asyncapi.py)."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title=title, version=__version__, openapi_version=openapi_version,
                   plugins=[plugin], info={"description": DESCRIPTION})
    plugin.converter.add_attribute_function(_loose_ids)
    return spec


def build(app):
    """Return the OpenAPI document (a dict) flask-smorest built from the registered blueprints."""
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    document = api.spec.to_dict()
    tags = {tag for item in document["paths"].values() for op in item.values() for tag in op.get("tags", [])}
    document["tags"] = [{"name": tag} for tag in sorted(tags)]
    return document
