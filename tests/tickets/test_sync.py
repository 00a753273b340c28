"""Resync for tickets: status changes and messages missed while offline come back in order."""
from datetime import timedelta

from gharbazaar.models import utcnow
from gharbazaar.tickets import repository, sync as ticket_sync
from tests.support import auth, make_token


def sync(client, user, role, since):
    return client.post("/api/v1/sync", json={"since": since}, headers=auth(make_token(user, role)))


def test_missed_status_changes_and_messages_come_back(client, rest, new_ticket, people):
    ticket = new_ticket(people.customer)
    first = sync(client, people.customer, "buyer", "2000-01-01T00:00:00Z")
    checkpoint = first.get_json()["data"]["serverTime"]
    assert rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee").status_code == 200
    reply = rest("POST", f"/{ticket['id']}/messages", people.emp1, "employee", {"message": "Looking into it"})
    assert reply.status_code == 201

    data = sync(client, people.customer, "buyer", checkpoint).get_json()["data"]
    (entry,) = data["tickets"]
    assert entry["ticketId"] == ticket["id"]
    assert entry["ticket"]["status"] == "in_progress" and entry["ticket"]["assignedTo"] == people.emp1
    assert "Looking into it" in [m["message"] for m in entry["messages"]]
    assert [m["timestamp"] for m in entry["messages"]] == sorted(m["timestamp"] for m in entry["messages"])
    assert data["ticketsHasMore"] is False


def test_the_assignee_resyncs_too_and_outsiders_get_nothing(client, rest, new_ticket, people):
    ticket = new_ticket(people.customer)
    rest("POST", f"/{ticket['id']}/assign", people.emp1, "employee")
    since = "2000-01-01T00:00:00Z"
    assignee = sync(client, people.emp1, "employee", since).get_json()["data"]["tickets"]
    assert [t["ticketId"] for t in assignee] == [ticket["id"]]
    assert sync(client, people.other, "seller", since).get_json()["data"]["tickets"] == []
    former = sync(client, people.emp1, "buyer", since).get_json()["data"]["tickets"]
    assert former == [], "an assignee whose token is no longer staff's resyncs only their own tickets"


def test_without_since_there_are_no_ticket_changes(client, new_ticket, people):
    new_ticket(people.customer)
    response = client.post("/api/v1/sync", json={"conversations": {"0" * 24: 0}},
                           headers=auth(make_token(people.customer)))
    assert response.status_code == 200 and response.get_json()["data"]["tickets"] == []


def test_changed_since_merges_owned_and_assigned_tickets_in_change_order(make_app):
    with make_app(AUTO_ASSIGN=False).app_context():
        start = utcnow()
        at = [start + timedelta(seconds=i) for i in range(1, 6)]

        def insert(owner, assignee, status, updated):
            # `people` as models.new_ticket and assignment.apply_move keep it: the owner and the assignee.
            return repository.insert({"userId": owner, "assignedTo": assignee, "status": status,
                                      "people": [p for p in (owner, assignee) if p], "updatedAt": updated,
                                      "history": []})["_id"]
        owned = [insert("emp", None, "open", at[i]) for i in (0, 3)]
        assigned = [insert(f"c{i}", "emp", "assigned", at[i]) for i in (1, 4)]
        both = insert("emp", "emp", "assigned", at[2])
        insert("else", "other", "open", at[2])

        every = [doc["_id"] for doc in repository.changed_since("emp", start, 10)]
        first = [doc["_id"] for doc in repository.changed_since("emp", start, 2)]
        later = [doc["_id"] for doc in repository.changed_since("emp", at[2], 10)]

    assert every == [owned[0], assigned[0], both, owned[1], assigned[1]]
    assert first == every[:3]  # limit + 1, so that the caller can tell there is more
    assert later == [owned[1], assigned[1]]


def test_a_cut_answer_resumes_where_it_stopped_when_its_server_time_is_the_next_since(
        client, rest, new_ticket, people, monkeypatch):
    # The client does what docs/sync.md says: keep `serverTime`, send it as the next `since`.
    # When more tickets changed than an answer holds, that skipped the rest for good.
    monkeypatch.setattr(ticket_sync, "MAX_TICKETS", 2)
    since = sync(client, people.customer, "buyer", "2000-01-01T00:00:00Z").get_json()["data"]["serverTime"]
    made = [new_ticket(people.customer)["id"] for _ in range(5)]
    seen, rounds = [], 0
    while True:
        data = sync(client, people.customer, "buyer", since).get_json()["data"]
        seen += [t["ticketId"] for t in data["tickets"]]
        since, rounds = data["serverTime"], rounds + 1
        if not data["ticketsHasMore"]:
            break
        assert rounds < 10
    assert set(made) <= set(seen) and rounds >= 3


def test_a_ticket_with_more_new_messages_than_an_answer_holds_comes_again_for_the_rest(
        client, rest, new_ticket, people, monkeypatch):
    monkeypatch.setattr(ticket_sync, "MAX_MESSAGES", 3)
    ticket = new_ticket(people.customer)
    since = sync(client, people.customer, "buyer", "2000-01-01T00:00:00Z").get_json()["data"]["serverTime"]
    sent = [f"update {n}" for n in range(7)]
    for text in sent:
        posted = rest("POST", f"/{ticket['id']}/messages", people.customer, body={"message": text})
        assert posted.status_code == 201
    got, rounds = [], 0
    while True:
        data = sync(client, people.customer, "buyer", since).get_json()["data"]
        got += [m["message"] for entry in data["tickets"] for m in entry["messages"]]
        since, rounds = data["serverTime"], rounds + 1
        if not data["ticketsHasMore"]:
            break
        assert rounds < 10
    assert set(sent) <= set(got)


def test_a_ticket_left_for_the_next_answer_keeps_the_messages_written_before_the_cut(
        client, rest, new_ticket, people, monkeypatch):
    monkeypatch.setattr(ticket_sync, "MAX_TICKETS", 2)
    ticket = new_ticket(people.customer)
    since = sync(client, people.customer, "buyer", "2000-01-01T00:00:00Z").get_json()["data"]["serverTime"]
    rest("POST", f"/{ticket['id']}/messages", people.customer, body={"message": "before the cut"})
    for _ in range(3):
        new_ticket(people.customer)
    rest("POST", f"/{ticket['id']}/messages", people.customer, body={"message": "after the cut"})
    got, rounds = [], 0
    while True:  # as docs/sync.md says: the answer's serverTime is the next since
        data = sync(client, people.customer, "buyer", since).get_json()["data"]
        got += [m["message"] for entry in data["tickets"] if entry["ticketId"] == ticket["id"]
                for m in entry["messages"]]
        since, rounds = data["serverTime"], rounds + 1
        if not data["ticketsHasMore"]:
            break
        assert rounds < 10
    assert rounds >= 2 and {"before the cut", "after the cut"} <= set(got)
