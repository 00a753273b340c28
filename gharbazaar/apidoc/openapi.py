"""flask-smorest, our way: the webargs parser of validation.py, the envelope, the error responses."""
from apispec import BasePlugin
from flask_smorest import Api as _Api, Blueprint as _Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema
from webargs.flaskparser import FlaskParser

from .. import __version__
from ..validation import failed, json_body, query_args, refuse
from .spec import DESCRIPTION, REASONS, _loose_ids
from .views import Error

ERROR_REF = {"$ref": "#/components/schemas/Error"}
BEARER = [{"bearer": []}]
OPTIONAL_BEARER = [{"bearer": []}, {}]
PUBLIC = []


class Parser(FlaskParser):
    """webargs reading requests exactly as validation.load_json/load_query/load did."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema):
        return json_body()                 # {} when empty, 415 when not JSON, 400 when not parseable

    def load_querystring(self, req, schema):
        return query_args()                # as load_query did (validation.query_args, not req.args)

    def load_form(self, req, schema):
        return req.form.to_dict()

    def pre_load(self, location_data, *, schema, req, location):
        refuse(location_data)              # not an object, `$` keys, deep nesting, hostile values
        return location_data

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.messages          # webargs wraps them by location: {"json": {...}}
        if len(messages) == 1 and next(iter(messages)) in self.__location_map__:
            messages = next(iter(messages.values()))
        raise failed(messages)


class Blueprint(_Blueprint):
    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema, *, location="json", required=None, **kwargs):
        """As flask-smorest's, but a body is required only when a field is (an empty body reads as {})."""
        if required is None:
            fields = (schema() if isinstance(schema, type) else schema).fields.values()
            required = any(field.required for field in fields)
        return super().arguments(schema, location=location, required=required, **kwargs)


class Api(_Api):
    ERROR_SCHEMA = Error                   # flask-smorest registers it as the "Error" component
    DEFAULT_ERROR_RESPONSE_NAME = None     # no `default` response

    def _register_error_handlers(self):
        """Keep errors.init_app's handlers (flask-smorest would answer HTTPExceptions itself)."""

    def _register_pagination_header(self):
        """Unused; it would add a PaginationMetadata component."""


def envelope(data, **top_level):
    """The success body: {"success": true, "data": <data>, **top_level}; top_level values are a JSON type
    name ("string") or a schema dict (array_of(TicketView))."""
    top = {name: {"type": kind} if isinstance(kind, str) else kind for name, kind in top_level.items()}
    return {"type": "object", "required": ["success", "data", *top], "additionalProperties": False,
            "properties": {"success": {"type": "boolean", "const": True}, "data": data, **top}}


def array_of(schema):
    return {"type": "array", "items": schema}


_UPLOADS = {}


def multipart(form=None, files=("file",)):
    """requestBody of an upload, for @bp.doc: the form schema's fields plus the required binary files.
    Documentation only: the files stay with the service (its 'No file uploaded' and its 404-first order)."""
    if (form, files) not in _UPLOADS:
        name = (form.__name__ if form is not None else "File") + "Upload"
        # A plain Schema, not a subclass of the form's BaseSchema: it is never loaded, only documented.
        declared = dict(form._declared_fields) if form is not None else {}
        _UPLOADS[form, files] = Schema.from_dict({**declared, **{f: Upload(required=True) for f in files}},
                                                 name=name)
    return {"requestBody": {"required": True,
                            "content": {"multipart/form-data": {"schema": _UPLOADS[form, files]}}}}


def answers(bp, data, *error_statuses, status=200, **top_level):
    """Document a route's success envelope around `data` (status: one, or a tuple whose first is the
    usual one) and the error statuses it adds to the usual ones."""
    first, *others = status if isinstance(status, tuple) else (status,)
    body = envelope(data, **top_level)

    def decorate(view):
        view = errors(bp, *error_statuses)(view)
        for other in others:
            view = bp.alt_response(other, schema=body, success=True)(view)
        return bp.response(first, body)(view)
    return decorate


def errors(bp, *statuses):
    """Document the error statuses a route adds to the usual ones (see ErrorResponses)."""
    def decorate(view):
        for status in statuses:
            view = bp.alt_response(status, schema=Error, description=REASONS[status])(view)
        return view
    return decorate


class ErrorResponses(BasePlugin):
    """apispec plugin, run for every path flask-smorest registers. Per operation it sets operationId
    (endpoint.method), puts the path parameters in the operation, sets security (bearer unless the
    route says otherwise) and documents the errors every such operation can answer: 401 with a required
    token, 400 with input, 413/415 with a JSON body, 404 with path ids, 429/503 unless rate-limit-exempt."""

    def __init__(self, exempt_blueprints=()):
        super().__init__()
        self.exempt = set(exempt_blueprints)

    def path_helper(self, path=None, operations=None, parameters=None, rule=None, **kwargs):
        in_path = [p for p in parameters if p.get("in") == "path"]
        parameters[:] = [p for p in parameters if p.get("in") != "path"]
        for method, op in operations.items():
            op["operationId"] = f"{rule.endpoint}.{method}"
            op["parameters"] = in_path + op.get("parameters", [])
            security = op.setdefault("security", BEARER)
            statuses = set()
            if security and {} not in security:
                statuses.add(401)
            if in_path:
                statuses.add(404)
            body = op.get("requestBody", {}).get("content", {})
            if body or any(p.get("in") == "query" for p in op["parameters"]):
                statuses.add(400)
            if body:
                statuses.update((413, 415))
            if rule.endpoint.split(".")[0] not in self.exempt:
                statuses.update((429, 503))
            responses = {str(code): answer for code, answer in op.get("responses", {}).items()}
            for status in statuses:
                # Absent, or flask-smorest's own "BAD_REQUEST" reference.
                if not isinstance(responses.get(str(status)), dict):
                    responses[str(status)] = {"description": REASONS[status],
                                              "content": {"application/json": {"schema": ERROR_REF}}}
            op["responses"] = dict(sorted(responses.items()))


def init_api(app, exempt_blueprints=()):
    """Return the Api: register blueprints with api.register_blueprint; api.spec.to_dict() is the document."""
    app.config.update(API_TITLE="GharBazaar real-time backend", API_VERSION=__version__,
                      OPENAPI_VERSION="3.1.0", API_SPEC_OPTIONS={"info": {"description": DESCRIPTION}})
    api = Api(app, spec_kwargs={"extra_plugins": [ErrorResponses(exempt_blueprints)]})
    api.ma_plugin.converter.add_attribute_function(_loose_ids)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    app.extensions["gharbazaar.api"] = api
    return api


def register(app, blueprint):
    """Serve a feature's blueprint and publish its routes in the OpenAPI document."""
    app.extensions["gharbazaar.api"].register_blueprint(blueprint)
