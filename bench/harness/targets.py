"""The pass/fail targets (bench/targets.json) checked against a run's rows.

A target names the scenarios at its own size (`scenarios`) and, optionally, smaller ones
(`smaller`): a value read from a smaller one is shown, but the target is reported as
"smaller scale: <scenario>", never as met or missed.
"""
import json
import operator
import re

OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt, "==": operator.eq}
NOT_RUN = "not run at this profile"


def _ok(rows, scenario, target="app", part=None):
    """Return the first ok row of a scenario (its part whose label starts with `part`), or None."""
    return next((r for r in rows if r["scenario"] == scenario and r["target"] == target
                 and r["status"] == "ok" and (part is None or r["part"].startswith(part))), None)


def _baseline(spec, row, rows):
    """Return the row the target compares with: `baseline`, "{n}" being the scenario's size."""
    size = re.search(r"(\d+)$", row["scenario"])
    name = spec["baseline"].replace("{n}", size.group(1) if size else "")
    return _ok(rows, name, part=spec.get("part"))


def _ratio(a, b):
    return a / b if a is not None and b else None


def metric(spec, name, row, rows):
    """Return the value of one metric for a row (None when it cannot be computed)."""
    extra = row.get("extra") or {}
    if name.startswith("x_node_"):
        ref = _ok(rows, row["scenario"], "ref", row["part"])
        key = name[len("x_node_"):]
        return _ratio(row.get(key), ref and ref.get(key))
    if name.startswith("x_baseline_"):
        base = _baseline(spec, row, rows)
        key = name[len("x_baseline_"):]
        return _ratio(row.get(key), base and base.get(key))
    if name == "not_persisted":
        persisted = row.get("persisted")
        return None if persisted is None else max(0, extra.get("received", 0) - persisted)
    mine = [r for r in rows if r["scenario"] == row["scenario"] and r["target"] == row["target"]]
    if name == "scenario_errors":  # every error any part of the scenario saw, failed connects included
        return sum(sum(r["errors"].values()) + (r["extra"].get("failed") or 0) for r in mine)
    if name == "scenario_lost":  # chat messages never received and ticket broadcasts never delivered
        return sum(r["extra"].get("lost") or 0 for r in mine)
    return row.get(name, extra.get(name))


def _at_size(spec, row):
    return all(row.get("seeds", {}).get(k, 0) >= v for k, v in spec.get("min_seeds", {}).items())


def check(path, rows):
    """Return [(target, scenario used or None, measured value or None, verdict)].

    verdict: True (met), False (missed), or a string (not run, smaller scale, checked elsewhere).
    """
    with open(path) as f:
        spec = json.load(f)
    out = []
    for target in spec["targets"]:
        if "checked_by" in target:
            out.append((target, None, None, f"checked by {target['checked_by']}, not by this run"))
            continue
        found = [r for r in (_ok(rows, sid, part=target.get("part"))
                             for sid in target["scenarios"] + target.get("smaller", [])) if r]
        row = found[0] if found else None
        value = metric(target, target["metric"], row, rows) if row else None
        if row is None:
            verdict = NOT_RUN
        elif row["scenario"] not in target["scenarios"] or not _at_size(target, row):
            verdict = f"smaller scale: {row['scenario']}"
        elif value is None:
            verdict = "not measured"
        else:
            verdict = OPS[target["op"]](value, target["value"]) and all(
                (extra := metric(target, cond["metric"], row, rows)) is not None
                and OPS[cond["op"]](extra, cond["value"]) for cond in target.get("also", []))
        out.append((target, row and row["scenario"], value, verdict))
    return out


def _show(value, unit=""):
    if value is None:
        return "-"
    text = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
    return f"{text} {unit}".strip()


def table(path, rows):
    """Return the markdown targets table: target, goal, measured, where, met?."""
    lines = ["| target | goal | measured | at | met? |", "|---|---|---|---|---|"]
    for target, scenario, value, verdict in check(path, rows):
        if "checked_by" in target:
            lines.append(f"| {target['what']} | IXSCAN, never COLLSCAN | - | - | {verdict} |")
            continue
        unit = target.get("unit", "")
        goal = " ".join(filter(None, [target.get("part"), target["metric"], target["op"],
                                      _show(target["value"], unit)]))
        goal += "".join(f", {c['metric']} {c['op']} {c['value']}" for c in target.get("also", []))
        shown = _show(value, unit)
        for cond in target.get("also", []) if scenario else []:
            row = next(r for r in rows if r["scenario"] == scenario and r["target"] == "app")
            shown += f" ({cond['metric']} {_show(metric(target, cond['metric'], row, rows))})"
        if scenario and target.get("baseline"):
            base = _baseline(target, next(r for r in rows if r["scenario"] == scenario), rows)
            shown += f" (vs {base['scenario']})" if base else " (no baseline run)"
        at = scenario or "-"
        if scenario and target.get("min_seeds"):
            seeds = next(r for r in rows if r["scenario"] == scenario and r["target"] == "app")["seeds"]
            at += " (" + ", ".join(f"{seeds.get(k, 0):,} {k}" for k in target["min_seeds"]) + ")"
        met = {True: "yes", False: "**no**"}.get(verdict, verdict) if isinstance(verdict, bool) else verdict
        lines.append(f"| {target['what']} | {goal} | {shown} | {at} | {met} |")
    return "\n".join(lines)
