"""Storage layer: one client per app, declared indexes, GridFS, ids."""
import pytest
from bson import ObjectId
from pymongo import ASCENDING, IndexModel

from gharbazaar import db
from gharbazaar.errors import NotFound
from gharbazaar.files import repository as files


def test_one_client_per_app(app):
    with app.app_context():
        assert db.get_client() is db.get_client()


def test_ensure_indexes_is_idempotent_and_creates_registered_indexes(app, make_app):
    db.register_indexes(app, {"probe_things": [IndexModel([("owner", ASCENDING)], name="by_owner")]})
    with app.app_context():
        first = db.ensure_indexes()
        assert db.ensure_indexes() == first
        assert "by_owner" in db.get_db().probe_things.index_information()
    assert "probe_things" not in make_app().extensions["gharbazaar.indexes"]  # one app's registry only


def test_ensure_indexes_drops_retired_indexes_and_is_quiet_when_they_are_gone(app):
    db.register_indexes(app, {"probe_retired": [IndexModel([("owner", ASCENDING)], name="by_owner")]},
                        retired={"probe_retired": ["by_owner_old", "never_created"]})
    with app.app_context():
        old = [("owner", ASCENDING), ("_id", ASCENDING)]
        db.get_db().probe_retired.create_index(old, name="by_owner_old")
        db.ensure_indexes()
        assert set(db.get_db().probe_retired.index_information()) == {"_id_", "by_owner"}
        db.ensure_indexes()  # nothing left to drop: no error
        assert set(db.get_db().probe_retired.index_information()) == {"_id_", "by_owner"}


def test_ensure_indexes_cli(app):
    result = app.test_cli_runner().invoke(args=["ensure-indexes"])
    assert result.exit_code == 0 and "ensured" in result.output


def test_object_id_parses_or_raises_not_found():
    assert db.object_id("0" * 24) == ObjectId("0" * 24)
    with pytest.raises(NotFound, match="Ticket not found"):
        db.object_id("zzz", "Ticket")
    with pytest.raises(NotFound):
        db.object_id(None)


def test_gridfs_round_trip_with_metadata(app):
    with app.app_context():
        file_id = files.save(b"\x89PNG data", "a.png", "image/png", {"scope": "chat", "scopeId": "c1"},
                             budget_s=30)
        stored = files.find(str(file_id))
        assert stored["metadata"] == {"scope": "chat", "scopeId": "c1", "contentType": "image/png"}
        assert files.stream(stored).read() == b"\x89PNG data"
        files.delete(str(file_id))
        with pytest.raises(NotFound):
            files.find(str(file_id))


def test_gridfs_unknown_or_malformed_ids_are_not_found(app):
    with app.app_context():
        for bad in ("nope", str(ObjectId())):
            with pytest.raises(NotFound):
                files.find(bad)


@pytest.mark.parametrize("setting, document", [
    ("majority", {"w": "majority", "j": True}),
    ("journaled", {"w": 1, "j": True}),
    ("acknowledged", {"w": 1}),
])
def test_every_write_carries_the_configured_write_concern(make_app, setting, document):
    client = db.get_client(make_app(indexes=False, MONGODB_WRITE_CONCERN=setting))
    assert client.write_concern.document == document


def test_every_operation_is_bounded_by_the_database_timeout(make_app):
    client = db.get_client(make_app(indexes=False, MONGODB_TIMEOUT_MS=1234))
    assert client.options.timeout == 1.234
    assert client.options.server_selection_timeout == 1.234


def test_a_database_timeout_of_any_kind_is_unavailable():
    from pymongo.errors import ExecutionTimeout, NetworkTimeout, WTimeoutError
    from gharbazaar.errors import Unavailable, as_app_error

    for exc in (NetworkTimeout("read timed out"), ExecutionTimeout("operation exceeded time limit", 50),
                WTimeoutError("waiting for replication timed out", 64)):
        assert isinstance(as_app_error(exc), Unavailable), exc
