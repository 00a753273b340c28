"""Chat traffic for fault tests: bursts of acknowledged sends that retry through a fault, and checks."""
import threading
import time
import uuid

import socketio

from tests.support.people import new_person
from tests.support import Recorder

API = "/api/v1/chat"
# The fault tests send faster than a person types; the limits are not what they test.
BUSY = {"RATE_LIMIT_MESSAGES": "100000 per minute", "RATE_LIMIT_SOCKET_EVENTS": "1000 per second",
        "RATE_LIMIT_SOCKET_FLOOD": "100000 per 10 seconds"}
CLIENT_ERRORS = (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                 socketio.exceptions.DisconnectedError, socketio.exceptions.ConnectionError)


def people():
    """A buyer and a seller no other test knows."""
    return new_person("buyer", "Asha"), new_person("seller", "Ravi")


def open_conversation(server, a, b):
    response = server.post(f"{API}/conversations", json={"otherUserId": b.id}, headers=a.headers)
    assert response.status_code == 201, response.text
    return response.json()["data"]["conversation"]["id"]


def connect(server, person, conversation_id=None, namespace="/"):
    """Return a connected real client, joined to the conversation when one is given."""
    client = Recorder(server.url, person.token, namespace=namespace)
    assert client.connect(), client.connect_error
    if conversation_id:
        assert client.emit("join_conversation", conversation_id)["success"] is True
    return client


class Burst:
    """Senders that each send `count` messages one after another, retrying a failed send (same id)."""

    def __init__(self, server, person, conversation_id, senders=3, count=30, give_up_s=60):
        self.server, self.person, self.conversation_id = server, person, conversation_id
        self.count, self.give_up_s = count, give_up_s
        self.tag = uuid.uuid4().hex[:6]
        self.acked = {}  # clientMessageId -> the message the server acknowledged
        self.failures = []  # (clientMessageId, failure code) of sends answered but not stored
        self.latencies = []  # of every attempt, answered or not
        self.lock = threading.Lock()
        self.milestones = []  # (ack count, Event) pairs set when that many sends were acknowledged
        self.threads = [threading.Thread(target=self._send_all, args=(s,), daemon=True)
                        for s in range(senders)]

    def at(self, acks):
        """Return an Event set once `acks` sends have been acknowledged."""
        reached = threading.Event()
        self.milestones.append((acks, reached))
        return reached

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def join(self):
        for thread in self.threads:
            thread.join(self.give_up_s + 30)
        assert not any(t.is_alive() for t in self.threads), "senders still running"
        assert len(self.acked) == self.count * len(self.threads), (len(self.acked), self.failures[-5:])
        return self.acked

    def _send_all(self, sender):
        client = None
        deadline = time.monotonic() + self.give_up_s
        for n in range(self.count):
            cid = f"{self.tag}-{sender}-{n}"
            payload = {"conversationId": self.conversation_id, "content": f"burst {cid}",
                       "clientMessageId": cid}
            while time.monotonic() < deadline:
                if client is None or not client.client.connected:
                    client = self._reconnect(client)
                if client is None:
                    continue
                began = time.monotonic()
                try:
                    ack = client.emit("send_message", payload, timeout=10)
                except CLIENT_ERRORS:
                    ack = None
                with self.lock:
                    self.latencies.append(time.monotonic() - began)
                if ack and ack.get("success"):
                    self._acknowledged(cid, ack["data"]["message"])
                    break
                with self.lock:
                    self.failures.append((cid, (ack or {}).get("code")))
        if client is not None:
            client.close()

    def _reconnect(self, old):
        if old is not None:
            old.close()
        client = Recorder(self.server.url, self.person.token)
        return client if client.connect() else None

    def _acknowledged(self, cid, message):
        with self.lock:
            self.acked[cid] = message
            for acks, reached in self.milestones:
                if len(self.acked) >= acks:
                    reached.set()


def assert_stored_exactly_once(stored, conversation_id, acked):
    """Every acknowledged message is in the database once, under the id the sender was given."""
    from bson import ObjectId

    docs = stored("messages", {"conversationId": ObjectId(conversation_id)})
    by_client_id = {}
    for doc in docs:
        by_client_id.setdefault(doc.get("clientMessageId"), []).append(str(doc["_id"]))
    lost = sorted(cid for cid in acked if cid not in by_client_id)
    doubled = sorted(cid for cid, ids in by_client_id.items() if len(ids) > 1)
    moved = sorted(cid for cid, message in acked.items()
                   if cid in by_client_id and by_client_id[cid] != [message["id"]])
    assert (lost, doubled, moved) == ([], [], []), f"lost {lost}, stored twice {doubled}, other id {moved}"
    return docs


def server_messages(server, person, conversation_id):
    """Return the conversation's messages as the server lists them now, by id (every page)."""
    out, before = {}, None
    while True:
        query = f"?limit=100&before={before}" if before else "?limit=100"
        listing = server.get(f"{API}/conversations/{conversation_id}/messages{query}", headers=person.headers)
        assert listing.status_code == 200, listing.text
        data = listing.json()["data"]
        out.update((m["id"], m) for m in data["messages"])
        if not data["hasMore"]:
            return out
        before = data["nextBefore"]


def resync(client, local, conversations=None, since=None):
    """Run the client's `sync` (every page) and apply the answer to `local`, by message id."""
    body = {"conversations": dict(conversations or {})}
    if since:
        body["since"] = since
    while True:
        answer = client.emit("sync", body, timeout=20)
        assert answer["success"] is True, answer
        more = {}
        for entry in answer["data"]["conversations"]:
            for message in entry["messages"]:
                local[message["id"]] = message
            if entry["hasMore"]:
                more[entry["conversationId"]] = entry["lastSeq"]
        if not more:
            return local
        body = {"conversations": more}
