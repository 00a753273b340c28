"""Run one scenario against one target (the backend, or the Node reference) and measure it."""
import json
import os
import re
import subprocess
import time
import uuid
from collections import Counter

import requests

from . import servers
from .procs import Proc, cpu_seconds, machine_busy
from .report import summarize
from .seed import Seeder

GEN_BOUND_PCT = 90  # a generator process above this share of one core may be the bottleneck
WARMUP_SHARE = 0.2  # memory "after warm-up" is read from the end of the first fifth of the window


class NotRun(Exception):
    """The scenario cannot run here (say why)."""


def _split(count, gens):
    return [count // gens + (1 if i < count % gens else 0) for i in range(gens)]


def _seed(part, ctx, seeder, params):
    """Write the part's data set (backend only) and return the generator parameters it needs."""
    kind, fake = part["seed"], uuid.uuid4().hex[:24]
    if kind == "group":
        members = [f"m{i}" for i in range(params["members"])]
        return {"members": members, "conversationId": seeder.group(members, "p-group") if seeder else fake}
    if kind == "conversations":
        if seeder:
            seeder.conversations_of("heavy-user", ctx.seeds["conversations"])
        return {"user": "heavy-user", "path": "/api/v1/chat/conversations?limit=50"}
    if kind in ("history", "history-skip", "history-first"):
        count = ctx.seeds["messages"]
        conv, ids = seeder.history("hist-a", "hist-b", count) if seeder else (fake, [fake] * count)
        # ids are oldest first: the page before ids[count // 10] is 90% deep from the newest.
        where = {"history": f"&before={ids[count // 10]}", "history-skip": f"&skip={count * 9 // 10}",
                 "history-first": ""}[kind]
        return {"user": "hist-a", "path": f"/api/v1/chat/conversations/{conv}/messages?limit=50{where}"}
    if kind == "upload":
        conv = seeder.group(["up-a", "up-b"], "p-upload") if seeder else fake
        return {"user": "up-a", "conversationId": conv, "path": "/api/v1/chat/upload"}
    return {}


def _generator_configs(part, params):
    gens = part["gens"]
    if gens == 1:
        return [dict(params)]
    key = "count" if part["kind"] == "connect" else "conversations"
    return [dict(params, **{key: n}) for n in _split(params[key], gens)]


def _stable_commands(urls, timeout=15):
    """Return summed db command counts once they stop moving (disconnects settle after the run)."""
    last, deadline = None, time.monotonic() + timeout
    while True:
        counts = {}
        for url in urls:
            for name, n in servers.db_commands(url).items():
                counts[name] = counts.get(name, 0) + n
        if counts == last or time.monotonic() > deadline:
            return counts
        last = counts
        time.sleep(0.7)


def _print_waited(sc, urls, top=12):
    """Print where each process waited on the database since it started, setup included."""
    for url in urls:
        waited = servers.db_commands(url, "waited")
        lines = [f"  {key}: {w['count']} commands, {w['ms'] / 1000:.1f} s"
                 for key, w in list(waited.items())[:top]]
        print(f"{sc['id']} {url} waited on the database (setup included):", *lines, sep="\n", flush=True)


def _print_redis_trouble(sc, procs):
    """Print how often each process lost Redis, and with which errors (each loss costs a resync)."""
    for proc in procs:
        errors = Counter(re.findall(r'"error": "(\w+)"', line)[0] if '"error": "' in line else "?"
                         for line in proc.lines if "redis unavailable" in line)
        if errors:
            named = ", ".join(f"{name} x{n}" for name, n in errors.most_common())
            print(f"{sc['id']} {proc.name}: Redis lost {sum(errors.values())} times ({named})", flush=True)


def run(sc, target, ctx):
    """Return one result row per part of the scenario for the target ("app" or "ref")."""
    procs, urls, gens, seeder = [], [], [], None
    db_name = f"bench_{ctx.tag}_{sc['id']}".replace("-", "_")
    try:
        if target == "app":
            if sc["processes"] > 1 and not ctx.redis_url:
                raise NotRun("no Redis available (set REDIS_URL or install redis-server)")
            for i in range(sc["processes"]):
                proc, url = servers.app(f"backend-{i + 1}", ctx.mongo_uri, db_name, ctx.secret,
                                        ctx.redis_url if sc["processes"] > 1 else None, sc.get("env"))
                procs.append(proc)
                urls.append(url)
            seeder = Seeder(ctx.mongo_uri, db_name)
        else:
            proc, url = servers.echo() if sc["id"] == "loopback" else servers.reference(ctx.secret)
            procs.append(proc)
            urls.append(url)
        for p_index, part in enumerate(sc["parts"]):
            params = dict(part["params"])
            params.update(_seed(part, ctx, seeder, params))
            for g_index, cfg in enumerate(_generator_configs(part, params)):
                cfg.update(kind=part["kind"], urls=urls, secret=ctx.secret,
                           prefix=f"{params.get('prefix', 'u')}{p_index}g{g_index}")
                path = os.path.join(ctx.workdir, f"{sc['id']}-{target}-{p_index}-{g_index}.json")
                with open(path, "w") as f:
                    json.dump(cfg, f)
                loadgen = os.path.join(servers.BENCH, "node", "loadgen.js")
                gens.append((p_index, Proc(f"gen-{p_index}-{g_index}", "gen", [servers.NODE, loadgen, path])))
        return _measure(sc, target, ctx, procs, urls, gens)
    finally:
        for _, gen in gens:
            gen.stop(2)
        for proc in procs:
            proc.stop(5)
        if seeder:
            seeder.drop()
        ctx.monitor.reset()


def _measure(sc, target, ctx, procs, urls, gens):
    for _, gen in gens:
        line = gen.wait_line(("READY", "FAILED"), 600)
        if line.startswith("FAILED"):
            raise RuntimeError(f"{gen.name} setup failed: {json.loads(line[7:])['message']}")
    watched = procs + [g for _, g in gens] + ([ctx.db_proc] if ctx.db_proc else [])
    for proc in watched:
        ctx.monitor.watch(proc)
    rss_before = {p.pid: ctx.monitor.peak[p.pid] for p in procs}
    commands_before = _stable_commands(urls, 3) if target == "app" else {}
    cpu_before = {p.pid: cpu_seconds(p.pid) for p in watched}
    busy_before = machine_busy()
    duration_s = max(p["params"].get("durationMs", 0) for p in sc["parts"]) / 1000
    samplers = _py_spy(ctx, sc, procs, duration_s) if target == "app" else []
    start = time.monotonic()
    for _, gen in gens:
        gen.send("GO")
    # A phased scenario's first generator says PHASE at each boundary and at the end of the last
    # phase: the costs (CPU) are read there, for each phase's rows.
    marks = [(start, cpu_before, busy_before)]
    for _ in sc.get("phases") or ():
        line = gens[0][1].wait_line(("PHASE", "FAILED"), duration_s + 600)
        if line.startswith("FAILED"):
            raise RuntimeError(f"{gens[0][1].name} failed: {json.loads(line[7:])['message']}")
        marks.append((time.monotonic(), {p.pid: cpu_seconds(p.pid) for p in watched}, machine_busy()))
    results = []
    for p_index, gen in gens:
        line = gen.wait_line(("RESULT", "FAILED"), duration_s + 600)
        if line.startswith("FAILED"):
            servers = "\n".join(f"--- {p.name}:\n{p.tail(30)}" for p in procs)
            raise RuntimeError(f"{gen.name} failed: {json.loads(line[7:])['message']}\n{servers}")
        results.append((p_index, json.loads(line[7:])))
    wall = time.monotonic() - start
    for sampler in samplers:
        sampler.wait(30)
    cpu = {p.pid: cpu_seconds(p.pid) - cpu_before[p.pid] for p in watched}
    busy_after = machine_busy()
    storm = any(p["kind"] == "connect" for p in sc["parts"])
    commands_after, unresponsive = {}, None
    if target == "app":
        try:
            commands_after = _stable_commands(urls) if storm else _stable_commands(urls, 0)
        except requests.RequestException as exc:  # a flooded server may still be busy: say so
            commands_after, unresponsive = dict(commands_before), type(exc).__name__
        if not unresponsive:
            _print_waited(sc, urls)
        _print_redis_trouble(sc, procs)
    commands = {k: v - commands_before.get(k, 0) for k, v in commands_after.items()
                if v - commands_before.get(k, 0)}
    machine_pct = 100 * (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    rows = []
    for p_index, part in enumerate(sc["parts"]):
        mine = [r for i, r in results if i == p_index]
        part_gens = [g for i, g in gens if i == p_index]
        gen_pct = [100 * cpu[g.pid] / wall for g in part_gens]
        m = {
            "wall_s": wall,
            "server_cpu_pct": 100 * sum(cpu[p.pid] for p in procs) / wall,
            "server_cpu_s": sum(cpu[p.pid] for p in procs),
            "server_peak_rss_mb": sum(ctx.monitor.peak[p.pid] for p in procs) / 2**20,
            "server_rss_before_mb": sum(rss_before.values()) / 2**20,
            "db_cpu_pct": 100 * cpu[ctx.db_proc.pid] / wall if ctx.db_proc and target == "app" else None,
            "db_peak_rss_mb": ctx.monitor.peak[ctx.db_proc.pid] / 2**20 if ctx.db_proc else None,
            "gen_cpu_pct_max": max(gen_pct), "gens": len(part_gens),
            "gen_bound": max(gen_pct) >= GEN_BOUND_PCT, "machine_cpu_pct": machine_pct,
            "db_commands": commands if len(sc["parts"]) == 1 else None,
            "db_commands_total": sum(commands.values()) if target == "app" else None,
            "persisted": seeder_count(ctx, sc, target, part),
            "seeds": dict(ctx.seeds), "processes": len(procs), "unresponsive_after": unresponsive,
            **_rss_after_warmup(ctx.monitor, procs, start, duration_s or wall),
        }
        if sc.get("phases"):
            rows.extend(_phase_rows(sc, part, target, mine, m, marks, procs, part_gens))
        else:
            rows.append(summarize(sc, part, target, mine, m))
    return rows


def _py_spy(ctx, sc, procs, duration_s):
    """Start py-spy on each backend process for the measured window (--py-spy DIR)."""
    if not ctx.py_spy or not duration_s:
        return []
    os.makedirs(ctx.py_spy, exist_ok=True)
    binary = os.path.join(servers.VENV_BIN, "py-spy")
    if not os.path.exists(binary):
        raise RuntimeError("--py-spy needs py-spy: .venv/bin/pip install -r bench/requirements.txt")
    seconds = str(max(1, int(duration_s)))
    return [subprocess.Popen([binary, "record", "--pid", str(p.pid), "--duration", seconds, "--rate", "200",
                              "--nonblocking", "--format", "raw",
                              "--output", os.path.join(ctx.py_spy, f"{sc['id']}-{p.name}.txt")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in procs]


def _phase_rows(sc, part, target, results, m, marks, procs, part_gens):
    """Return a phased part's rows: one per phase when it reports by phase (`phases` in its
    params), else one for the phase it runs in (`phase`), each with that phase's server and
    generator CPU. The last phase's row carries its latency relative to the first's."""
    names = sc["phases"]
    rows = []
    for i, name in enumerate(names):
        if part["params"].get("phase", name) != name:
            continue
        (t0, cpu0, busy0), (t1, cpu1, busy1) = marks[i], marks[i + 1]
        seconds = max(t1 - t0, 1e-3)
        cpu = {pid: cpu1[pid] - cpu0[pid] for pid in cpu1}
        costs = dict(m, wall_s=seconds, server_cpu_s=sum(cpu[p.pid] for p in procs),
                     server_cpu_pct=100 * sum(cpu[p.pid] for p in procs) / seconds,
                     gen_cpu_pct_max=max(100 * cpu[g.pid] / seconds for g in part_gens),
                     machine_cpu_pct=100 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]),
                     rss_after_warmup_mb=None, rss_end_mb=None, rss_growth_after_warmup_pct=None)
        costs["gen_bound"] = costs["gen_cpu_pct_max"] >= GEN_BOUND_PCT
        mine, label = results, part["label"]
        if "phases" in part["params"]:  # the generator's result of each phase, in extra.phases
            mine, label = [r["extra"]["phases"][name] for r in results], f"{label}, {name}"
            costs["persisted"] = m["persisted"] if i == len(names) - 1 else None
        rows.append(summarize(sc, dict(part, label=label), target, mine, costs))
    if "phases" in part["params"] and len(rows) > 1:
        first, last = rows[0], rows[-1]
        last["extra"]["sent_all_phases"] = sum(r["extra"]["sent"] for r in rows)
        for key in ("p50_ms", "p99_ms"):
            last["extra"][f"x_{names[0]}_{key}"] = (last[key] / first[key] if last[key] and first[key]
                                                    else None)
    return rows


def _rss_after_warmup(monitor, procs, start, window):
    """Return the servers' summed RSS at the end of warm-up and at the end, and the growth between.

    Each is the mean of the samples over a tenth of the window: just after the warm-up (the
    first WARMUP_SHARE of it), and the last tenth. "Memory flat after warm-up" reads the growth.
    """
    def level(t0, t1):
        means = [sum(v) / len(v) for v in ([rss for t, rss in monitor.series.get(p.pid, []) if t0 <= t <= t1]
                                           for p in procs) if v]
        return sum(means) / 2**20 if len(means) == len(procs) else None

    warm = level(start + WARMUP_SHARE * window, start + (WARMUP_SHARE + 0.1) * window)
    end = level(start + 0.9 * window, start + window)
    return {"rss_after_warmup_mb": warm, "rss_end_mb": end,
            "rss_growth_after_warmup_pct": 100 * (end - warm) / warm if warm and end is not None else None}


def seeder_count(ctx, sc, target, part=None):
    """Return the number of chat messages stored by the scenario (checks `persisted`); with
    flooders, the part's own (flooders' bodies start "flood ", everyone else's "bench ")."""
    kinds = {p["kind"] for p in sc["parts"]}
    if target != "app" or not kinds & {"chat", "fanout", "flood"}:
        return None
    query = {}
    if "flood" in kinds and part is not None:
        query = {"content": {"$regex": "^flood " if part["kind"] == "flood" else "^bench "}}
    from pymongo import MongoClient
    with MongoClient(ctx.mongo_uri) as client:
        return client[f"bench_{ctx.tag}_{sc['id']}".replace("-", "_")].messages.count_documents(query)
