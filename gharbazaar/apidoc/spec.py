"""Build the OpenAPI 3.1 document from the app's routes and the schemas they really load."""
import copy
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .. import __version__
from ..chat.schemas import LooseId
from .registry import operation_of
from .views import Error

IGNORED_METHODS = {"HEAD", "OPTIONS"}
REASONS = {200: "OK", 201: "Created", 400: "Invalid request (`validation_error`)",
           401: "No token, or an invalid or expired one (`unauthorized`, `token_expired`)",
           403: "Not allowed for this user (`forbidden`)",
           404: "Unknown or malformed id, or not visible to this user (`not_found`)",
           409: "Conflicts with the current state (`conflict`, `invalid_transition`)",
           413: "Body too large (`payload_too_large`)",
           415: "Wrong content type or file type (`unsupported_media_type`)",
           429: "Rate limited (`rate_limited`, with Retry-After)",
           503: "Database unavailable (`unavailable`)"}
DESCRIPTION = (
    "REST API of the GharBazaar real-time backend. Success: `{\"success\": true, \"data\": ...}`; "
    "failure: `{\"success\": false, \"error\", \"code\", \"details\"?}`. Authenticate with "
    "`Authorization: Bearer <JWT>` from GharBazaar's auth service. Generated from the marshmallow "
    "schemas the routes load; the Socket.IO events are in /api/v1/asyncapi.json.")
_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


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


def openapi_path(rule):
    """Return the OpenAPI form of a werkzeug rule: `<conversation_id>` -> `{conversation_id}`."""
    return _PARAM.sub(r"{\1}", rule)


def documented_rules(app):
    """Yield (rule, Operation) for every documented route, in path order."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        operation = operation_of(app.view_functions[rule.endpoint])
        if operation is not None:
            yield rule, operation


def _envelope(op):
    """Return the success body: the envelope around `data`, or the bare answer."""
    if not op.enveloped:
        return op.response
    # Copies: the plugin swaps classes for $refs in place, and the Operation must stay as declared.
    top = {name: ({"type": kind} if isinstance(kind, str) else copy.deepcopy(kind))
           for name, kind in op.top_level.items()}
    return {"type": "object", "required": ["success", "data", *top],
            "properties": {"success": {"type": "boolean", "const": True}, "data": op.response, **top},
            "additionalProperties": False}


def _error_statuses(op, rule):
    statuses = set(op.errors)
    if op.auth and not op.optional_auth:
        statuses.add(401)
    if op.schemas or op.files:
        statuses.add(400)
    if op.body is not None:
        statuses.update((413, 415))
    if op.files:
        statuses.update((413, 415))
    if rule.arguments:
        statuses.add(404)
    if op.rate_limited:
        statuses.update((429, 503))
    return sorted(statuses)


def _request_body(spec, op):
    if op.body is not None:
        # An empty body reads as {}: it is optional only when no field is required.
        required = any(f.required for f in op.body().fields.values())
        return {"required": required, "content": {"application/json": {"schema": op.body}}}
    converter = spec.plugins[0].converter
    form = converter.schema2jsonschema(op.form) if op.form is not None else {"type": "object"}
    form.setdefault("properties", {})
    for name in op.files:
        form["properties"][name] = {"type": "string", "format": "binary"}
        form.setdefault("required", []).append(name)
    return {"required": True, "content": {"multipart/form-data": {"schema": form}}}


def _operation(spec, rule, op, operation_id):
    out = {"operationId": operation_id, "summary": op.summary, "tags": list(op.tags),
           "parameters": [{"in": "path", "name": name, "required": True,
                           "schema": {"type": "string", "minLength": 1}} for name in sorted(rule.arguments)],
           "security": [{"bearer": []}, {}] if op.optional_auth else [{"bearer": []}] if op.auth else [],
           "responses": {}}
    if op.description:
        out["description"] = op.description
    if op.query is not None:
        out["parameters"].append({"in": "query", "schema": op.query})
    if op.body is not None or op.form is not None or op.files:
        out["requestBody"] = _request_body(spec, op)
    success = _envelope(op)
    for status in op.status:
        content = {op.media_type: {"schema": success}} if success is not None else {}
        out["responses"][str(status)] = {"description": REASONS.get(status, "Success"), "content": content}
    for status in _error_statuses(op, rule):
        out["responses"][str(status)] = {"description": REASONS[status],
                                         "content": {"application/json": {"schema": Error}}}
    for status, schema in op.other.items():
        out["responses"][str(status)] = {"description": REASONS.get(status, "See schema"),
                                         "content": {"application/json": {"schema": schema}}}
    return out


def build(app):
    """Return the OpenAPI document (a dict) of every documented route of the app."""
    spec = make_spec()
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=Error)
    seen = set()
    for rule, op in documented_rules(app):
        operations = {}
        for method in sorted(rule.methods - IGNORED_METHODS):
            operation_id = f"{rule.endpoint}.{method.lower()}"
            operation_id = operation_id if operation_id not in seen else f"{operation_id}.{len(seen)}"
            seen.add(operation_id)
            operations[method.lower()] = _operation(spec, rule, op, operation_id)
        spec.path(path=openapi_path(rule.rule), operations=operations)
    tags = sorted({tag for _, op in documented_rules(app) for tag in op.tags})
    document = spec.to_dict()
    document["tags"] = [{"name": tag} for tag in tags]
    return document
