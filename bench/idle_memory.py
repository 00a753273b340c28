#!/usr/bin/env python3
"""Memory per idle socket: the backend's RSS with N sockets held open, less its RSS without them.

    .venv/bin/python bench/idle_memory.py [--sockets 1000] [--rounds 2] [--wave 50]

Each round starts a fresh SecantusDB and backend (as the suite does), opens and closes a few
sockets (what the first socket loads once is not counted per socket), then opens N
authenticated sockets at once (or `--wave` at a time) with the frontend's transports (polling,
then the websocket upgrade; `loadgen.js`'s connect storm, held open), waits for the RSS to
settle, and reports (held - before) / N. A fresh process each round: memory freed by Python
stays in its arenas, so a second storm on the same process would reuse it and read low.
"""
import argparse
import json
import os
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import servers  # noqa: E402
from harness.procs import Proc, rss_bytes  # noqa: E402

WARM_SOCKETS = 20  # opened and closed first: code paths loaded once are not counted per socket


def settled_rss(pid, quiet_s=2.0, timeout_s=30.0):
    """Return the process's RSS once it has stopped moving for quiet_s."""
    last, since, deadline = rss_bytes(pid), time.monotonic(), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = rss_bytes(pid)
        if abs(now - last) > 64 * 1024:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
    return last


def storm(url, secret, count, prefix, hold_ms, workdir, wave=0):
    """Start a generator holding `count` sockets for hold_ms (opened `wave` at a time, 0: all at
    once); return it (and how many) once held."""
    path = os.path.join(workdir, f"{prefix}.json")
    with open(path, "w") as f:
        json.dump({"kind": "connect", "urls": [url], "secret": secret, "count": count, "prefix": prefix,
                   "holdMs": hold_ms, "wave": wave}, f)
    gen = Proc(prefix, "gen", [servers.NODE, os.path.join(servers.BENCH, "node", "loadgen.js"), path])
    gen.wait_line(("READY",), 60)
    gen.send("GO")
    line = gen.wait_line(("HOLDING",), 300)
    return gen, json.loads(line.split(" ", 1)[1])["connected"]


def one_round(n, count, wave=0):
    """A fresh database and backend; return KiB per socket of `count` sockets held."""
    secret = uuid.uuid4().hex * 2
    db_proc, uri = servers.secantus()
    app_proc, url = servers.app("backend", uri, "idle_" + uuid.uuid4().hex[:8], secret)
    try:
        with tempfile.TemporaryDirectory() as workdir:
            warm, _ = storm(url, secret, WARM_SOCKETS, f"warm{n}", 500, workdir)
            warm.stop(30)
            before = settled_rss(app_proc.pid)
            gen, held = storm(url, secret, count, f"idle{n}", 600000, workdir, wave)
            after = settled_rss(app_proc.pid)
            gen.stop(5)
    finally:
        app_proc.stop(5)
        db_proc.stop(5)
    per = (after - before) / max(held, 1) / 1024
    print(f"round {n + 1}: {held} sockets held, RSS {before / 2**20:.1f} -> {after / 2**20:.1f} MB, "
          f"{per:.1f} KiB per socket", flush=True)
    return per


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--wave", type=int, default=0, help="sockets opened at a time (0: all at once)")
    args = parser.parse_args()
    results = []
    for n in range(args.rounds):
        results.append(one_round(n, args.sockets, args.wave))
    print(f"KiB per idle socket: {', '.join(f'{r:.1f}' for r in results)}")


if __name__ == "__main__":
    main()
