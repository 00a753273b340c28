"""What the hostile-value sweeps share: the world they act on, fields found in a schema, the verdict."""
import io
import json
from urllib.parse import parse_qs, urlsplit

from tests.support.files import png_bytes
from tests.security.documents import resolve, types_of
from tests.support import auth, make_token, unique

CLIENT_CODES = {"validation_error", "unauthorized", "token_expired", "forbidden", "not_found", "conflict",
                "invalid_transition", "payload_too_large", "unsupported_media_type", "method_not_allowed",
                "rate_limited"}
TICKET = {"categoryTitle": "Payments", "subCategoryTitle": "Refund", "problem": "Where is my refund?"}
ROLES = {"buyer": "buyer", "creator": "buyer", "seller": "seller", "admin": "admin"}
VALUE, KEY = "<value>", "<key>"


class World:
    """A buyer's conversation (two messages, one file) and two tickets the admin holds, made over REST.

    `creator` is a second buyer: sweeps that create objects create them as the creator, so that
    the buyer's lists and resyncs stay short. `spare_*` objects are there to be closed or deleted.
    """

    def __init__(self, client):
        self.client = client
        self.people = {who: unique(f"sweep-{who}") for who in ROLES}
        self.tokens = {who: make_token(user, ROLES[who]) for who, user in self.people.items()}
        conversation = self.ok("buyer", "POST", "/api/v1/chat/conversations", json={
            "otherUserId": self.people["seller"], "propertyId": unique("p"),
            "initialMessage": "Hello"})["conversation"]
        path = f"/api/v1/chat/conversations/{conversation['id']}/messages"
        spare = self.ok("buyer", "POST", path, json={"content": "Spare"})["message"]
        first = self.ok("buyer", "GET", path)["messages"][0]
        png = (io.BytesIO(png_bytes()), "house.png", "image/png")
        stored = self.ok("buyer", "POST", "/api/v1/chat/upload", content_type="multipart/form-data",
                         data={"conversationId": conversation["id"], "file": png})
        link = parse_qs(urlsplit(stored["url"]).query)
        tickets = [self.ok("buyer", "POST", "/api/v1/tickets", json=TICKET)["ticket"] for _ in range(2)]
        for ticket in tickets:
            self.ok("admin", "POST", f"/api/v1/tickets/{ticket['id']}/assign", json={})
        self.ids = {"conversation_id": conversation["id"], "message_id": first["id"],
                    "spare_message_id": spare["id"],
                    "file_id": stored["fileId"], "file_url": stored["url"], "exp": link["exp"][0],
                    "sig": link["sig"][0], "ticket_id": tickets[0]["id"], "spare_ticket_id": tickets[1]["id"],
                    "seller": self.people["seller"], "admin": self.people["admin"],
                    "user_id": self.people["buyer"], "reply_id": "followup",
                    "since": conversation["createdAt"]}

    def values(self):
        """Return the placeholders' values for one request (`fresh` is new each time)."""
        return dict(self.ids, fresh=unique("p"))

    def headers(self, who):
        return auth(self.tokens[who]) if who != "anonymous" else {}

    def ok(self, who, method, path, **kwargs):
        response = self.client.open(path, method=method, headers=self.headers(who), **kwargs)
        assert response.status_code in (200, 201), (path, response.get_json())
        return response.get_json()["data"]


def fill(template, values):
    """Replace {placeholders} in strings, dict keys and lists, recursively."""
    if isinstance(template, str):
        for key, value in values.items():
            template = template.replace("{" + key + "}", value)
        return template
    if isinstance(template, dict):
        return {fill(k, values): fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template


def property_slots(document, schema):
    """Return {slot: its schema} for an object schema: each property, and keys, values and items inside."""
    found = {}
    for name, prop in resolve(document, schema).get("properties", {}).items():
        prop = resolve(document, prop)
        if prop.get("format") == "binary":
            continue  # a file part: test_hostile_files.py sends hostile files
        found[(name,)] = prop
        if isinstance(prop.get("additionalProperties"), dict):
            found[(name, VALUE)] = resolve(document, prop["additionalProperties"])
            found[(name, KEY)] = {"type": "string"}
        if "array" in types_of(prop):
            found[(name, 0)] = resolve(document, prop.get("items", {}))
    return found


def with_value(body, slot, value):
    """Return a copy of a JSON object with the slot set to value."""
    body = dict(body or {})
    name = slot[0]
    if len(slot) == 1:
        body[name] = value
    elif slot[1] == VALUE:  # under the baseline's first key, so that the key is a real one
        body[name] = {key: value for key in list(body.get(name) or {"k": 0})[:1]}
    elif slot[1] == KEY:  # JSON keys are text
        body[name] = {value if isinstance(value, str) else json.dumps(value): 0}
    else:
        body[name] = [value]
    return body


def refusal_problem(body):
    """Return what is wrong with an error envelope (REST body or socket ack), or None."""
    if isinstance(body, dict) and body.get("success") is False and isinstance(body.get("error"), str) \
            and body.get("code") in CLIENT_CODES:
        return None
    return f"not a client error envelope: {json.dumps(body, default=repr)[:160]}"
