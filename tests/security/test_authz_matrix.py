"""Every cell of the authorization matrix (`authz_matrix.py`), over REST and Socket.IO.

One world is built per module (read-only: a conversation with a message and a file, a ticket
assigned to employee A with a message and a file). Rows marked `fresh` get objects made for
their test, so no test depends on another's changes. Besides the status/code/text of each
cell, every refusal is checked to leak nothing (no private text in the answer, the objects
unchanged, no event to the object's people) and every socket refusal to reach the emitter
alone as one `error` event.
"""
import io
import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from bson import ObjectId

from gharbazaar import db
from gharbazaar.chat import events as chat_events
from gharbazaar.models import iso, utcnow
from gharbazaar.presence import events as presence_events
from gharbazaar.sync import events as sync_events
from gharbazaar.tickets import events as ticket_events
from tests.support.files import pdf_bytes, png_bytes
from tests.security import authz_matrix as matrix
from tests.security.sweeps import fill
from tests.support import auth, make_token, unique

MALFORMED = "not-an-object-id"
CHAT_TARGETS = ("conversation", "message", "chat_file", "blocked_conversation")
# Known failures: {(action, kind, subject, transport): reason}; each is xfail(strict=True).
# Empty since files/service.py open_for checks credentials before looking the file up.
KNOWN = {}


@dataclass
class Obj:
    """One object of the world: its id, the room it lives in and the texts only its people may read."""

    target: str
    id: str
    secrets: list
    scope_id: str = ""  # the conversation or ticket it belongs to
    property: str = ""
    since: str = ""
    url: str = ""  # a file's signed link
    party: str = ""  # blocked_conversation: the other participant, who blocked the owner
    party_token: str = ""


@dataclass
class World:
    client: object
    app: object
    people: dict
    objects: dict = field(default_factory=dict)

    def call(self, who, method, path, **kwargs):
        headers = auth(self.people[who]["token"]) if who else {}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def ok(self, who, method, path, **kwargs):
        response = self.call(who, method, path, **kwargs)
        assert response.status_code in (200, 201), (path, response.get_json())
        return response.get_json()["data"]

    @property
    def secrets(self):
        return [s for obj in self.objects.values() for s in obj.secrets]

    # ---- building objects over REST, as their people would --------------------------------
    def conversation(self):
        """A conversation owner <-> participant with one message from the owner; returns (conv, message)."""
        prop, text = unique("prop"), f"private chat text {unique('c')}"
        body = {"otherUserId": self.people["participant"]["id"], "propertyId": prop}
        conv = self.ok("owner", "POST", "/api/v1/chat/conversations", json=body)["conversation"]
        message = self.ok("owner", "POST", f"/api/v1/chat/conversations/{conv['id']}/messages",
                          json={"content": text})["message"]
        since = iso(utcnow() - timedelta(seconds=2))
        return (Obj("conversation", conv["id"], [conv["id"], text], conv["id"], prop, since),
                Obj("message", message["id"], [message["id"], text], conv["id"], prop, since))

    def ticket(self, assign=True, close=False):
        """A ticket of the owner's (problem as its first message), assigned to the assignee."""
        problem, since = f"private problem {unique('t')}", iso(utcnow() - timedelta(seconds=2))
        body = {"categoryTitle": "Payments", "subCategoryTitle": "Refund", "problem": problem}
        ticket = self.ok("owner", "POST", "/api/v1/tickets", json=body)["ticket"]
        if assign:
            self.ok("assignee", "POST", f"/api/v1/tickets/{ticket['id']}/assign", json={})
        if close:
            self.ok("assignee", "PUT", f"/api/v1/tickets/{ticket['id']}/close")
        target = "closed_ticket" if close else "ticket" if assign else "open_ticket"
        return Obj(target, ticket["id"], [ticket["id"], problem], ticket["id"], since=since)

    def file(self, target):
        """A file the owner uploaded to a new conversation (chat_file) or a new assigned ticket."""
        if target == "chat_file":
            scope = self.conversation()[0]
            path, form = "/api/v1/chat/upload", {"conversationId": scope.id}
        else:
            scope = self.ticket()
            path, form = f"/api/v1/tickets/{scope.id}/upload", {}
        stored = upload(self, "owner", path, png_bytes(3, 3), "house.png", "image/png", **form)
        return Obj(target, stored["fileId"], [stored["fileId"]], scope.id, url=stored["url"])

    def note(self, ticket):
        """An internal note the assignee wrote on the ticket (staff only)."""
        text = f"private internal note {unique('note')}"
        note = self.ok("assignee", "POST", f"/api/v1/tickets/{ticket.id}/notes", json={"note": text})["note"]
        return Obj("note", note["id"], [text], ticket.id, since=ticket.since)

    def canned_reply(self):
        """A personal canned reply of the assignee's."""
        text = f"private canned reply {unique('canned')}"
        reply = self.ok("assignee", "POST", "/api/v1/employee/canned-replies",
                        json={"title": "mine", "content": text})["cannedReply"]
        return Obj("canned_reply", reply["id"], [text], reply["id"])

    def blocked_conversation(self):
        """A conversation a new user started with the owner, then blocked the owner (chat/blocks.py)."""
        blocker = unique("blocker")
        token = make_token(blocker, "seller", name=f"blocker {blocker}")
        prop, text = unique("prop"), f"private chat text {unique('b')}"
        since = iso(utcnow() - timedelta(seconds=2))

        def ok(method, path, **kwargs):
            response = self.client.open(path, method=method, headers=auth(token), **kwargs)
            assert response.status_code in (200, 201), (path, response.get_json())
            return response.get_json()["data"]
        conv = ok("POST", "/api/v1/chat/conversations",
                  json={"otherUserId": self.people["owner"]["id"], "propertyId": prop})["conversation"]
        ok("POST", f"/api/v1/chat/conversations/{conv['id']}/messages", json={"content": text})
        ok("POST", "/api/v1/chat/blocks", json={"userId": self.people["owner"]["id"]})
        return Obj("blocked_conversation", conv["id"], [conv["id"], text], conv["id"], prop, since,
                   party=blocker, party_token=token)

    def fresh(self, target):
        if target == "canned_reply":
            return self.canned_reply()
        if target == "blocked_conversation":
            return self.blocked_conversation()
        if target in ("conversation", "message"):
            conv, message = self.conversation()
            return conv if target == "conversation" else message
        if target in ("chat_file", "ticket_file"):
            return self.file(target)
        return self.ticket(assign=target != "open_ticket", close=target == "closed_ticket")


def upload(world, who, path, data, name, mime, **form):
    return world.ok(who, "POST", path, content_type="multipart/form-data",
                    data={**form, "file": (io.BytesIO(data), name, mime)})


@pytest.fixture(scope="module")
def world(security_app, security_client):
    """The module's read-only world; its people and objects are used by no other module."""
    people = {}
    for subject, role in matrix.SUBJECTS.items():
        user = unique(subject)
        token = make_token(user, role, name=f"{subject} {user}") if role else None
        people[subject] = {"id": user, "token": token}
    w = World(security_client, security_app, people)
    w.objects["conversation"], w.objects["message"] = w.conversation()
    conv_id = w.objects["conversation"].id
    png = png_bytes(3, 3)
    stored = upload(w, "owner", "/api/v1/chat/upload", png, "house.png", "image/png", conversationId=conv_id)
    w.ok("owner", "POST", f"/api/v1/chat/conversations/{conv_id}/messages", json={"fileUrl": stored["url"]})
    w.objects["chat_file"] = Obj("chat_file", stored["fileId"], [stored["fileId"]], conv_id,
                                 url=stored["url"])
    ticket = w.objects["ticket"] = w.ticket()
    note = f"private ticket note {unique('n')}"
    ticket.secrets.append(note)
    document = pdf_bytes().replace(b"%%EOF", f"% {note} secret\n%%EOF".encode())
    path = f"/api/v1/tickets/{ticket.id}"
    stored = upload(w, "owner", f"{path}/upload", document, "deed.pdf", "application/pdf")
    w.ok("owner", "POST", f"{path}/messages", json={"message": note, "fileUrl": stored["url"]})
    w.objects["ticket_file"] = Obj("ticket_file", stored["fileId"], [stored["fileId"]], ticket.id,
                                   url=stored["url"])
    w.objects["note"] = w.note(ticket)
    w.objects["canned_reply"] = w.canned_reply()
    for staff in ("employee", "admin"):  # known to the backend as staff (an admin may assign to B)
        w.ok(staff, "GET", "/api/v1/tickets")
    return w


# ---- the cells ---------------------------------------------------------------------------
def cell_id(cell):
    row, kind, subject, transport, _ = cell
    target = row["target"]
    if target == "self":
        where = "self"
    elif kind == "real":
        where = f"{'own' if subject in matrix.OWNERS[target] else 'others'}_{target}"
    else:
        where = f"{kind}_{target}"
    return f"{subject}-{row['action']}-{where}-{transport}"


def marked(cell):
    row, kind, subject, transport, _ = cell
    reason = KNOWN.get((row["action"], kind, subject, transport))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(cell, id=cell_id(cell), marks=marks)


CELLS = [marked(cell) for cell in matrix.cells()]


def rest_call(world, subject, spec, values):
    kwargs = {}
    if "json" in spec:
        kwargs["json"] = fill(spec["json"], values)
    if "form" in spec:
        form = fill(spec["form"], values)
        form["file"] = (io.BytesIO(png_bytes()), "house.png", "image/png")
        kwargs.update(data=form, content_type="multipart/form-data")
    subject = None if subject == "anonymous" else subject
    response = world.call(subject, spec["method"], fill(spec["path"], values), **kwargs)
    body = response.get_json(silent=True)
    return response.status_code, body, response.get_data(as_text=False)


def snapshot(world, objects):
    """The stored state of the objects a cell may touch (a refusal must leave it as it was)."""
    database = db.get_db(world.app)
    state, scopes = [], {obj.scope_id: obj for obj in objects}  # files and messages share their scope's
    for obj in scopes.values():
        if obj.target == "canned_reply":
            state.append(database.cannedreplies.find_one({"_id": obj.id}))
            continue
        oid = ObjectId(obj.scope_id)
        if obj.target in CHAT_TARGETS:
            state.append(database.conversations.find_one({"_id": oid}))
            state.append(list(database.messages.find({"conversationId": oid}).sort("_id", 1)))
        else:
            state.append(database.tickets.find_one({"_id": oid}))
            state.append(list(database.ticketmessages.find({"ticketId": oid}).sort("_id", 1)))
            state.append(list(database.ticketnotes.find({"ticketId": oid}).sort("_id", 1)))
        files = database["fs.files"].find({"metadata.scopeId": obj.scope_id})
        state.append(sorted(str(f["_id"]) for f in files))
    return state


def observer(world, socket, obj, subject):
    """A socket of one of the object's people (not the subject), in the object's room."""
    chat = obj.target in CHAT_TARGETS
    who = "owner" if subject != "owner" else ("participant" if chat else "assignee")
    # The owner's counterpart in a blocked conversation is its blocker, not one of the subjects.
    token = obj.party_token if who == "participant" and obj.party_token else world.people[who]["token"]
    sock = socket(token)
    event, key = ("join_conversation", "conversationId") if chat else ("join_ticket", "ticketId")
    assert sock.emit(event, {key: obj.scope_id}, callback=True)["success"] is True
    sock.get_received()
    return sock


def leaks(text, secrets):
    return [s for s in secrets if s in text]


@pytest.mark.parametrize("cell", CELLS)
def test_every_subject_gets_exactly_its_matrix_outcome_and_nothing_more(cell, world, security_socket):
    row, kind, subject, transport, expected = cell
    if transport == "socket" and subject == "anonymous":
        assert expected == matrix.NO_TOKEN
        assert not security_socket(None).is_connected(), "a socket without a token must be refused"
        return
    target = row["target"]
    obj = None
    if target != "self":
        shared = world.objects.get(target) or world.objects["ticket"]  # open/closed tickets are made fresh
        # A request without a token reads and writes nothing: the shared object serves.
        fresh = row.get("fresh") and kind == "real" and subject != "anonymous"
        obj = world.fresh(target) if fresh else shared
    ids = {"real": obj.id if obj else "", "missing": str(ObjectId()), "malformed": MALFORMED}
    url = obj.url if obj and kind == "real" else f"http://localhost/api/v1/files/{ids[kind]}"
    values = {"id": ids[kind], "scope": obj.scope_id if obj else "", "url": url,
              "owner": world.people["owner"]["id"],
              "employee": world.people["employee"]["id"],
              "property": obj.property if obj else "", "since": obj.since if obj else "",
              "blocker": obj.party if obj else "", "stranger": unique("stranger")}
    denied = isinstance(expected, tuple)
    touched = list(world.objects.values()) + ([obj] if obj and obj not in world.objects.values() else [])
    before = snapshot(world, touched) if denied else None
    roomed = obj is not None and obj.target != "canned_reply"
    watcher = observer(world, security_socket, obj, subject) if denied and roomed and kind == "real" else None
    if transport == "rest":
        status, body, raw = rest_call(world, subject, row["rest"], values)
        answer, seen = raw.decode("utf-8", "replace"), []
    else:
        sock = security_socket(world.people[subject]["token"])
        assert sock.is_connected()
        sock.get_received()
        spec = row["socket"]
        body = sock.emit(spec["event"], fill(spec["payload"], values), callback=True)
        seen = [(e["name"], e["args"][0] if e["args"] else None) for e in sock.get_received()]
        status, answer = None, json.dumps([body, seen])

    if denied:
        code_status, code, text = expected
        envelope = {key: body.get(key) for key in ("success", "error", "code")}
        assert envelope == {"success": False, "error": text, "code": code}, body
        assert set(body) <= {*envelope, "details"}
        if transport == "rest":
            assert status == code_status, body
        else:
            assert seen == [("error", {"message": text, "code": code, "event": row["socket"]["event"]})]
        assert not leaks(answer, world.secrets + (obj.secrets if obj else []))
        assert snapshot(world, touched) == before, "a refused action changed stored state"
        if watcher is not None:
            heard = [e["name"] for e in watcher.get_received() if not e["name"].startswith("presence:")]
            assert heard == [], "a refused action was announced to the object's people"
        return
    if transport == "rest":
        assert 200 <= status < 300 and (body is None or body.get("success") is True), (status, body)
    else:
        assert body.get("success") is True, body
        assert "error" not in [name for name, _ in seen], seen
    if expected == matrix.SHOWN:
        assert not set(obj.secrets) - set(leaks(answer, obj.secrets)), "the answer should hold the object"
    elif expected == matrix.HIDDEN:
        assert not leaks(answer, obj.secrets), "someone else's object showed up in the answer"


# ---- the matrix itself -------------------------------------------------------------------
def _rule_path(rule):
    path = rule.rule.rstrip("/")
    while "<" in path:
        start = path.index("<")
        path = path[:start] + "{id}" + path[path.index(">", start) + 1:]
    return path


def test_the_matrix_has_a_row_for_every_rest_endpoint_of_chat_tickets_sync_and_files(security_app):
    prefixes = ("/api/v1/chat", "/api/v1/tickets", "/api/v1/employee", "/api/v1/sync", "/api/v1/files")
    served = {(method, _rule_path(rule)) for rule in security_app.url_map.iter_rules()
              if rule.rule.startswith(prefixes) for method in rule.methods - {"HEAD", "OPTIONS"}}
    # Any placeholder in a row's path ({id}, {owner}) stands for the route's one variable part.
    paths = {(row["rest"]["method"], urlsplit(row["rest"]["path"]).path.rstrip("/"))
             for row in matrix.MATRIX if row.get("rest")}
    covered = {(method, re.sub(r"\{\w+\}", "{id}", path)) for method, path in paths}
    assert served - covered == set()
    assert covered - served == set()


def test_the_matrix_has_a_row_for_every_socket_event_a_client_may_emit():
    handlers = {*chat_events.HANDLERS, *ticket_events.HANDLERS, *presence_events.HANDLERS,
                *sync_events.HANDLERS}
    covered = {row["socket"]["event"] for row in matrix.MATRIX if row.get("socket")}
    assert handlers == covered


def test_every_row_gives_every_subject_an_outcome_for_every_kind_of_object_it_lists():
    outcomes = {matrix.ALLOW, matrix.SHOWN, matrix.HIDDEN}
    for row in matrix.MATRIX:
        kinds = [kind for kind in matrix.KINDS if kind in row]
        assert "real" in kinds and matrix.transports(row), row["action"]
        for kind in kinds:
            assert set(row[kind]) == set(matrix.SUBJECTS), (row["action"], kind)
            for outcome in row[kind].values():
                assert outcome in outcomes or (len(outcome) == 3 and 400 <= outcome[0] < 500), (row, outcome)


@pytest.mark.parametrize("transport", ["rest", "socket"])
def test_a_note_written_over_either_transport_reaches_staff_live_and_no_customer_socket(
        transport, world, security_socket):
    ticket = world.fresh("ticket")
    following = {}
    for who in ("owner", "employee"):
        sock = following[who] = security_socket(world.people[who]["token"])
        assert sock.emit("join_ticket", {"ticketId": ticket.id}, callback=True)["success"] is True
        sock.get_received()
    owner_tab = security_socket(world.people["owner"]["token"])  # its user: room only
    owner_tab.get_received()
    text = f"private internal note {unique('live')}"
    if transport == "rest":
        world.ok("assignee", "POST", f"/api/v1/tickets/{ticket.id}/notes", json={"note": text})
    else:
        writer = security_socket(world.people["assignee"]["token"])
        assert writer.emit("ticket_note", {"ticketId": ticket.id, "note": text}, callback=True)["success"]
    staff_heard = [e["args"][0]["note"] for e in following["employee"].get_received()
                   if e["name"] == "ticket:note"]
    assert staff_heard == [text]
    for sock in (following["owner"], owner_tab):
        assert not leaks(json.dumps([e["args"] for e in sock.get_received()]), [text])
