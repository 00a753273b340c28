"""Resync: a client that missed changes gets each changed message once, in change order."""
from datetime import timedelta

import pytest
from bson import ObjectId

from gharbazaar import db
from gharbazaar.auth import Actor
from gharbazaar.models import iso, utcnow
from gharbazaar.chat import sync as chat_sync
from tests.support.sockets import chat_events as events

API = "/api/v1/chat"


def send(client, who, conv_id, content, **extra):
    response = client.post(f"{API}/conversations/{conv_id}/messages", json={"content": content, **extra},
                           headers=who.headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["data"]["message"]


def sync(client, who, body):
    return client.post("/api/v1/sync", json=body, headers=who.headers)


def test_sequence_numbers_grow_with_every_change(client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    first, second = send(client, buyer, conv_id, "one"), send(client, buyer, conv_id, "two")
    assert (first["seq"], second["seq"]) == (1, 2)
    edited = client.put(f"{API}/messages/{first['id']}", json={"content": "uno"}, headers=buyer.headers)
    assert edited.get_json()["data"]["message"]["changeSeq"] == 3
    read = client.post(f"{API}/conversations/{conv_id}/read", headers=seller.headers).get_json()["data"]
    assert read["seq"] == 4


def test_missed_messages_edits_deletes_and_reads_come_once_in_order(client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    kept = send(client, buyer, conv_id, "seen before the drop")
    last_seen = kept["seq"]
    later = send(client, buyer, conv_id, "sent while offline")
    client.put(f"{API}/messages/{kept['id']}", json={"content": "edited while offline"},
               headers=buyer.headers)
    doomed = send(client, buyer, conv_id, "deleted while offline")
    client.delete(f"{API}/messages/{doomed['id']}", headers=buyer.headers)
    client.post(f"{API}/conversations/{conv_id}/read", headers=seller.headers)

    response = sync(client, seller, {"conversations": {conv_id: last_seen}})
    assert response.status_code == 200
    data = response.get_json()["data"]
    (entry,) = data["conversations"]
    assert entry["conversationId"] == conv_id and entry["hasMore"] is False
    messages = entry["messages"]
    assert sorted(m["id"] for m in messages) == sorted({later["id"], kept["id"], doomed["id"]})
    assert [m["changeSeq"] for m in messages] == sorted(m["changeSeq"] for m in messages)
    by_id = {m["id"]: m for m in messages}
    assert by_id[kept["id"]]["content"] == "edited while offline" and by_id[kept["id"]]["read"] is True
    assert by_id[doomed["id"]]["deleted"] is True and by_id[doomed["id"]]["content"] == "[Message deleted]"
    assert by_id[later["id"]]["read"] is True
    assert entry["lastSeq"] == max(m["changeSeq"] for m in messages)
    assert data["serverTime"].endswith("Z")


def test_nothing_new_means_nothing_sent(client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    message = send(client, buyer, conv_id, "hello")
    data = sync(client, seller, {"conversations": {conv_id: message["seq"]}}).get_json()["data"]
    assert data["conversations"] == []


def test_contact_sharing_changed_while_away_is_in_the_resync_of_a_known_conversation(
        app, client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    message = send(client, buyer, conv_id, "call me on 9876543210")
    with app.app_context():  # the message and the last sync well in the past
        db.get_db().conversations.update_one({"_id": ObjectId(conv_id)},
                                             {"$set": {"changedAt": utcnow() - timedelta(minutes=5)}})
    checkpoint = iso(utcnow() - timedelta(minutes=1))
    body = {"conversations": {conv_id: message["changeSeq"]}, "since": checkpoint}
    assert sync(client, seller, body).get_json()["data"]["conversations"] == [], "nothing changed yet"
    for who in (buyer, seller):  # both agree while the seller's other device is away
        client.post(f"/api/v1/chat/conversations/{conv_id}/contact-sharing", headers=who.headers)
    [entry] = sync(client, seller, body).get_json()["data"]["conversations"]
    assert entry["conversation"]["contactSharing"]["active"] is True and entry["messages"] == []
    assert entry["lastSeq"] == message["changeSeq"]


def test_since_finds_conversations_new_to_the_client(client, pair, start, person):
    buyer, seller = pair
    old_conv = start(buyer, seller)
    checkpoint = sync(client, seller, {"conversations": {old_conv: 0}}).get_json()["data"]["serverTime"]
    send(client, buyer, old_conv, "seen through the map")
    newcomer = person("buyer", "Newcomer")
    new_conv = start(newcomer, seller)
    send(client, newcomer, new_conv, "hi, is it available?")
    data = sync(client, seller, {"conversations": {old_conv: 0}, "since": checkpoint}).get_json()["data"]
    by_conv = {entry["conversationId"]: entry for entry in data["conversations"]}
    assert sorted(by_conv) == sorted([old_conv, new_conv])
    assert [m["content"] for m in by_conv[new_conv]["messages"]] == ["hi, is it available?"]
    assert by_conv[new_conv]["conversation"]["otherUser"]["name"] == "Newcomer"


def test_outsiders_and_malformed_ids_learn_nothing(client, pair, start, person):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    send(client, buyer, conv_id, "private")
    outsider = person()
    response = sync(client, outsider, {"conversations": {conv_id: 0, "not-an-id": 0},
                                       "since": "2000-01-01T00:00:00Z"})
    assert response.status_code == 200 and response.get_json()["data"]["conversations"] == []


def test_large_backlogs_come_in_pages(app, client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    sent = [send(client, buyer, conv_id, f"m{i}") for i in range(5)]
    reader = Actor(id=seller.id, role="seller")
    with app.test_request_context():
        (first,) = chat_sync.changes(reader, {conv_id: 0}, limit=3)
        assert first["hasMore"] is True and len(first["messages"]) == 3
        (rest,) = chat_sync.changes(reader, {conv_id: first["messages"][-1]["changeSeq"]}, limit=3)
    assert rest["hasMore"] is False
    assert [m["id"] for m in first["messages"] + rest["messages"]] == [m["id"] for m in sent]


@pytest.mark.parametrize("body", [{}, {"conversations": {"x": -1}}, {"conversations": {"x": "3"}},
                                  {"since": "yesterday"}, {"conversations": ["a"]}])
def test_bad_sync_requests_are_400(client, pair, body):
    response = sync(client, pair[0], body)
    assert response.status_code == 400 and response.get_json()["code"] == "validation_error"


def test_sync_over_a_socket_answers_by_ack_and_event(client, pair, start, socket_client):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    send(client, buyer, conv_id, "catch up")
    sock = socket_client(seller.token)
    ack = sock.emit("sync", {"conversations": {conv_id: 0}}, callback=True)
    assert ack["success"] is True
    assert [m["content"] for m in ack["data"]["conversations"][0]["messages"]] == ["catch up"]
    assert events(sock, "sync:result") == [ack["data"]]


def test_a_page_never_splits_the_messages_one_read_marked(app, client, pair, start):
    buyer, seller = pair
    conv_id = start(buyer, seller)
    sent = [send(client, buyer, conv_id, f"m{i}") for i in range(4)]
    client.post(f"{API}/conversations/{conv_id}/read", headers=seller.headers)  # one seq for all four
    reader = Actor(id=buyer.id, role="buyer")
    with app.test_request_context():
        (page,) = chat_sync.changes(reader, {conv_id: sent[-1]["seq"]}, limit=2)
    assert sorted(m["id"] for m in page["messages"]) == sorted(m["id"] for m in sent)
    assert {m["changeSeq"] for m in page["messages"]} == {page["lastSeq"]}
