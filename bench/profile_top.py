#!/usr/bin/env python3
"""Summarise py-spy collapsed stacks (`bench/run.py --py-spy DIR`): where the backend's time goes.

    python bench/profile_top.py DIR/chat-2-backend-1.txt [--top 40] [--match gharbazaar]

Prints, for each function, the share of samples in which it is on the stack (inclusive) and
at the top of it (self). Idle samples (the eventlet hub waiting in epoll) are counted apart.
"""
import argparse
import collections
import re

IDLE = re.compile(r"\b(poll|wait) \(.*(eventlet/hubs|selectors)")
LINE = re.compile(r" \((.*?):\d+\)$")


def frames(stack):
    """Return the stack's frames as 'function (path)' with line numbers dropped, root first."""
    out = []
    for frame in stack.split(";"):
        out.append(LINE.sub(lambda m: f" ({_short(m.group(1))})", frame.strip()))
    return out


def _short(path):
    for marker in ("site-packages/", "/main/", "lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only functions whose path contains this")
    args = parser.parse_args()
    inclusive, own = collections.Counter(), collections.Counter()
    total = idle = 0
    for name in args.files:
        with open(name) as f:
            for line in f:
                stack, _, count = line.rstrip("\n").rpartition(" ")
                if not stack:
                    continue
                n = int(count)
                total += n
                if IDLE.search(stack.rsplit(";", 1)[-1]):
                    idle += n
                    continue
                stack_frames = frames(stack)
                for frame in set(stack_frames):
                    inclusive[frame] += n
                own[stack_frames[-1]] += n
    busy = max(1, total - idle)
    print(f"{total} samples, {idle} idle ({100 * idle / max(1, total):.1f}%); shares below are of the "
          f"{total - idle} busy samples")
    print(f"{'incl%':>6} {'self%':>6}  function")
    for frame, n in inclusive.most_common():
        if args.match and args.match not in frame:
            continue
        print(f"{100 * n / busy:6.1f} {100 * own[frame] / busy:6.1f}  {frame}")
        args.top -= 1
        if args.top <= 0:
            break
    print("\nby self time:")
    for frame, n in own.most_common(args.top or 25):
        print(f"{100 * n / busy:6.1f}  {frame}")


if __name__ == "__main__":
    main()
