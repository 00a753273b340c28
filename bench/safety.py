#!/usr/bin/env python3
"""Measure the chat safety guard on its labelled corpus: `python bench/safety.py [corpus.jsonl ...]`.

Prints recall per category, the false-positive rate on ordinary messages (no category), and the
CPU time per message (p50/p99/max, time.process_time over repeated passes). No network, no app.
"""
import argparse
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from gharbazaar.chat.safety import CATEGORIES, inspect, make_policy  # noqa: E402

DEFAULT = [os.path.join(ROOT, "tests", "chat", "safety", name) for name in ("corpus.jsonl", "heldout.jsonl")]


def load(path):
    """Return the labelled messages of one JSONL file."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(rows, policy):
    """Return (recall per category as (hits, total), false positives, ordinary count, misses)."""
    hits = {c: [0, 0] for c in CATEGORIES}
    false_pos, ordinary, misses = 0, 0, []
    for row in rows:
        found = set(inspect(row["text"], policy).categories)
        wanted = set(row["categories"])
        for category in wanted:
            hits[category][1] += 1
            hits[category][0] += category in found
        if not wanted:
            ordinary += 1
            false_pos += bool(found)
        if found != wanted:
            misses.append((row["text"], sorted(wanted), sorted(found)))
    return hits, false_pos, ordinary, misses


def cost(rows, policy, passes=20):
    """Return sorted CPU seconds per message over several passes."""
    times = []
    for _ in range(passes):
        for row in rows:
            started = time.process_time()
            inspect(row["text"], policy)
            times.append(time.process_time() - started)
    return sorted(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", default=DEFAULT)
    parser.add_argument("--misses", action="store_true", help="list every message judged differently")
    args = parser.parse_args()
    policy = make_policy()
    for path in args.files:
        if not os.path.exists(path):
            continue
        rows = load(path)
        hits, false_pos, ordinary, misses = score(rows, policy)
        print(f"{os.path.relpath(path, ROOT)}: {len(rows)} messages")
        for category in CATEGORIES:
            got, total = hits[category]
            print(f"  recall {category:14s} {got:3d}/{total:<3d} {100 * got / max(total, 1):5.1f}%")
        rate = 100 * false_pos / max(ordinary, 1)
        print(f"  false positives      {false_pos:3d}/{ordinary:<3d} {rate:5.1f}%")
        if args.misses:
            for text, wanted, found in misses:
                print(f"    want {wanted} got {found}: {text}")
        times = cost(rows, policy)
        p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
        print(f"  cpu per message      p50 {p50 * 1e6:.0f} us  p99 {p99 * 1e6:.0f} us"
              f"  max {times[-1] * 1e6:.0f} us  ({len(times)} inspections)")


if __name__ == "__main__":
    main()
