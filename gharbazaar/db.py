"""MongoDB access: one client per process, the index registry and its CLI command."""
import contextlib
import logging
from collections import Counter

import click
import pymongo
from bson import ObjectId
from bson.errors import InvalidId
from flask import current_app
from flask.cli import with_appcontext
from pymongo import MongoClient, monitoring

from .config import WRITE_CONCERNS
from .errors import NotFound
from .resync import UnknownWrites

log = logging.getLogger(__name__)

# Building an index on a large collection (the release phase) legitimately takes longer than a request.
INDEX_BUILD_TIMEOUT_S = 3600


class CommandCounter(monitoring.CommandListener):
    """Count database round trips by command name, and time them by command and collection.

    Benchmarks read them (off by default): the time this process waited, per collection and
    command, shows what a saturated database spends its day on.
    """

    def __init__(self):
        self.counts = Counter()
        self.timed = Counter()
        self.micros = Counter()
        self._pending = {}

    def started(self, event):
        self.counts[event.command_name] += 1
        target = event.command.get(event.command_name)
        where = target if isinstance(target, str) else event.database_name
        self._pending[event.request_id] = f"{event.command_name} {where}"

    def succeeded(self, event):
        self._time(event)

    def failed(self, event):
        self._time(event)

    def _time(self, event):
        key = self._pending.pop(event.request_id, None)
        if key is not None:
            self.timed[key] += 1
            self.micros[key] += event.duration_micros

    def timings(self):
        """Return {"<command> <collection>": {"count", "ms"}}, the longest waited first."""
        return {key: {"count": self.timed[key], "ms": round(micros / 1000, 1)}
                for key, micros in self.micros.most_common()}


def register_indexes(app, indexes, retired=None):
    """Add a repository's {collection: [IndexModel]} to what ensure_indexes creates for this app,
    and its {collection: [index name]} of indexes an earlier release created, to drop."""
    registered = app.extensions.setdefault("gharbazaar.indexes", {})
    for collection, models in indexes.items():
        registered.setdefault(collection, []).extend(models)
    dropped = app.extensions.setdefault("gharbazaar.retired_indexes", {})
    for collection, names in (retired or {}).items():
        dropped.setdefault(collection, []).extend(names)


def get_client(app=None):
    """Return the app's MongoClient, creating it on first use (after any fork)."""
    app = app or current_app._get_current_object()
    state = app.extensions["mongo"]
    if state.get("client") is None:
        config = app.config
        listeners = [UnknownWrites(app)]
        if config["DB_METRICS"]:
            listeners.append(state.setdefault("counter", CommandCounter()))
        state["client"] = MongoClient(config["MONGODB_URI"], event_listeners=listeners, tz_aware=True,
                                      connect=False, appname="gharbazaar", **client_options(config))
    return state["client"]


def client_options(config):
    """Return the durability and time bounds every operation of this process runs under.

    timeoutMS is pymongo's client-side operation timeout: it bounds each operation end to end
    (a pooled connection, server selection, the send and the reply), so a hung server costs a
    request MONGODB_TIMEOUT_MS, not minutes; it supersedes socketTimeoutMS and waitQueueTimeoutMS.
    The write concern makes an acknowledged write survive a crash (docs/operations.md).
    """
    timeout = config["MONGODB_TIMEOUT_MS"]
    w, journal = WRITE_CONCERNS[config["MONGODB_WRITE_CONCERN"]]
    options = {"w": w, "timeoutMS": timeout, "serverSelectionTimeoutMS": timeout, "connectTimeoutMS": timeout}
    if journal:
        options["journal"] = True
    return options


def get_db(app=None):
    """Return the app's database."""
    app = app or current_app
    return get_client(app)[app.config["MONGODB_DB"]]


def ping(app=None, timeout_s=None):
    """Return True when the database answers within timeout_s (default MONGODB_TIMEOUT_MS)."""
    # pymongo.timeout(None) would mean no limit at all, not the client's own.
    bound = pymongo.timeout(timeout_s) if timeout_s else contextlib.nullcontext()
    try:
        with bound:
            get_client(app).admin.command("ping")
        return True
    except Exception:  # any failure means "not ready"; the cause is logged by the caller
        return False


def ensure_indexes(app=None):
    """Create every declared index; idempotent. Return the number of indexes."""
    app = app or current_app._get_current_object()
    db = get_db(app)
    count = 0
    with pymongo.timeout(INDEX_BUILD_TIMEOUT_S):
        for name, models in app.extensions.get("gharbazaar.indexes", {}).items():
            db[name].create_indexes(models)
            count += len(models)
        # An index no query uses still costs every write (and an index is replaced under a new
        # name: changing one's options under its old name is refused).
        for name, retired in app.extensions.get("gharbazaar.retired_indexes", {}).items():
            existing = {index["name"] for index in db[name].list_indexes()}
            for index in set(retired) & existing:
                db[name].drop_index(index)
                log.info("dropped a retired index", extra={"fields": {"collection": name, "index": index}})
    return count


def close(app):
    """Close the app's client, if one was opened."""
    client = app.extensions.get("mongo", {}).pop("client", None)
    if client is not None:
        client.close()


def object_id(value, what="Resource"):
    """Return value as an ObjectId, or raise NotFound: a malformed id names nothing."""
    if isinstance(value, ObjectId):
        return value
    # ObjectId() would also accept None (a new id) and any 12-byte string.
    if not isinstance(value, str) or len(value) != 24:
        raise NotFound(f"{what} not found")
    try:
        return ObjectId(value)
    except InvalidId:
        raise NotFound(f"{what} not found") from None


@click.command("ensure-indexes")
@with_appcontext
def ensure_indexes_command():
    """Create the database indexes (safe to run on every release)."""
    count = ensure_indexes()
    click.echo(f"ensured {count} indexes in {current_app.config['MONGODB_DB']}")


def init_app(app):
    """Attach per-app Mongo state and the CLI command."""
    app.extensions["mongo"] = {}
    app.cli.add_command(ensure_indexes_command)


def command_counts(app=None):
    """Return {command: count} since start, or None when DB_METRICS is off."""
    counter = _counter(app)
    return dict(counter.counts) if counter else None


def command_timings(app=None):
    """Return the time waited per command and collection since start, or None when DB_METRICS is off."""
    counter = _counter(app)
    return counter.timings() if counter else None


def _counter(app):
    return (app or current_app).extensions["mongo"].get("counter")
