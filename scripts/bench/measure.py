"""The load (one user, then many at once) and the figures: latency, CPU, memory."""

import argparse
import math
import os
import re
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

from scripts.bench.serving import Served
from scripts.bench.workload import Check
from scripts.conversation import Conversation


def percentile(values: List[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _group_stats(pgid: int) -> List[Tuple[List[str], Path]]:
    """The /proc/<pid>/stat fields after the command name, and the /proc entry, of every
    process in a process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the fields after the command name (which may contain spaces)
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            found.append((fields, entry))
    return found


def group_rss_mb(pgid: int) -> Tuple[float, int]:
    """Summed RSS (MB) of every process in a process group, and how many there are.

    Each server is started in its own session (scripts/processes.py), so its group holds
    the server and any workers it forks. Shared pages of forked workers are counted
    once per process, as `ps` would.
    """
    total_kb, count = 0, 0
    for _, entry in _group_stats(pgid):
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if match:
            total_kb += int(match.group(1))
            count += 1
    return total_kb / 1024, count


def group_cpu_s(pgid: int) -> float:
    """CPU time (user + system, seconds) used so far by the processes of a group.

    Less sensitive than wall-clock latency to other work on the machine, so it
    tells settings apart when the machine is shared.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[11]) + int(fields[12]) for fields, _ in _group_stats(pgid)) / ticks


def load_average() -> float:
    return os.getloadavg()[0]


def run_users(served: Served, users: int, messages: int, tag: str) -> Dict[str, Any]:
    """`users` threads, each sending at least `messages` messages in whole
    conversations (a new sender id for each); returns the phase's figures."""
    server, script = served.server, served.script
    assert server is not None, "the bot is not served"
    latencies: List[float] = []
    by_kind: Dict[str, List[float]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(users + 1)
    run = uuid.uuid4().hex[:6]

    def user(index: int) -> None:
        mine: List[float] = []
        kinds: List[str] = []
        barrier.wait()
        sent, number = 0, 0
        while sent < messages:
            chat = Conversation(server, sender=f"bench-{run}-{tag}-u{index}-c{number}")
            with lock:
                served.chats.append(chat)
            for step in script.conversation(index * 7 + number):
                turn = chat.post(step.text)
                chat.record(turn)
                mine.append(turn.seconds)
                kinds.append(step.kind)
                served.check.reply(chat.id, step, turn)
                sent += 1
            number += 1
        with lock:
            latencies.extend(mine)
            for kind, latency in zip(kinds, mine, strict=True):
                by_kind.setdefault(kind, []).append(latency)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    load_before = load_average()
    groups = [server.process.pid] + ([served.actions.pid] if served.actions else [])
    cpu_before = [group_cpu_s(g) for g in groups]
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = [group_cpu_s(g) - before for g, before in zip(groups, cpu_before, strict=True)]
    return {
        "cpu_ms_per_msg": cpu[0] / len(latencies) * 1000,
        "actions_cpu_ms_per_msg": cpu[1] / len(latencies) * 1000 if len(cpu) > 1 else None,
        "n": len(latencies),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "mean_ms": statistics.mean(latencies) * 1000,
        "p50_ms_by_kind": {
            kind: percentile(values, 50) * 1000 for kind, values in sorted(by_kind.items())
        },
        "msgs_per_s": len(latencies) / wall,
        "wall_s": wall,
        "load": max(load_before, load_average()),
    }


# The windows of the long-conversation phase that are compared: its first and last turns.
LONG_WINDOW = 50


def run_long(served: Served, messages: int) -> Dict[str, Any]:
    """One person, one conversation (one sender id) of `messages` messages: the bot's
    scripted conversation over and over. Returns the median latency and Rasa CPU per
    message of the first and the last LONG_WINDOW turns, and their ratios."""
    server, script = served.server, served.script
    assert server is not None, "the bot is not served"
    chat = Conversation(server, sender=f"bench-long-{uuid.uuid4().hex[:6]}")
    latencies: List[float] = []
    cpu: List[float] = []
    number = 0
    while len(latencies) < messages:
        for step in script.conversation(number):
            before = group_cpu_s(server.process.pid)
            turn = chat.post(step.text)
            cpu.append(group_cpu_s(server.process.pid) - before)
            chat.record(turn)
            latencies.append(turn.seconds)
            served.check.reply(chat.id, step, turn)
            if len(latencies) >= messages:
                break
        number += 1
    window = min(LONG_WINDOW, len(latencies) // 2)

    def median_ms(values: List[float]) -> float:
        return statistics.median(values) * 1000

    figures = {
        "n": len(latencies),
        "p50_first_ms": median_ms(latencies[:window]),
        "p50_last_ms": median_ms(latencies[-window:]),
        "cpu_first_ms": median_ms(cpu[:window]),
        "cpu_last_ms": median_ms(cpu[-window:]),
    }
    figures["latency_ratio"] = figures["p50_last_ms"] / figures["p50_first_ms"]
    figures["cpu_ratio"] = figures["cpu_last_ms"] / max(figures["cpu_first_ms"], 1e-9)
    return figures


def measure(served: Served, args: argparse.Namespace) -> None:
    """Warm up, then 1 user, then `args.users` users; memory after the load."""
    figures = served.figures
    assert served.server is not None, "the bot is not served"
    idle, _ = group_rss_mb(served.server.process.pid)
    figures["rss_idle_mb"] = idle
    warm_up = run_users(served, 1, 1, "warmup")  # one whole conversation, not timed
    warm_check, served.check = served.check, Check()
    served.chats.clear()
    print(f"==> {served.name}: 1 user", file=sys.stderr, flush=True)
    figures["one"] = run_users(served, 1, args.messages_one, "one")
    print(f"==> {served.name}: {args.users} concurrent users", file=sys.stderr, flush=True)
    figures["many"] = run_users(served, args.users, args.messages, "many")
    if args.long_messages > 0:
        print(
            f"==> {served.name}: one conversation of {args.long_messages} messages",
            file=sys.stderr,
            flush=True,
        )
        figures["long"] = run_long(served, args.long_messages)
    figures["rss_mb"], figures["processes"] = group_rss_mb(served.server.process.pid)
    if served.actions:
        figures["actions_rss_mb"], _ = group_rss_mb(served.actions.pid)
    for chat in served.chats:
        served.script.verify_outcome(chat, served.check)
    # Every answer counts, the warm-up conversation's too.
    figures["messages"] = (
        warm_up["n"]
        + figures["one"]["n"]
        + figures["many"]["n"]
        + figures.get("long", {}).get("n", 0)
    )
    figures["wrong"] = (
        warm_check.wrong + warm_check.errors + served.check.wrong + served.check.errors
    )
    figures["examples"] = warm_check.examples + served.check.examples
