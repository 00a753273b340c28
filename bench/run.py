#!/usr/bin/env python3
"""Run the benchmark suite: `python bench/run.py --profile smoke` (see bench/README.md).

Every scenario runs against a real backend process (and the Node reference, interleaved),
then bench/results/<profile>.{json,md} and docs/performance.md are written.
"""
import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from types import SimpleNamespace
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import profiles, report, runner, servers, targets  # noqa: E402
from harness.procs import Monitor  # noqa: E402

BENCH = servers.BENCH
RESULTS = os.path.join(BENCH, "results")
DOC = os.path.join(servers.REPO, "docs", "performance.md")
BEGIN, END = "<!-- results:begin (written by bench/run.py) -->", "<!-- results:end -->"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="smoke", choices=sorted(profiles.PROFILES))
    parser.add_argument("--only", default="", help="comma list of scenario ids (exact) or id prefixes")
    parser.add_argument("--mongodb-uri", default=os.environ.get("MONGODB_URI"),
                        help="database to use (default: $MONGODB_URI, else an in-memory SecantusDB)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"),
                        help="Redis for the two-process scenario (default: a private redis-server)")
    parser.add_argument("--async-mode", default=servers.ASYNC_MODE, choices=servers.ASYNC_MODES,
                        help="the backend's SOCKETIO_ASYNC_MODE (default: eventlet, production's)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md")
    parser.add_argument("--py-spy", metavar="DIR", default=None,
                        help="sample each backend process with py-spy during the measured window; "
                             "collapsed stacks to DIR/<scenario>-<process>.txt (see bench/profile_top.py)")
    return parser.parse_args()


def ensure_node_modules():
    if not os.path.isdir(os.path.join(BENCH, "node_modules", "socket.io-client")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True)


def describe_database(uri, started):
    from pymongo import MongoClient
    with MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        version = client.server_info().get("version", "?")
    if started:
        return ("SecantusDB 0.7.0b3 (MongoDB wire protocol, in-memory, started by the suite, "
                "a fresh one per scenario; "
                f"reports version {version})")
    return f"MongoDB server {version} at {urlsplit(uri).hostname} (from MONGODB_URI)"


def machine():
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    node = subprocess.run([servers.NODE, "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} CPUs ({model}), load average at start {os.getloadavg()[0]:.2f}, "
            f"Python {platform.python_version()}, Node {node}")


def main():
    args = parse_args()
    ensure_node_modules()
    servers.ASYNC_MODE = args.async_mode
    scenarios, seeds = profiles.PROFILES[args.profile]()
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        # An id named exactly means that scenario alone; otherwise a name is a prefix.
        ids = {s["id"] for s in scenarios}
        scenarios = [s for s in scenarios
                     if any(s["id"] == w if w in ids else s["id"].startswith(w) for w in wanted)]
    db_proc, redis_proc = None, None
    uri = args.mongodb_uri
    if not uri:
        db_proc, uri = servers.secantus()
    redis_url = args.redis_url
    if not redis_url and any(s["processes"] > 1 for s in scenarios):
        redis_proc, redis_url = servers.redis_server()
    started = time.monotonic()
    ctx = SimpleNamespace(secret=secrets.token_hex(32), mongo_uri=uri, db_proc=db_proc, redis_url=redis_url,
                          seeds=seeds, monitor=Monitor(), tag=datetime.now().strftime("%H%M%S"),
                          workdir=tempfile.mkdtemp(prefix="gharbazaar-bench-"), py_spy=args.py_spy)
    meta = {"profile": args.profile, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "database": describe_database(uri, db_proc is not None), "machine": machine(),
            "async_mode": args.async_mode,
            "redis": "private redis-server started by the suite" if redis_proc else (redis_url or "none")}
    print(f"profile {args.profile}: {len(scenarios)} scenarios; backend on {args.async_mode}; "
          f"database: {meta['database']}", flush=True)
    rows = []
    try:
        for sc in scenarios:
            if db_proc is not None and sc is not scenarios[0]:
                # A fresh SecantusDB per scenario: one kept for a whole run grows slower as its oplog
                # and cache fill (the flood's baseline p50 was 4x that of a scenario run alone).
                db_proc.stop()
                db_proc, ctx.mongo_uri = servers.secantus()
                ctx.db_proc = db_proc
            for target in sc["targets"]:
                t0 = time.monotonic()
                try:
                    got = runner.run(sc, target, ctx)
                except runner.NotRun as exc:
                    got = [_failed(sc, target, "not run", str(exc))]
                except Exception as exc:  # one broken scenario must not lose the others' numbers
                    traceback.print_exc()
                    first_line = (str(exc).splitlines() or [""])[0]
                    got = [_failed(sc, target, "failed", f"{type(exc).__name__}: {first_line}")]
                rows.extend(got)
                for r in got:
                    print(f"  {sc['id']:<22} {target:<4} {r['status']:<7} " + _line(r, t0), flush=True)
    finally:
        ctx.monitor.close()
        for proc in (db_proc, redis_proc):
            if proc:
                proc.stop()
    meta["elapsed_s"] = round(time.monotonic() - started)
    write(args, meta, rows)


def _line(r, t0):
    if r["status"] != "ok":
        return r.get("error", "")
    return (f"{r['throughput']:>10,.1f} {r['unit']:<13} p50 {report._f(r['p50_ms'], 2):>8} ms"
            f"  p99 {report._f(r['p99_ms'], 2):>8} ms  ({time.monotonic() - t0:.0f} s)")


def _failed(sc, target, status, error):
    return {"scenario": sc["id"], "title": sc["title"], "part": sc["parts"][0]["label"], "target": target,
            "status": status, "error": error}


def render(meta, rows):
    scenarios = dict((r["scenario"], r["title"]) for r in rows)
    titles = "\n".join(f"- `{sid}`: {title}" for sid, title in scenarios.items())
    return "\n\n".join([
        f"Profile **{meta['profile']}**, {meta['date']}, {meta['elapsed_s']} s.  \n"
        f"**Database: {meta['database']}.**  \n"
        f"Backend async mode: {meta.get('async_mode', 'eventlet')} (SOCKETIO_ASYNC_MODE).  \n"
        f"Machine: {meta['machine']}.  \nRedis: {meta['redis']}.",
        report.table(rows), "Scenarios:\n\n" + titles,
        "Database round trips per operation (backend, counted by the pymongo command listener):\n\n"
        + (report.db_breakdown(rows) or "(none measured)"),
        "Targets (`bench/targets.json`):\n\n" + targets.table(os.path.join(BENCH, "targets.json"), rows)])


def write(args, meta, rows):
    os.makedirs(RESULTS, exist_ok=True)
    text = render(meta, rows)
    with open(os.path.join(RESULTS, f"{args.profile}.json"), "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1, default=str)
    with open(os.path.join(RESULTS, f"{args.profile}.md"), "w") as f:
        f.write(f"# Benchmark results: {args.profile}\n\n{text}\n")
    print(f"\nwrote bench/results/{args.profile}.md and .json", flush=True)
    if not args.no_docs and os.path.exists(DOC):
        with open(DOC) as f:
            doc = f.read()
        if BEGIN in doc and END in doc:
            doc = doc[:doc.index(BEGIN) + len(BEGIN)] + "\n\n" + text + "\n\n" + doc[doc.index(END):]
            with open(DOC, "w") as f:
                f.write(doc)
            print("updated docs/performance.md", flush=True)


if __name__ == "__main__":
    main()
