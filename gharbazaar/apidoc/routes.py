"""Serve the OpenAPI and AsyncAPI documents and the reference page that renders them (no CDN)."""
from flask import Blueprint, current_app, jsonify, send_from_directory

from . import asyncapi, spec

# Public on purpose: the API reference describes the API and holds no user data.
bp = Blueprint("apidoc", __name__, static_folder="static",  # nosemgrep: scan.blueprint-without-login
               static_url_path="/api/docs/static")


def _cached(name, build):
    """Build a document once per app: routes and handlers do not change after start-up."""
    documents = current_app.extensions.setdefault("gharbazaar.apidoc", {})
    if name not in documents:
        documents[name] = build(current_app)
    return documents[name]


@bp.get("/api/v1/openapi.json")
def openapi():
    """Return the OpenAPI 3.1 document of the REST API."""
    return jsonify(_cached("openapi", spec.build))


@bp.get("/api/v1/asyncapi.json")
def asyncapi_document():
    """Return the AsyncAPI 2.6 document of the Socket.IO events."""
    return jsonify(_cached("asyncapi", asyncapi.build))


@bp.get("/favicon.ico")
def favicon():
    """Answer browsers' automatic icon request with nothing (a 404 there is a console error)."""
    return "", 204


@bp.get("/api/docs")
def reference():
    """Return the browsable reference page (its script renders both documents)."""
    return send_from_directory(bp.static_folder, "index.html", mimetype="text/html")
