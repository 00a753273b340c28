"""Turning generator results into rows, tables (markdown, JSON) and the targets check."""
import math

TIMEOUT_S = 10  # loadgen.js TIMEOUT_MS: how long a generator waits for what is in flight
KINDS = ("echo", "connect", "chat", "fanout", "tickets", "rest", "flood")
UNITS = {"connection": "conn/s", "message": "msg/s", "delivery": "deliveries/s", "request": "req/s",
         "upload": "uploads/s", "echo": "msg/s", "event": "events/s"}


def merge(hists):
    total = {}
    for hist in hists:
        for bucket, n in (hist or {}).items():
            total[int(bucket)] = total.get(int(bucket), 0) + n
    return total


def percentile(hist, q):
    """Return the q-quantile of a merged histogram in milliseconds (None when empty)."""
    count = sum(hist.values())
    if not count:
        return None
    rank, seen = q * count, 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen >= rank:
            return math.exp((bucket + 0.5) / 50) / 1000
    return None


def _sum(results, key):
    return sum(r["extra"].get(key, 0) for r in results)


def summarize(sc, part, target, results, m):
    """Return one row: throughput, latency percentiles, costs, and what one operation is."""
    hist = merge(r["hist"] for r in results)
    ops = sum(r["ops"] for r in results)
    window = max(r["windowMs"] for r in results) / 1000 or 1
    errors = {}
    for r in results:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
    kind = part["kind"]
    # Database round trips are counted per operation as users see it: per message sent, per
    # broadcast, per ticket, per request, per connection (its connect and its disconnect).
    per = {"chat": _sum(results, "sent"), "fanout": _sum(results, "broadcasts"),
           "tickets": _sum(results, "tickets"), "connect": ops}.get(kind, ops)
    db_op = {"chat": "message sent", "fanout": "broadcast", "tickets": "ticket created",
             "connect": "connection (its connect and disconnect)"}.get(kind, part["op"])
    row = {"db_op": db_op, "scenario": sc["id"], "title": sc["title"], "part": part["label"],
           "target": target, "status": "ok", "op": part["op"], "ops": ops, "throughput": ops / window,
           "unit": UNITS[part["op"]], "p50_ms": percentile(hist, 0.5), "p99_ms": percentile(hist, 0.99),
           "p999_ms": percentile(hist, 0.999), "errors": errors, "extra": {}}
    row.update(m)
    if m["db_commands"] is not None and per:
        row["db_round_trips_per_op"] = sum(m["db_commands"].values()) / per
        row["db_commands_per_op"] = {k: round(v / per, 2) for k, v in sorted(m["db_commands"].items())}
    # In a mixed scenario the server's CPU is shared by every part: no per-operation figure.
    row["server_cpu_ms_per_op"] = 1000 * m["server_cpu_s"] / ops if ops and len(sc["parts"]) == 1 else None
    if kind == "chat":
        row["extra"] = {"sent": per, "received": _sum(results, "received"), "lost": _sum(results, "lost")}
    elif kind == "fanout":
        broadcast = merge(r["extra"]["broadcastHist"] for r in results)
        row["extra"] = {"members": _sum(results, "members"), "broadcasts": per, "lost": _sum(results, "lost"),
                        "all_members_p50_ms": percentile(broadcast, 0.5),
                        "all_members_p99_ms": percentile(broadcast, 0.99)}
    elif kind == "tickets":
        post = merge(r["extra"]["postHist"] for r in results)
        row["extra"] = {"tickets": per, "employees": _sum(results, "employees"),
                        "lost": _sum(results, "lost"),
                        "post_p50_ms": percentile(post, 0.5), "post_p99_ms": percentile(post, 0.99)}
    elif kind == "connect":
        attempted = _sum(results, "attempted")
        growth_mb = m["server_peak_rss_mb"] - m["server_rss_before_mb"]
        # From the first attempt to the last socket connected (the slowest generator's).
        row["extra"] = {"attempted": attempted, "connected": ops, "failed": attempted - ops,
                        "storm_s": max(r["windowMs"] for r in results) / 1000,
                        "rss_per_socket_kib": 1024 * growth_mb / ops if ops else None}
    elif kind == "flood":
        # Seconds from the flood's start to each flooder's "Disconnected: too many events." error.
        cut = sorted(t for r in results for t in r["extra"]["cutOffS"])
        row["extra"] = {"flooders": _sum(results, "flooders"), "cut_off": len(cut),
                        "cut_off_first_s": cut[0] if cut else None,
                        "cut_off_median_s": cut[len(cut) // 2] if cut else None,
                        "cut_off_last_s": cut[-1] if cut else None,
                        "refused": _sum(results, "refused"), "dropped": _sum(results, "dropped"),
                        "still_connected": _sum(results, "connected")}
    elif kind == "rest" and part["params"].get("uploadBytes"):
        row["extra"] = {"MB_per_s": row["throughput"] * part["params"]["uploadBytes"] / 2**20}
    return row


def _f(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}" if value < 1000 else f"{value:,.0f}"
    return f"{value:,}"


def _ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "-"


def _notes(row):
    notes = []
    extra = row.get("extra") or {}
    for key in ("lost", "failed"):
        if extra.get(key):
            notes.append(f"{extra[key]} {key}")
    if row.get("gen_bound"):
        notes.append(f"load generator at {row['gen_cpu_pct_max']:.0f}% of a core: may be the bottleneck")
    if row.get("machine_cpu_pct", 0) >= 95:
        notes.append("machine CPU saturated (all processes, other users included)")
    if row.get("unresponsive_after"):
        notes.append(f"server did not answer HTTP after the run ({row['unresponsive_after']})")
    if row.get("errors"):
        notes.append("errors: " + "; ".join(f"{k} x{v}" for k, v in list(row["errors"].items())[:3]))
    for key in ("storm_s", "all_members_p99_ms", "post_p99_ms", "rss_per_socket_kib", "MB_per_s"):
        if extra.get(key) is not None:
            notes.append(f"{key} {_f(extra[key])}")
    if extra.get("x_baseline_p50_ms") is not None:
        notes.append(f"x baseline: p50 {extra['x_baseline_p50_ms']:.2f}, "
                     f"p99 {_f(extra['x_baseline_p99_ms'], 2)}")
        notes.append(f"{sum(row['errors'].values())} errors, {extra['lost']} lost")
    if extra.get("flooders") is not None:
        notes.append(f"{extra['cut_off']} of {extra['flooders']} flooders cut off")
        if extra["cut_off"]:
            notes.append(f"time to cut-off first/median/last {extra['cut_off_first_s']:.2f}/"
                         f"{extra['cut_off_median_s']:.2f}/{extra['cut_off_last_s']:.2f} s")
        notes.append(f"{extra['refused']:,} events refused before it")
        if extra["still_connected"]:
            notes.append(f"{extra['still_connected']} still connected {TIMEOUT_S} s after the flood")
        if extra["dropped"]:
            notes.append(f"{extra['dropped']} disconnected without the flood error")
        if row.get("persisted") is not None:
            notes.append(f"flooders' messages stored {row['persisted']:,}")
    if extra.get("received") is not None and row.get("persisted") is not None:
        whole = extra.get("sent_all_phases")
        notes.append(f"persisted {row['persisted']:,} of {whole or extra['sent']:,} sent"
                     + (" (all phases)" if whole else ""))
    if row.get("rss_growth_after_warmup_pct") is not None and row.get("part") not in KINDS:
        notes.append(f"server RSS {_f(row['rss_after_warmup_mb'])} MB after warm-up, "
                     f"{_f(row['rss_end_mb'])} MB at the end ({row['rss_growth_after_warmup_pct']:+.1f}%)")
    return "; ".join(notes)


def table(rows):
    """Return the markdown results table: backend rows with their ratio to the Node reference."""
    ref = {(r["scenario"], r["part"]): r for r in rows if r["target"] == "ref" and r["status"] == "ok"}
    head = ("| scenario | target | throughput | p50 ms | p99 ms | p99.9 ms | server CPU % | server CPU ms/op "
            "| server peak RSS MB | DB CPU % | DB round trips/op | generator CPU % (max) | x Node throughput "
            "| x Node p99 | notes |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        name = r["scenario"] if r["part"] in KINDS else f"{r['scenario']} / {r['part']}"
        target = {"app": "**backend**", "ref": "node ref"}[r["target"]]
        if r["scenario"] == "loopback":
            target = "ws echo"
        if r["status"] != "ok":
            error = r.get("error", "")[:160]
            lines.append(f"| {name} | {target} | {r['status']} | | | | | | | | | | | | {error} |")
            continue
        base = ref.get((r["scenario"], r["part"])) if r["target"] == "app" else None
        lines.append("| " + " | ".join([
            name, target, f"{_f(r['throughput'])} {r['unit']}", _f(r["p50_ms"], 2), _f(r["p99_ms"], 2),
            _f(r["p999_ms"], 2), _f(r["server_cpu_pct"], 0), _f(r["server_cpu_ms_per_op"], 2),
            _f(r["server_peak_rss_mb"], 0), _f(r.get("db_cpu_pct"), 0), _f(r.get("db_round_trips_per_op"), 2),
            _f(r["gen_cpu_pct_max"], 0), _ratio(r["throughput"], base and base["throughput"]),
            _ratio(r["p99_ms"], base and base["p99_ms"]), _notes(r)]) + " |")
    return "\n".join(lines)


def db_breakdown(rows):
    """Return a markdown list of database commands per operation, per scenario (backend only)."""
    out = []
    for r in rows:
        if r["target"] == "app" and r.get("db_commands_per_op"):
            parts = ", ".join(f"{k} {v}" for k, v in r["db_commands_per_op"].items())
            out.append(f"- `{r['scenario']}` (per {r['db_op']}): {r['db_round_trips_per_op']:.2f} = {parts}")
    return "\n".join(out)
