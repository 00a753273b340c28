"""Uploads the database fails or slows: their own time budget, nothing left behind, no allowance spent."""
import io
import time
from datetime import timedelta

import pytest
from bson import ObjectId
from pymongo import _csot
from pymongo.errors import NetworkTimeout
from pymongo.synchronous.collection import Collection

from gharbazaar import db
from gharbazaar.files import unsent
from gharbazaar.models import utcnow
from tests.support import unique
from tests.support.files import png_bytes
from tests.support.people import new_person

CHUNK = 255 * 1024
BIG = png_bytes() + bytes(3 * CHUNK)  # four chunks
UNAVAILABLE = {"success": False, "error": "Service temporarily unavailable. Please try again shortly.",
               "code": "unavailable"}


def fail_inserts_into(monkeypatch, collection):
    """Make every insert_one into `collection` fail as a database that stopped answering would."""
    real = Collection.insert_one

    def insert_one(self, *args, **kwargs):
        if self.name == collection:
            raise NetworkTimeout("injected: the database stopped answering")
        return real(self, *args, **kwargs)
    monkeypatch.setattr(Collection, "insert_one", insert_one)


def conversation(client):
    """Return (uploader, conversation id) of a new conversation made over REST."""
    buyer, seller = new_person("buyer"), new_person("seller")
    body = {"otherUserId": seller.id, "propertyId": unique("prop")}
    answer = client.post("/api/v1/chat/conversations", json=body, headers=buyer.headers)
    return buyer, answer.get_json()["data"]["conversation"]["id"]


def upload(client, who, conversation_id, data):
    return client.post("/api/v1/chat/upload", headers=who.headers, content_type="multipart/form-data",
                       data={"conversationId": conversation_id, "file": (io.BytesIO(data), "big.png")})


def stored_counts(app):
    with app.app_context():
        return db.get_db()["fs.files"].count_documents({}), db.get_db()["fs.chunks"].count_documents({})


def test_an_upload_the_database_fails_midway_leaves_no_chunks_and_answers_503(app, client, monkeypatch):
    uploader, conv_id = conversation(client)
    fail_inserts_into(monkeypatch, "fs.files")  # the chunks are written, then the file document fails
    answer = upload(client, uploader, conv_id, BIG)
    assert answer.status_code == 503
    assert {key: answer.get_json()[key] for key in UNAVAILABLE} == UNAVAILABLE  # plus its requestId
    assert stored_counts(app) == (0, 0)


def test_an_upload_the_database_failed_spends_none_of_the_allowance(make_app, monkeypatch):
    app = make_app(RATE_LIMIT_UPLOAD_MB="1 per day")
    client = app.test_client()
    uploader, conv_id = conversation(client)
    with monkeypatch.context() as injected:
        fail_inserts_into(injected, "fs.files")
        assert upload(client, uploader, conv_id, png_bytes()).status_code == 503
    assert upload(client, uploader, conv_id, png_bytes()).status_code == 201
    refused = upload(client, uploader, conv_id, png_bytes())  # now the one megabyte is spent
    assert refused.status_code == 429 and refused.get_json()["code"] == "rate_limited"


class DeadlineClock:
    """pymongo's deadline clock (`pymongo._csot.time`), moved on by the test: a slow database's time
    passes for the deadlines without anyone waiting."""

    def __init__(self):
        self.ahead = 0.0

    def monotonic(self):
        return time.monotonic() + self.ahead


def test_an_upload_has_its_own_database_budget_beyond_one_operations_timeout(make_app, monkeypatch):
    # A database slower than MONGODB_TIMEOUT_MS for one upload's writes: each chunk write takes
    # 0.7 s of the deadline's clock.
    app = make_app(MONGODB_TIMEOUT_MS=500, UPLOAD_DB_TIMEOUT_S=30)
    client = app.test_client()
    uploader, conv_id = conversation(client)
    real, clock = Collection.insert_many, DeadlineClock()

    def slow_insert_many(self, *args, **kwargs):
        if self.name == "fs.chunks":
            clock.ahead += 0.7
        return real(self, *args, **kwargs)
    monkeypatch.setattr(_csot, "time", clock)
    monkeypatch.setattr(Collection, "insert_many", slow_insert_many)
    answer = upload(client, uploader, conv_id, BIG)
    assert answer.status_code == 201, answer.get_json()
    assert stored_counts(app) == (1, 4)


def put_chunks(app, file_id, count=2, with_file=False):
    with app.app_context():
        database = db.get_db()
        database["fs.chunks"].insert_many([{"files_id": file_id, "n": n, "data": b"x"} for n in range(count)])
        if with_file:
            database["fs.files"].insert_one({"_id": file_id, "length": count, "chunkSize": 1,
                                             "uploadDate": utcnow(), "metadata": {"scope": "kept"}})


def chunks_of(app, file_id):
    with app.app_context():
        return db.get_db()["fs.chunks"].count_documents({"files_id": file_id})


@pytest.mark.parametrize("left", ["every chunk", "all but the first"])
def test_the_sweep_removes_chunks_without_a_file_once_old_and_leaves_uploads_in_progress(app, left):
    now = utcnow()
    old = now - timedelta(seconds=app.config["UNSENT_FILE_TTL_S"] + 3600)
    orphan, stored = ObjectId.from_datetime(old), ObjectId.from_datetime(old - timedelta(minutes=1))
    in_progress = ObjectId()
    put_chunks(app, orphan, count=3)
    if left != "every chunk":  # an interrupted removal: the first chunk is the one that stays
        with app.app_context():
            db.get_db()["fs.chunks"].delete_many({"files_id": orphan, "n": {"$gt": 0}})
    put_chunks(app, stored, with_file=True)
    put_chunks(app, in_progress)  # an upload under way: its file document is not written yet
    with app.app_context():
        assert unsent.sweep(now=now) == 1
    assert chunks_of(app, orphan) == 0
    assert chunks_of(app, stored) == 2 and chunks_of(app, in_progress) == 2
