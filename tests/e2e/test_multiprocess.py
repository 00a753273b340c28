"""Two real server processes on one Redis and one database: delivery, resync, restarts."""
import json
import signal
import uuid

import pytest
import redis
import socketio

from tests.faults.procs import wait_until
from tests.support.people import new_person
from tests.support import TEST_SECRET, ServerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
API = "/api/v1/chat"


@pytest.fixture
def cluster(mongo_uri, redis_url):
    """Start processes sharing one database and one private Redis channel; stop them after."""
    shared = {"APP_ENV": "test", "JWT_SECRET": TEST_SECRET, "MONGODB_URI": mongo_uri,
              "MONGODB_DB": f"gbmulti_{uuid.uuid4().hex[:8]}", "REDIS_URL": redis_url,
              "REDIS_CHANNEL": f"gbtest-{uuid.uuid4().hex[:8]}"}
    started = []

    def start(count=2):
        servers = [ServerProcess(shared) for _ in range(count)]
        started.extend(servers)
        return [server.wait_listening() for server in servers]

    start.channel = shared["REDIS_CHANNEL"]
    yield start
    for server in started:
        server.stop()


@pytest.fixture
def clients(real_client):
    return lambda server, who, **kwargs: real_client(server.url, who.token, **kwargs)


def conversation(server, a, b):
    response = server.post(f"{API}/conversations", json={"otherUserId": b.id}, headers=a.headers)
    assert response.status_code == 201, response.text
    return response.json()["data"]["conversation"]["id"]


def join(rec, conv_id):
    assert rec.emit("join_conversation", conv_id)["success"] is True
    return rec


def test_chat_crosses_processes_both_ways(cluster, clients):
    a, b = cluster()
    buyer, seller = new_person("buyer", "Asha"), new_person("seller", "Ravi")
    conv_id = conversation(a, buyer, seller)
    on_a, on_b = join(clients(a, buyer), conv_id), join(clients(b, seller), conv_id)

    sent = on_a.emit("send_message", {"conversationId": conv_id, "content": "from A"})["data"]["message"]
    assert on_b.wait_for("new_message") == sent
    assert on_b.wait_for("message_notification")["message"]["id"] == sent["id"]

    over_rest = b.post(f"{API}/conversations/{conv_id}/messages", json={"content": "from B by REST"},
                       headers=seller.headers)
    assert over_rest.status_code == 201
    assert on_a.wait_for("new_message", where=lambda m: m["content"] == "from B by REST")
    on_b.emit("typing", {"conversationId": conv_id, "isTyping": True}, ack=False)
    assert on_a.wait_for("user_typing")["userId"] == seller.id


def test_tickets_and_auto_assignment_cross_processes(cluster, clients):
    a, b = cluster()
    customer, employee = new_person("buyer", "Meera"), new_person("employee", "Agent Kiran")
    staff_on_b = clients(b, employee)
    assert staff_on_b.emit("join_employee_room")["success"] is True
    customer_on_a = clients(a, customer)

    created = a.post("/api/v1/tickets", headers=customer.headers, json={
        "categoryTitle": "Listing", "subCategoryTitle": "Photos", "problem": "My photos do not show."})
    assert created.status_code == 201, created.text
    ticket_id = created.json()["data"]["ticket"]["id"]
    assert staff_on_b.wait_for("ticket:created")["id"] == ticket_id
    assigned = customer_on_a.wait_for("ticket:assigned")
    assert assigned["ticketId"] == ticket_id and assigned["assignedTo"] == employee.id


def test_presence_crosses_processes(cluster, clients):
    a, b = cluster()
    buyer, seller = new_person(), new_person("seller")
    conversation(a, buyer, seller)
    watcher = clients(a, buyer)
    clients(b, seller)
    online = watcher.wait_for("presence:user-online", where=lambda p: p["userId"] == seller.id)
    assert online["status"] == "online"
    asked = watcher.emit("presence:get-status", {"userIds": [seller.id]})["data"]["users"]
    assert asked[0]["status"] == "online"


def test_a_client_that_missed_changes_resyncs_on_the_other_process(cluster, clients):
    a, b = cluster()
    buyer, seller = new_person(), new_person("seller")
    conv_id = conversation(a, buyer, seller)
    seller_on_a = join(clients(a, seller), conv_id)
    buyer_on_b = join(clients(b, buyer), conv_id)

    local = {}  # what the seller's app shows, by message id
    first = buyer_on_b.emit("send_message", {"conversationId": conv_id, "content": "before the tunnel"})
    seen = seller_on_a.wait_for("new_message")
    local[seen["id"]] = seen
    last_seq = seen["changeSeq"]
    seller_on_a.close()

    for text in ("one", "two", "three"):
        buyer_on_b.emit("send_message", {"conversationId": conv_id, "content": text})
    listing = b.get(f"{API}/conversations/{conv_id}/messages", headers=buyer.headers).json()["data"]
    two, three = listing["messages"][2], listing["messages"][3]
    buyer_on_b.emit("edit_message", {"messageId": first["data"]["message"]["id"], "content": "edited"})
    buyer_on_b.emit("delete_message", {"messageId": two["id"]})
    buyer_on_b.emit("edit_message", {"messageId": three["id"], "content": "three, edited"})

    seller_on_b = clients(b, seller)
    result = seller_on_b.emit("sync", {"conversations": {conv_id: last_seq}})["data"]
    (entry,) = result["conversations"]
    for message in entry["messages"]:
        local[message["id"]] = message
    server_state = b.get(f"{API}/conversations/{conv_id}/messages", headers=seller.headers).json()["data"]
    assert local == {m["id"]: m for m in server_state["messages"]}
    assert len(entry["messages"]) == 4  # three new ones and the edited first one, once each


def test_sigterm_during_sending_loses_and_duplicates_nothing(cluster, clients):
    a, b = cluster()
    buyer, seller = new_person(), new_person("seller")
    conv_id = conversation(a, buyer, seller)
    receiver = join(clients(b, seller), conv_id)
    total, stop_at = 40, 15
    sender = join(clients(a, buyer), conv_id)
    acked = set()
    for n in range(total):
        if n == stop_at:
            a.process.send_signal(signal.SIGTERM)
            assert a.wait_exit(10) == 0
        payload = {"conversationId": conv_id, "content": f"msg {n}", "clientMessageId": f"c-{n}"}
        while f"c-{n}" not in acked:
            try:
                ack = sender.emit("send_message", payload, timeout=5)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError,
                    socketio.exceptions.DisconnectedError):
                ack = None
            if ack and ack["success"]:
                acked.add(ack["data"]["message"]["clientMessageId"])
            else:  # the process went away: reconnect to the other one and retry the same id
                sender.close()
                sender = join(clients(b, buyer), conv_id)

    for n in range(total):
        receiver.wait_for("new_message", where=lambda m, n=n: m["clientMessageId"] == f"c-{n}")
    delivered = [m["clientMessageId"] for m in receiver.received("new_message")]
    assert receiver.received("server:shutdown") == []  # only process A's own sockets are told
    assert sorted(delivered) == sorted(f"c-{n}" for n in range(total))  # each once, none lost
    stored = b.get(f"{API}/conversations/{conv_id}/messages?limit=100", headers=buyer.headers).json()["data"]
    assert sorted(m["clientMessageId"] for m in stored["messages"]) == sorted(delivered)


def test_a_user_room_reaches_every_tab_on_every_process(cluster, clients):
    a, b = cluster()
    buyer, seller = new_person(), new_person("seller")
    conv_id = conversation(a, buyer, seller)
    tabs = [clients(a, seller), clients(b, seller)]
    sent = a.post(f"{API}/conversations/{conv_id}/messages", json={"content": "ping"}, headers=buyer.headers)
    assert sent.status_code == 201
    for tab in tabs:
        assert tab.wait_for("message_notification")["message"]["content"] == "ping"


def test_an_event_for_two_namespaces_crosses_redis_as_one_message(cluster, clients, redis_url):
    a, b = cluster()
    buyer, seller = new_person(), new_person("seller")
    conv_id = conversation(a, buyer, seller)
    tabs = [join(clients(b, seller, namespace=ns), conv_id) for ns in ("/", "/chat")]
    watcher = redis.Redis.from_url(redis_url).pubsub()
    watcher.subscribe(cluster.channel)
    assert watcher.get_message(timeout=5)["type"] == "subscribe"  # listening before anything is sent
    sent = a.post(f"{API}/conversations/{conv_id}/messages", json={"content": "once"}, headers=buyer.headers)
    assert sent.status_code == 201
    for tab in tabs:
        assert tab.wait_for("new_message")["content"] == "once"
    published = []
    while (item := watcher.get_message(timeout=1)) is not None:
        published.append(json.loads(item["data"]))
    watcher.close()
    emits = [(m["event"], m.get("namespaces")) for m in published if m["method"] == "emit"]
    assert emits == [("new_message", ["/", "/chat"]), ("message_notification", ["/", "/chat"])]


def test_a_masked_message_reaches_each_side_in_its_form_across_processes(cluster, clients):
    a, b = cluster()
    buyer, seller = new_person("buyer", "Asha"), new_person("seller", "Ravi")
    conv_id = conversation(a, buyer, seller)
    sender_on_b = join(clients(b, buyer), conv_id)  # the sender's other tab, on the other process
    on_a, on_b = join(clients(a, buyer), conv_id), join(clients(b, seller), conv_id)
    phone = "call me on 9876543210"
    sent = on_a.emit("send_message", {"conversationId": conv_id, "content": phone})["data"]["message"]
    masked = on_b.wait_for("new_message")
    assert masked["id"] == sent["id"] and "9876543210" not in masked["content"]
    assert sender_on_b.wait_for("new_message")["content"] == phone
    assert on_b.emit("presence:heartbeat", {})["success"] is True  # everything sent before has arrived
    assert [m["id"] for m in on_b.received("new_message")] == [sent["id"]]


def test_a_block_on_one_process_stops_typing_on_the_other_at_once(cluster, clients):
    a, b = cluster()
    buyer, seller = new_person("buyer", "Asha"), new_person("seller", "Ravi")
    conv_id = conversation(a, buyer, seller)
    blocker, typist = join(clients(a, buyer), conv_id), join(clients(b, seller), conv_id)
    typing = {"conversationId": conv_id, "isTyping": True}
    assert typist.emit("typing", typing)["data"].get("dropped") is None  # process B now knows: no block
    assert blocker.wait_for("user_typing")["userId"] == seller.id
    assert a.post(f"{API}/blocks", json={"userId": seller.id}, headers=buyer.headers).status_code == 200
    # Well under the typing limit (4 a second): a refusal for the pace reads the same as one for a block.
    dropped = lambda: typist.emit("typing", typing)["data"].get("dropped")  # noqa: E731
    wait_until(dropped, 5, "typing dropped on B", every=0.5)
    assert a.delete(f"{API}/blocks/{seller.id}", headers=buyer.headers).status_code == 200
    wait_until(lambda: not dropped(), 5, "typing back on B", every=0.5)
    assert blocker.wait_for("user_typing")["userId"] == seller.id


def test_a_block_on_one_process_hides_presence_on_the_other_at_once(cluster, clients):
    a, b = cluster()
    buyer, seller = new_person("buyer", "Asha"), new_person("seller", "Ravi")
    conversation(a, buyer, seller)
    clients(a, buyer)  # the buyer online
    viewer = clients(b, seller)

    def status():
        return viewer.emit("presence:get-status", {"userIds": [buyer.id]})["data"]["users"][0]["status"]

    assert status() == "online"  # process B now knows: no block between them
    assert a.post(f"{API}/blocks", json={"userId": seller.id}, headers=buyer.headers).status_code == 200
    wait_until(lambda: status() == "offline", 5, "presence hidden on B", every=0.5)
    assert a.delete(f"{API}/blocks/{seller.id}", headers=buyer.headers).status_code == 200
    wait_until(lambda: status() == "online", 5, "presence back on B", every=0.5)
