"""Typing asks whether a block stands once per sender and conversation, presence who is in a block
with a user once per user; both forget on any block change."""
import pytest

from gharbazaar import db
from gharbazaar.chat import blocks

API = "/api/v1/chat"


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def block_queries(app):
    return (db.command_timings(app).get("find chat_blocks") or {}).get("count", 0)


@pytest.fixture
def metered(make_app):
    """An app that counts its database commands (DB_METRICS)."""
    return make_app(DB_METRICS=True)


def test_typing_asks_about_blocks_once_until_a_block_changes(metered, pair, person, socket_client):
    app, client = metered, metered.test_client()
    buyer, seller = pair
    created = client.post(f"{API}/conversations", json={"otherUserId": seller.id, "propertyId": "p1"},
                          headers=buyer.headers)
    typing = {"conversationId": created.get_json()["data"]["conversation"]["id"], "isTyping": True}
    clock = app.extensions["gharbazaar.typing_blocks"].clock = Clock()
    seller_sock = socket_client(seller.token, target=app)  # typing without joining: nothing known yet

    def asked_after(seconds):
        """Type `seconds` later; return how many times that asked the database about blocks."""
        clock.now += seconds
        before = block_queries(app)
        assert seller_sock.emit("typing", typing, callback=True)["success"] is True
        return block_queries(app) - before

    assert asked_after(0) == 1
    assert asked_after(60) == 0, "the next message's typing, a minute later, asks nothing"
    someone, other = person(), person("seller")
    assert client.post(f"{API}/blocks", json={"userId": other.id}, headers=someone.headers).status_code == 200
    assert asked_after(1) == 1, "any block change drops what this process knew"
    assert asked_after(1) == 0
    assert asked_after(blocks.RECHECK_S) == 1, "and it asks again after the backstop"


def test_presence_asks_who_is_in_a_block_with_a_user_once_until_a_block_changes(
        metered, pair, person, socket_client):
    app, client = metered, metered.test_client()
    buyer, seller = pair
    assert client.post(f"{API}/conversations", json={"otherUserId": seller.id, "propertyId": "p1"},
                       headers=buyer.headers).status_code in (200, 201)
    clock = app.extensions["gharbazaar.severed_blocks"].clock = Clock()

    def asked_after(seconds):
        """Connect and leave `seconds` later; return how many times that asked about blocks."""
        clock.now += seconds
        before = block_queries(app)
        sock = socket_client(buyer.token, target=app)
        sock.disconnect()
        return block_queries(app) - before

    assert asked_after(0) == 2, "online and offline announced: one answer, read in two finds"
    assert asked_after(60) == 0, "a reconnection a minute later asks nothing"
    someone, other = person(), person("seller")
    assert client.post(f"{API}/blocks", json={"userId": other.id}, headers=someone.headers).status_code == 200
    assert asked_after(1) == 2, "any block change drops what this process knew"
    assert asked_after(blocks.RECHECK_S) == 2, "and it asks again after the backstop"


def test_an_answer_read_while_a_block_changed_is_not_kept():
    answers = blocks.BlockAnswers(Clock())
    generation = answers.generation
    answers.forget()  # a notice arrives while the query was in flight
    answers.put(("u1", "c1"), True, generation)
    assert answers.get(("u1", "c1")) is None
    answers.put(("u1", "c1"), False, answers.generation)
    assert answers.get(("u1", "c1")) is False


def test_the_least_recently_asked_answer_goes_first(monkeypatch):
    monkeypatch.setattr(blocks, "CACHE_MAX", 2)
    answers = blocks.BlockAnswers(Clock())
    for key in ("a", "b"):
        answers.put(key, True, answers.generation)
    assert answers.get("a") is True  # "b" is now the least recently used
    answers.put("c", False, answers.generation)
    assert (answers.get("a"), answers.get("b"), answers.get("c")) == (True, None, False)
