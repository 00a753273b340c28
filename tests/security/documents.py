"""The published API documents, as the app serves them (building an app needs no database)."""
from gharbazaar import create_app
from tests.support import TEST_SECRET


def document_app():
    """Return an app that serves the documents (its database address is never used)."""
    return create_app({"TESTING": True, "APP_ENV": "test", "JWT_SECRET": TEST_SECRET, "JWT_ISSUER": None,
                       "JWT_AUDIENCE": None, "MONGODB_URI": "mongodb://127.0.0.1:9", "MONGODB_DB": "unused",
                       "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://",
                       "SOCKETIO_ASYNC_MODE": "threading"})


def published(path):
    """Return one of the published documents: /api/v1/openapi.json or /api/v1/asyncapi.json."""
    return document_app().test_client().get(path).get_json()


def resolve(document, schema):
    """Follow a local $ref (components) to the schema it names."""
    while isinstance(schema, dict) and "$ref" in schema:
        section, name = schema["$ref"].split("/")[-2:]
        schema = document["components"][section][name]
    return schema or {}


def types_of(schema):
    """Return the JSON types a schema allows, as a set."""
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()
