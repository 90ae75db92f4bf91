"""The results: a table of both bots' figures, the goals and the one-line summary."""

import math
from typing import Any, Dict, List, Optional

from scripts.bench.serving import Served


def fmt(value: Optional[float], digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def ratio(ours: Optional[float], stock: Optional[float]) -> Optional[float]:
    if ours is None or stock in (None, 0):
        return None
    return ours / stock


def _long(figures: Dict[str, Any], name: str) -> Optional[float]:
    long = figures.get("long")
    return long.get(name) if long else None


def table(bots: List[Served], users: int) -> str:
    rows = [
        ("p50 latency, 1 user (ms)", lambda f: f["one"]["p50_ms"], 0),
        ("p95 latency, 1 user (ms)", lambda f: f["one"]["p95_ms"], 0),
        ("p99 latency, 1 user (ms)", lambda f: f["one"]["p99_ms"], 0),
        (f"p50 latency, {users} users (ms)", lambda f: f["many"]["p50_ms"], 0),
        (f"p95 latency, {users} users (ms)", lambda f: f["many"]["p95_ms"], 0),
        (f"p99 latency, {users} users (ms)", lambda f: f["many"]["p99_ms"], 0),
        ("p50, 1 user: FAQ turns (ms)", lambda f: f["one"]["p50_ms_by_kind"].get("faq"), 0),
        (
            "p50, 1 user: screening turns (ms)",
            lambda f: f["one"]["p50_ms_by_kind"].get("screening"),
            0,
        ),
        ("p50, 1 user: other turns (ms)", lambda f: f["one"]["p50_ms_by_kind"].get("other"), 0),
        ("messages/s, 1 user", lambda f: f["one"]["msgs_per_s"], 1),
        (f"messages/s, {users} users", lambda f: f["many"]["msgs_per_s"], 1),
        ("Rasa CPU per message, 1 user (ms)", lambda f: f["one"]["cpu_ms_per_msg"], 0),
        (f"Rasa CPU per message, {users} users (ms)", lambda f: f["many"]["cpu_ms_per_msg"], 0),
        ("action server CPU per message (ms)", lambda f: f["one"]["actions_cpu_ms_per_msg"], 1),
        ("long chat: p50, turns 0-49 (ms)", lambda f: _long(f, "p50_first_ms"), 0),
        ("long chat: p50, last 50 turns (ms)", lambda f: _long(f, "p50_last_ms"), 0),
        ("long chat: p50 ratio last/first", lambda f: _long(f, "latency_ratio"), 2),
        ("long chat: CPU/msg, turns 0-49 (ms)", lambda f: _long(f, "cpu_first_ms"), 0),
        ("long chat: CPU/msg, last 50 turns (ms)", lambda f: _long(f, "cpu_last_ms"), 0),
        ("long chat: CPU ratio last/first", lambda f: _long(f, "cpu_ratio"), 2),
        ("Rasa server RSS after load (MB)", lambda f: f["rss_mb"], 0),
        ("action server RSS (MB)", lambda f: f.get("actions_rss_mb"), 0),
        ("RSS, all processes (MB)", lambda f: f["rss_mb"] + (f.get("actions_rss_mb") or 0), 0),
        ("time to ready (s)", lambda f: f["ready_total_s"], 1),
        ("training time (s)", lambda f: f.get("train_s"), 0),
        ("messages checked", lambda f: f["messages"], 0),
        ("wrong answers", lambda f: f["wrong"], 0),
    ]
    header = (
        f"{'':36}"
        + "".join(f"{b.name:>12}" for b in bots)
        + ("       ratio" if len(bots) == 2 else "")
    )
    lines = [header]
    for label, get, digits in rows:
        values = [get(b.figures) for b in bots]
        line = f"{label:36}" + "".join(f"{fmt(v, digits):>12}" for v in values)
        if len(bots) == 2 and not any(word in label for word in ("wrong", "checked", "ratio")):
            line += f"{fmt(ratio(values[0], values[1]), 2):>12}"
        lines.append(line)
    return "\n".join(lines)


def _latencies(phase: Dict[str, Any]) -> str:
    return f"{fmt(phase['p50_ms'])}/{fmt(phase['p95_ms'])}/{fmt(phase['p99_ms'])} ms"


def summary(ours: Served, stock: Optional[Served], users: int, settings: str) -> str:
    def part(f: Dict[str, Any]) -> str:
        return (
            f"p50/p95/p99 1u {_latencies(f['one'])}, {users}u {_latencies(f['many'])}, "
            f"{fmt(f['many']['msgs_per_s'], 1)} msg/s@{users}u, "
            f"cpu {fmt(f['one']['cpu_ms_per_msg'])} ms/msg, "
            f"rss {fmt(f['rss_mb'])} MB"
            + (f" (+actions {fmt(f['actions_rss_mb'])} MB)" if f.get("actions_rss_mb") else "")
            + f", ready {fmt(f['ready_total_s'], 1)} s, train {fmt(f.get('train_s'))} s, "
            + (
                f"long chat p50 {fmt(_long(f, 'p50_first_ms'))}->{fmt(_long(f, 'p50_last_ms'))} ms"
                f" (x{fmt(_long(f, 'latency_ratio'), 2)}), "
                if f.get("long")
                else ""
            )
            + f"wrong {f['wrong']}/{f['messages']}"
        )

    line = f"BENCH ours[{settings}]: {part(ours.figures)}"
    if stock:
        o, s = ours.figures, stock.figures

        def r(a: Optional[float], b: Optional[float]) -> str:
            return fmt(ratio(a, b), 2)

        with_actions = o["rss_mb"] + (o.get("actions_rss_mb") or 0)
        line += (
            f" | stock: {part(s)}"
            f" | ratio ours/stock: p50 1u {r(o['one']['p50_ms'], s['one']['p50_ms'])}"
            f" {users}u {r(o['many']['p50_ms'], s['many']['p50_ms'])},"
            f" p95 1u {r(o['one']['p95_ms'], s['one']['p95_ms'])}"
            f" {users}u {r(o['many']['p95_ms'], s['many']['p95_ms'])},"
            f" msg/s@{users}u {r(o['many']['msgs_per_s'], s['many']['msgs_per_s'])},"
            f" rss {r(o['rss_mb'], s['rss_mb'])}"
            f" (with actions {r(with_actions, s['rss_mb'])}),"
            f" ready {r(o['ready_total_s'], s['ready_total_s'])},"
            f" train {r(o.get('train_s'), s.get('train_s'))}"
        )
    return line


def goals(ours: Served, stock: Served, users: int) -> List[str]:
    o, s = ours.figures, stock.figures
    with_actions = o["rss_mb"] + (o.get("actions_rss_mb") or 0)
    checks = [
        (
            f"p50 at half of stock's or better (1 and {users} users)",
            o["one"]["p50_ms"] <= s["one"]["p50_ms"] / 2
            and o["many"]["p50_ms"] <= s["many"]["p50_ms"] / 2,
        ),
        (
            f"p95 at half of stock's or better (1 and {users} users)",
            o["one"]["p95_ms"] <= s["one"]["p95_ms"] / 2
            and o["many"]["p95_ms"] <= s["many"]["p95_ms"] / 2,
        ),
        (
            f"throughput at {users} users double or better",
            o["many"]["msgs_per_s"] >= 2 * s["many"]["msgs_per_s"],
        ),
        (
            "long conversation: p50 of the last 50 turns at most 1.5x the first 50",
            _long(o, "latency_ratio") is not None and (_long(o, "latency_ratio") or 0) <= 1.5,
        ),
        ("Rasa server memory no higher", o["rss_mb"] <= s["rss_mb"]),
        ("memory incl. action server no higher", with_actions <= s["rss_mb"]),
        ("same answers (no wrong answers from either bot)", o["wrong"] == 0 and s["wrong"] == 0),
    ]
    return [f"  {'met    ' if ok else 'NOT MET'}  {label}" for label, ok in checks]
