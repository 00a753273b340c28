#!/usr/bin/env python3
"""Time the repositories' own hot database calls as their collections grow: `python bench/dbprobe.py`.

Each call is the application's (gharbazaar/*/repository.py), on a database of N conversations,
presence users and sockets, run through a real app. A call whose time grows with N is a scan,
whatever `explain` says. Runs against $MONGODB_URI, else a fresh in-memory SecantusDB.
Writes bench/results/dbprobe.md and .json (on demand, not in CI).
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import timedelta

from bson import ObjectId

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import servers  # noqa: E402
from harness.seed import conversation_doc  # noqa: E402

from gharbazaar import create_app, db  # noqa: E402
from gharbazaar.chat import pages, read_batch, read_marks, repository as chat  # noqa: E402
from gharbazaar.models import utcnow  # noqa: E402
from gharbazaar.presence import repository as presence  # noqa: E402

RESULTS = os.path.join(servers.BENCH, "results")


def seed(n):
    """Write n conversations (one message each), presence users and sockets straight into the collections."""
    now = utcnow()
    database = db.get_db()
    convs = [dict(conversation_doc([f"b{i}", f"s{i}"], "p", now - timedelta(seconds=i)), seq=1) for i in range(n)]
    database[chat.CONVERSATIONS].insert_many(convs)
    database[chat.MESSAGES].insert_many([
        {"conversationId": c["_id"], "senderId": c["participants"][0], "content": "hi", "read": False,
         "changeSeq": 1, "dedupeKey": f"id:{c['_id']}", "createdAt": now, "updatedAt": now} for c in convs])
    database[presence.USERS].insert_many([{"_id": f"b{i}", "online": True, "status": "online", "lastSeen": now}
                                          for i in range(n)])
    database[presence.SOCKETS].insert_many([
        {"_id": f"sid-{i}", "userId": f"b{i}", "role": "buyer", "process": "p", "available": False,
         "connectedAt": now, "lastSeen": now} for i in range(n)])
    # One user in every conversation's list too, active once a minute (bench/harness/seed.py).
    for first in range(0, n, 1000):
        database[chat.CONVERSATIONS].insert_many([conversation_doc(["heavy", f"h{i}"], f"p{i}", now - timedelta(
            minutes=i)) for i in range(first, min(n, first + 1000))])
    return convs


def calls(convs):
    """The hot calls, each fn(i) on the i-th of the seeded documents (a fresh one per repetition)."""
    def message(i):
        c = convs[i]
        return {"_id": ObjectId(), "conversationId": c["_id"], "senderId": c["participants"][0],
                "content": "x", "createdAt": utcnow()}
    return {
        "chat send: claim_for_message (findAndModify)": lambda i: chat.claim_for_message(
            message(i), convs[i]["participants"]),
        "chat send: insert_message (insert)": lambda i: chat.insert_message(
            (lambda m: dict(m, read=False, changeSeq=2, dedupeKey=f"id:{m['_id']}"))(message(i))),
        "chat read: claim_seq (findAndModify)": lambda i: chat.claim_seq(convs[i]["_id"], convs[i]["participants"][1]),
        "chat read: read_batch, 10 receipts together (find + update)": lambda i: read_batch._claim_many(
            [(c["_id"], c["participants"][1]) for c in (convs[j % len(convs)] for j in range(10 * i, 10 * i + 10))]),
        "chat read: mark_read (update, many)": lambda i: chat.mark_read(
            convs[i]["_id"], convs[i]["participants"][1], 3),
        "chat read: uncount_read (update)": lambda i: chat.uncount_read(convs[i], convs[i]["participants"][1], 1),
        # Conversations not read before at 1,000 and 10,000 (30 repetitions); at 100 they wrap around.
        "chat read: read_marks, 10 receipts together (find + 2 updates)": lambda i: read_marks._mark_many(
            [(dict(c, seq=5), c["participants"][1], None)
             for c in (convs[-1 - j % len(convs)] for j in range(10 * i, 10 * i + 10))]),
        "conversation list of one, first page (find)": lambda i: pages.page_of_conversations(f"b{i}", 51),
        "conversation list of one, next page (find)": lambda i: pages.page_of_conversations(
            f"b{i}", 51, before=utcnow(), before_id=ObjectId()),
        "conversation list of N, first page (find)": lambda i: pages.page_of_conversations("heavy", 51),
        "conversation list of N, page 90% deep (find)": lambda i: pages.page_of_conversations(
            "heavy", 51, before=utcnow() - timedelta(minutes=len(convs) * 9 // 10), before_id=ObjectId()),
        "presence: mark_offline (update)": lambda i: presence.mark_offline(f"b{i}"),
        "presence: remove_socket (delete)": lambda i: presence.remove_socket(f"sid-{i}"),
        "presence: is_live (distinct)": lambda i: presence.is_live(f"b{i}", 90),
    }


def probe(uri, sizes, reps):
    out = {}
    for n in sizes:
        name = f"dbprobe_{n}_{os.getpid()}"
        app = create_app({"TESTING": True, "APP_ENV": "test", "MONGODB_URI": uri, "MONGODB_DB": name,
                          "JWT_SECRET": "dbprobe-" + "x" * 32, "REDIS_URL": None, "SOCKETIO_ASYNC_MODE": "threading",
                          "RATELIMIT_STORAGE_URI": "memory://",
                          "MONGODB_TIMEOUT_MS": 120000})  # seeding 10,000s at once outlasts the serving budget
        db.ensure_indexes(app)
        with app.app_context():
            convs = seed(n)
            for label, fn in calls(convs).items():
                times = []
                for i in range(reps):
                    start = time.perf_counter()
                    fn(i)
                    times.append((time.perf_counter() - start) * 1000)
                out.setdefault(label, {})[n] = round(statistics.median(times), 3)
            db.get_client().drop_database(name)
        db.close(app)
        print(f"  {n:,} documents per collection: done", flush=True)
    return out


def table(results, sizes, database):
    head = ["call"] + [f"{n:,} docs (ms)" for n in sizes] + [f"x at {sizes[-1]:,} vs {sizes[0]:,}"]
    lines = [f"Database: {database}. Median of each call's repetitions, ms.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, by_size in results.items():
        cells = [f"{by_size[n]:.2f}" for n in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {by_size[sizes[-1]] / by_size[sizes[0]]:.1f}x |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000", help="documents per collection, comma list")
    parser.add_argument("--reps", type=int, default=30, help="repetitions of each call per size")
    parser.add_argument("--mongodb-uri", default=os.environ.get("MONGODB_URI"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    proc = None
    uri = args.mongodb_uri
    if not uri:
        proc, uri = servers.secantus()
    database = "SecantusDB 0.7.0b3 (in memory, standalone, started by the probe)" if proc else "MONGODB_URI"
    try:
        results = probe(uri, sizes, args.reps)
    finally:
        if proc:
            proc.popen.terminate()
    text = table(results, sizes, database)
    print(text)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "dbprobe.md"), "w") as f:
        f.write(f"# Database probe ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                f"Python {platform.python_version()})\n\n" + text)
    with open(os.path.join(RESULTS, "dbprobe.json"), "w") as f:
        json.dump({"database": database, "sizes": sizes, "reps": args.reps, "median_ms": results}, f, indent=1)


if __name__ == "__main__":
    main()
