"""The published documents: valid, complete, generated from the schemas the code really loads."""
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema_rs
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31

from gharbazaar.apidoc.events import catalogue
from gharbazaar.chat import events as chat_events
from gharbazaar.presence import events as presence_events
from gharbazaar.sync import events as sync_events
from gharbazaar.tickets import events as ticket_events
from gharbazaar.validation import BaseSchema
from tests.support import auth, make_token

STATIC = Path(__file__).resolve().parents[2] / "gharbazaar" / "apidoc" / "static"
DOC_ENDPOINTS = {"apidoc.openapi", "apidoc.asyncapi_document", "apidoc.reference", "apidoc.static"}
ALL_HANDLERS = [chat_events.HANDLERS, ticket_events.HANDLERS, presence_events.HANDLERS, sync_events.HANDLERS]
SOME_ID = "0" * 24


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


@pytest.fixture
def asyncapi(client):
    response = client.get("/api/v1/asyncapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def refs(node):
    """Yield every $ref in a document."""
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def api_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/") and rule.endpoint not in DOC_ENDPOINTS]


def operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_openapi_document_is_valid_openapi_31(openapi):
    jsonschema_rs.validator_for(OPENAPI_31).validate(openapi)
    assert openapi["openapi"] == "3.1.0"
    for name, schema in openapi["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name
    for ref in refs(openapi):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in openapi["components"]["schemas"], ref


def test_operation_ids_are_unique_and_path_parameters_declared(openapi):
    ids = [op["operationId"] for _, _, op in operations(openapi)]
    assert len(ids) == len(set(ids))
    for path, _, op in operations(openapi):
        declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), path
        assert any(status.startswith("2") for status in op["responses"]), path


def test_every_api_route_is_documented(app, openapi):
    rules = api_rules(app)
    assert len(rules) >= 20
    expected = {}
    for rule in rules:
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        expected.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    documented = {path: set(item) for path, item in openapi["paths"].items() if path.startswith("/api/")}
    assert documented == expected


def test_errors_use_the_shared_error_schema(openapi):
    for path, method, op in operations(openapi):
        for status, answer in op["responses"].items():
            if int(status) >= 400 and path != "/api/v1/health/ready":
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (path, method, status)


@pytest.fixture
def loaded(monkeypatch):
    """Record the class of every BaseSchema that loads a payload."""
    seen = []
    original = BaseSchema.load

    def recording(self, *args, **kwargs):
        seen.append(type(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(BaseSchema, "load", recording)
    return seen


def documented_inputs(op):
    """Return (schema names the body documents, query parameter names) of an operation."""
    content = op.get("requestBody", {}).get("content", {})
    names = set()
    for media, suffix in (("application/json", ""), ("multipart/form-data", "Upload")):
        if media in content:
            name = content[media]["schema"]["$ref"].rsplit("/", 1)[1].removesuffix(suffix)
            names |= {name} - {"File"}          # FileUpload: the file alone, read by the service
    return names, {p["name"] for p in op["parameters"] if p["in"] == "query"}


def test_each_route_loads_exactly_the_schemas_it_documents(app, client, openapi, loaded):
    headers = auth(make_token("doc-reader", "admin"))  # staff-only routes refuse others before reading
    for rule in api_rules(app):
        url = re.sub(r"<([^<>]+)>", SOME_ID, rule.rule)
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            op = openapi["paths"][path][method.lower()]
            names, query = documented_inputs(op)
            content = op.get("requestBody", {}).get("content", {})
            loaded.clear()
            if "multipart/form-data" in content:
                client.open(url, method=method, headers=headers, data={"conversationId": SOME_ID},
                            content_type="multipart/form-data")
            elif "application/json" in content:
                client.open(url, method=method, headers=headers, json={})
            else:
                client.open(url, method=method, headers=headers)
            query_schemas = [s for s in loaded if s.__name__ not in names]
            assert {s.__name__ for s in loaded} - {s.__name__ for s in query_schemas} == names, (method, path)
            assert [set(s().fields) for s in query_schemas] == ([query] if query else []), (method, path)


def test_asyncapi_lists_every_event_of_every_handler(asyncapi, app):
    messages = {m["name"]: m for m in asyncapi["components"]["messages"].values()}
    publish = asyncapi["channels"]["/"]["publish"]["message"]["oneOf"]
    emitted = {ref["$ref"].rsplit("/", 1)[1] for ref in publish}
    for handlers in ALL_HANDLERS:
        for event in handlers:
            assert event in messages and not messages[event].get("x-undocumented"), event
            assert event.replace(":", ".") in emitted, event
    for event in catalogue(app)["server"]:
        assert event in messages
    assert set(asyncapi["channels"]) == {"/", "/chat", "/tickets"}
    for ref in refs(asyncapi):
        section, name = ref.split("/")[2:4]
        assert name in asyncapi["components"][section], ref


def loaded_schemas(payload):
    """Return the BaseSchema classes a catalogue payload names (a class, or classes in a oneOf)."""
    candidates = payload.get("oneOf", []) if isinstance(payload, dict) else [payload]
    return {s for s in candidates if isinstance(s, type) and issubclass(s, BaseSchema)}


def test_each_socket_event_loads_the_schema_it_documents(socket_client, loaded, make_app):
    # More events than one connection may send in a second by default: the budget is raised here.
    app = make_app(RATE_LIMIT_SOCKET_EVENTS="1000 per second")
    sock = socket_client(make_token("doc-socket", "admin"), target=app)  # as above
    for event, (payload, _, _) in catalogue(app)["client"].items():
        documented = loaded_schemas(payload)
        loaded.clear()
        sock.emit(event, {}, callback=True)
        assert set(loaded) == documented, (event, loaded)


def test_docs_page_and_assets_are_served_locally(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {"/api/docs/static/apidoc.js", "/api/docs/static/apidoc.css"} <= set(assets)
    for url in assets:
        assert client.get(url).status_code == 200, url
    assert "<style" not in html and " style=" not in html
    assert all(" src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    for text in [html] + [(STATIC / name).read_text() for name in ("apidoc.js", "apidoc.css")]:
        assert not re.search(r"https?://", text)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_docs_script_parses():
    subprocess.run(["node", "--check", str(STATIC / "apidoc.js")], check=True, timeout=30)


def test_the_safety_flags_and_contact_sharing_are_documented_on_both_pages(openapi, asyncapi):
    schemas = openapi["components"]["schemas"]
    assert "safety" in schemas["MessageView"]["required"]
    flags = schemas["SafetyView"]["properties"]
    assert set(flags["categories"]["items"]["enum"]) == {
        "phone", "email", "upi", "payment", "otp", "link", "messaging_app"}
    assert set(flags["action"]["enum"]) == {"allow", "warn", "mask"}
    assert "contactSharing" in schemas["ConversationView"]["required"]
    blocked = openapi["paths"]["/api/v1/chat/conversations/{conversation_id}/messages"]["post"]["responses"]
    assert "message_blocked" in blocked["422"]["description"]
    names = {m["name"] for m in asyncapi["components"]["messages"].values()}
    assert {"contact-sharing:updated", "user_blocked", "contact-sharing:agree", "block_user",
            "report_message", "report_conversation"} <= names
    assert "safety" in asyncapi["components"]["schemas"]["MessageView"]["properties"]
