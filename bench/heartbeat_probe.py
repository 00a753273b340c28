#!/usr/bin/env python3
"""What one `presence:heartbeat` costs: `python bench/heartbeat_probe.py`.

The frontend sends one every 30 s per tab: at 5,000 users, 167 a second, as many events as the
marketplace day's messages. Starts a fresh SecantusDB and backend (`BENCH_SERVER_CPUS` pins the
backend), holds SOCKETS sockets open, measures an idle phase, then heartbeats at RATE a second
for as long, and reports per heartbeat the backend's and the database's CPU beyond the idle
phase's, and the database commands. On demand, not in CI.
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import procs, servers  # noqa: E402

SECRET = "heartbeat-probe-" + "x" * 32


def sample(app, db, url):
    return time.monotonic(), procs.cpu_seconds(app.pid), procs.cpu_seconds(db.pid), servers.db_commands(url)


def settle(url, quiet=5, every_s=2.0, limit_s=300):
    """Wait until the backend has finished the connects' work: at most `quiet` commands in `every_s`."""
    deadline, last = time.monotonic() + limit_s, sum(servers.db_commands(url).values())
    while time.monotonic() < deadline:
        time.sleep(every_s)
        now = sum(servers.db_commands(url).values())
        if now - last <= quiet:
            return
        last = now
    raise TimeoutError("the backend never settled after the connects")


def one_round(sockets, rate, seconds):
    """Return (backend ms, database ms, commands) per heartbeat."""
    db, uri = servers.secantus()
    app, url = servers.app("backend", uri, "heartbeat_probe", SECRET)
    try:
        script = os.path.join(servers.BENCH, "node", "heartbeats.js")
        clients = subprocess.Popen([servers.NODE, script, url, SECRET, str(sockets), str(rate), str(seconds)],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        marks, sent = {}, 0
        for line in clients.stdout:
            if line.startswith("READY"):
                settle(url)
                clients.stdin.write("go\n")
                clients.stdin.flush()
            elif line.startswith("PHASE"):
                words = line.split()
                marks[words[1]] = sample(app, db, url)
                sent = int(words[2]) if len(words) > 2 else sent
        if clients.wait() != 0 or not sent:
            raise RuntimeError("the heartbeat clients failed")
    finally:
        app.stop()
        db.stop()
    idle, beat = _spent(marks["idle"], marks["beat"]), _spent(marks["beat"], marks["end"])
    # What the idle sockets cost anyway (pings, the timer sweeps) is taken off, pro rata.
    scale = beat[0] / idle[0]
    return tuple((during - before * scale) / sent * unit
                 for during, before, unit in zip(beat[1:], idle[1:], (1000, 1000, 1)))


def _spent(start, end):
    """Return (seconds, backend CPU s, database CPU s, commands) between two samples."""
    return (end[0] - start[0], end[1] - start[1], end[2] - start[2],
            sum(end[3].values()) - sum(start[3].values()))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=100, help="heartbeats a second, over all sockets")
    parser.add_argument("--seconds", type=int, default=20, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"{args.sockets} sockets, {args.rate} heartbeats/s for {args.seconds} s")
    for n in range(args.rounds):
        app_ms, db_ms, commands = one_round(args.sockets, args.rate, args.seconds)
        print(f"round {n + 1}: backend {app_ms:.2f} ms, database {db_ms:.2f} ms, "
              f"{commands:.2f} commands per heartbeat")


if __name__ == "__main__":
    main()
