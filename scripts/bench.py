"""Benchmark the assistant against stock Rasa's `rasa init` bot, in one run.

    python -m scripts.bench                  # the full run (about 5-6 minutes on 2 cores)
    python -m scripts.bench --skip-stock --no-train   # only our bot's serving figures (about 1.5 min)

This is a measurement, not a test: it trains nothing of the project. It serves the
model in models/back-dimples.tar.gz (or the file named by DIMPLES_MODEL) with its
action server, and stock Rasa's starter bot, which `rasa init` creates and trains
in a temporary folder. Both are started the same way (`rasa run --enable-api`,
REST channel, an SQLite tracker store in the temporary folder, the default
in-memory lock store) and get the same treatment:

* time to ready: from starting `rasa run` until /status answers and a first
  message is answered over the REST channel (for our bot the action server is
  started first, as scripts/run_local.py does; its start time is added);
* latency per message (p50/p95/p99) over the REST channel for a scripted mix,
  with 1 user and with 20 concurrent users (threads, each with its own sender id),
  and messages per second with 20 users;
* memory: resident set size (RSS) of the Rasa server's processes after the load,
  and for our bot, separately, of the action server;
* training time: the wall time of `rasa init --no-prompt` (which trains the stock
  bot) and of `rasa train --force` on a copy of this project's config.yml,
  domain.yml and data/ in a temporary folder (the project's own model is never
  touched). Both start from an empty training cache. --no-train skips both.

Every reply is checked against the answer it should be (the expected texts come
from the served model's own domain, GET /domain); wrong answers are counted and
the first ones printed. The scripted mix for our bot is one conversation of 18
messages: a greeting, a whole sacral-dimple screening by buttons and free text
with an FAQ question in the middle of it, thanks, and two FAQ questions (the
first training example of a topic; the topics rotate over the users). For the stock bot it is its own 6-message conversation (greet, sad,
"did that help?" yes, bot challenge, great, goodbye) repeated. Each user sends
at least --messages messages in whole conversations.

The last line printed is the summary: our figures, stock's and the ratios
(ours / stock; for latency and memory lower is better, for throughput higher).
See docs/performance.md for the figures of a run and what the settings change.

Levers (for measuring; the defaults are how the project serves the assistant):
--env KEY=VALUE sets an environment variable for our Rasa server (for example
TF_INTRA_OP_PARALLELISM_THREADS=1), --workers N runs N Sanic workers with a
Redis lock store (127.0.0.1:6379), --tracker-store postgres uses PostgreSQL
(127.0.0.1:5432, a temporary database), --selective-domain sends the domain only
to actions that need it, --actions-without-tf starts the action server without
letting spaCy's thinc import TensorFlow, --model PATH serves another model.
"""
import argparse
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

# Before anything starts a child process: no telemetry, quieter logs.
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import yaml  # noqa: E402

from tests.stack import PYTHON, ROOT, Process, RasaServer, free_port, http  # noqa: E402

DEFAULT_MODEL = ROOT / "models" / "back-dimples.tar.gz"
# Environment variables that change how a Rasa server runs: the stock bot is
# started without any of them (stock means Rasa's defaults).
LEVER_VARIABLES = (
    "SANIC_WORKERS", "TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS",
    "OMP_NUM_THREADS", "TF_ENABLE_ONEDNN_OPTS", "TRACKER_STORE_URL", "ACTION_SERVER_SANIC_WORKERS",
)
# Start the action server with TensorFlow hidden from spaCy's thinc (which imports
# it only to offer it as a backend; the extraction rules never use it).
ACTIONS_WITHOUT_TF = (
    "import runpy, sys; sys.modules['tensorflow'] = None; "
    "sys.argv[0] = 'rasa_sdk'; runpy.run_module('rasa_sdk', run_name='__main__', alter_sys=True)"
)
# Start Rasa with the custom-action reply checked by a JSON-schema validator built
# once. Rasa 3.6 calls jsonschema.validate() for every reply of the action server,
# and that checks the schema itself against the meta-schema each time (about
# 20-25 ms of CPU on this machine, per custom action call). The check of the reply
# is the same; an invalid reply still goes through Rasa's own code and error.
FAST_ACTION_VALIDATION = """
import runpy, sys
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_schema = RemoteAction.action_response_format_spec()
_validator = validator_for(_schema)(_schema)
_rasa_validate = RemoteAction._validate_action_result

def _validate_action_result(self, result):
    if best_match(_validator.iter_errors(result)) is None:
        return True
    return _rasa_validate(self, result)

RemoteAction._validate_action_result = _validate_action_result
sys.argv[0] = "rasa"
runpy.run_module("rasa", run_name="__main__", alter_sys=True)
"""


# --------------------------------------------------------------------------- measuring


def percentile(values: List[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def group_rss_mb(pgid: int) -> Tuple[float, int]:
    """Summed RSS (MB) of every process in a process group, and how many there are.

    Each server is started in its own session (tests/stack.py), so its group holds
    the server and any workers it forks. Shared pages of forked workers are counted
    once per process, as `ps` would.
    """
    total_kb, count = 0, 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # the fields after the command name (which may contain spaces)
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) != pgid:
                continue
            status = (entry / "status").read_text()
        except (OSError, ValueError):
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if match:
            total_kb += int(match.group(1))
            count += 1
    return total_kb / 1024, count


def load_average() -> float:
    return os.getloadavg()[0]


class Turn:
    """One message and what the reply must contain (every string of `expect`)."""

    def __init__(self, text: str, expect: List[str]):
        self.text = text
        self.expect = expect


class Check:
    """Counts messages and wrong answers; keeps the first few for the report."""

    def __init__(self):
        self.lock = threading.Lock()
        self.wrong = 0
        self.errors = 0
        self.examples: List[str] = []

    def reply(self, sender: str, turn: Turn, status: int, replies: Any) -> None:
        if status != 200 or not isinstance(replies, list):
            self._add("errors", f"{sender}: {turn.text!r} -> HTTP {status} {str(replies)[:200]!r}")
            return
        text = "\n".join(r.get("text", "") for r in replies)
        missing = [e for e in turn.expect if e not in text]
        if missing:
            self._add("wrong", f"{sender}: {turn.text!r} -> {text[:160]!r} (expected {missing[0][:60]!r})")

    def _add(self, kind: str, example: str) -> None:
        with self.lock:
            setattr(self, kind, getattr(self, kind) + 1)
            if len(self.examples) < 5:
                self.examples.append(example)


# --------------------------------------------------------------------------- the two bots


def response_text(domain: Dict[str, Any], name: str) -> str:
    """The text of a response's variation without conditions (the first one if all have them)."""
    variations = domain["responses"][name]
    plain = [v for v in variations if not v.get("condition")] or variations
    return plain[0]["text"]


class OurScript:
    """The conversations our bot is measured with, and the answers it must give.

    The next screening question is worked out with the screening's own rules
    (screening.questions), from the answers the script has given so far, so the
    script keeps up with changes to the order of the questions.
    """

    FAQ_MID_SCREENING = ("what is a tethered spinal cord?", "tethered_cord")
    # Free-text answers: what the message says, and the slots it fills.
    FREE_TEXT = {
        "hair_tuft": ("no hair or marks, but there's a little skin tag",
                      {"hair_tuft": "no", "skin_tag": "yes", "discoloration": "no"}),
        "deep": ("I honestly can't tell", {"deep": "unsure"}),
    }
    EXPECTED_RESULT = "refer"  # a skin tag and a "not sure" lead to a referral

    def __init__(self, domain: Dict[str, Any]):
        self.domain = domain
        self.faq = self._faq_questions()

    @staticmethod
    def _faq_questions() -> List[Tuple[str, str]]:
        """(question, topic): the first training example of each FAQ topic."""
        data = yaml.safe_load((ROOT / "data" / "nlu" / "faq.yml").read_text())
        questions = []
        for block in data["nlu"]:
            topic = block["intent"].split("/", 1)[1]
            first = next(line.strip()[2:] for line in block["examples"].splitlines() if line.strip().startswith("- "))
            questions.append((first, topic))
        return questions

    def text(self, name: str) -> str:
        return response_text(self.domain, name)

    def conversation(self, index: int) -> List[Turn]:
        from screening.questions import questions_to_ask

        answers: Dict[str, str] = {}

        def next_question() -> Optional[str]:
            return next((s for s in questions_to_ask(answers) if answers.get(s) is None), None)

        def ask(slot: Optional[str]) -> List[str]:
            # A finished screening ends with the referral advice.
            return [self.text(f"utter_ask_{slot}")] if slot else ["doctor"]

        faq_a = self.faq[index % len(self.faq)]
        faq_b = self.faq[(index + len(self.faq) // 2) % len(self.faq)]
        # The FAQ questions come after the screening: a question such as "why are
        # they called dimples of venus" is read for findings too, and would change
        # which screening questions are asked (see docs/performance.md).
        turns = [
            Turn("hello there", [self.text("utter_greet")]),
            Turn("/start_screening", ask(next_question())),
        ]
        for message, values in (
            ('/inform{"subject": "baby"}', {"subject": "baby"}),
            ('/inform{"age_months": 0.5}', {"age_months": 0.5}),
            # one dimple in the middle: "more than one" and "off to one side" are answered too
            ('/inform{"dimple_pattern": "one_midline"}',
             {"dimple_pattern": "one_midline", "multiple": "no", "off_midline": "no"}),
        ):
            answers.update(values)
            turns.append(Turn(message, ask(next_question())))
        asked_faq = False
        while True:
            slot = next_question()
            if slot is None:
                break
            message, values = self.FREE_TEXT.get(slot, ("/deny", {slot: "no"}))
            answers.update(values)
            turns.append(Turn(message, ask(next_question())))
            if not asked_faq and next_question():
                asked_faq = True
                question, topic = self.FAQ_MID_SCREENING
                turns.append(Turn(question, [self.text(f"utter_faq/{topic}"), *ask(next_question())]))
        turns.append(Turn("thank you", [self.text("utter_you_are_welcome")]))
        turns.append(Turn(faq_a[0], [self.text(f"utter_faq/{faq_a[1]}")]))
        turns.append(Turn(faq_b[0], [self.text(f"utter_faq/{faq_b[1]}")]))
        return turns

    def verify_outcome(self, server: RasaServer, sender: str, check: Check) -> None:
        """After the timed phase: the screening must have ended in the expected result."""
        status, tracker = http("GET", f"{server.url}/conversations/{sender}/tracker?token={server.token}")
        result = tracker.get("slots", {}).get("screening_result") if status == 200 else None
        if result != self.EXPECTED_RESULT:
            check._add("wrong", f"{sender}: screening_result {result!r}, expected {self.EXPECTED_RESULT!r}")


class StockScript:
    """The starter bot's own conversation (its stories and rules)."""

    def __init__(self, domain: Dict[str, Any]):
        self.domain = domain

    def conversation(self, index: int) -> List[Turn]:
        t = lambda name: response_text(self.domain, name)  # noqa: E731
        return [
            Turn("hello there", [t("utter_greet")]),
            Turn("I am sad", [t("utter_cheer_up"), t("utter_did_that_help")]),
            Turn("yes", [t("utter_happy")]),
            Turn("are you a bot?", [t("utter_iamabot")]),
            Turn("I am great", [t("utter_happy")]),
            Turn("goodbye", [t("utter_goodbye")]),
        ]

    def verify_outcome(self, server: RasaServer, sender: str, check: Check) -> None:
        pass


# --------------------------------------------------------------------------- training


def timed(command: List[str], cwd: Path, log: Path, env: Dict[str, str]) -> float:
    started = time.monotonic()
    with open(log, "ab") as out:
        result = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **env})
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(command[:4])} failed (exit {result.returncode}); log {log}:\n{tail}")
    return time.monotonic() - started


def train_stock(work: Path) -> Tuple[Path, float]:
    """`rasa init --no-prompt` (creates the starter bot and trains it), timed."""
    bot = work / "stock-bot"
    bot.mkdir()
    print("==> rasa init: creating and training stock Rasa's starter bot", file=sys.stderr, flush=True)
    seconds = timed([PYTHON, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(bot)],
                    bot, work / "stock-init.log", {"RASA_CACHE_DIRECTORY": str(work / "stock-cache")})
    models = sorted((bot / "models").glob("*.tar.gz"))
    if not models:
        raise SystemExit(f"rasa init trained no model; see {work / 'stock-init.log'}")
    return models[-1], seconds


def train_ours(work: Path) -> float:
    """`rasa train --force` on a copy of this project's training inputs, timed."""
    project = work / "our-copy"
    project.mkdir()
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, project / name)
    for name in ("data", "components", "screening"):  # the config's custom component needs its code
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    print("==> rasa train --force on a copy of config.yml, domain.yml and data/ (the project's model is not touched)",
          file=sys.stderr, flush=True)
    return timed([PYTHON, "-m", "rasa", "train", "--force", "--config", "config.yml", "--domain", "domain.yml",
                  "--data", "data", "--out", str(work / "our-models"), "--fixed-model-name", "copy"],
                 project, work / "our-train.log", {"RASA_CACHE_DIRECTORY": str(work / "our-cache")})


# --------------------------------------------------------------------------- serving


class Served:
    """One bot being served: its Rasa server, its action server (if any), its figures."""

    def __init__(self, name: str):
        self.name = name
        self.figures: Dict[str, Any] = {}
        self.server: Optional[RasaServer] = None
        self.actions: Optional[Process] = None
        self.script: Any = None
        self.check = Check()
        self.senders: List[str] = []


def start_actions(work: Path, without_tf: bool) -> Tuple[Process, str, float]:
    port = free_port()
    if without_tf:
        args = [PYTHON, "-c", ACTIONS_WITHOUT_TF, "--actions", "actions", "--port", str(port)]
    else:
        args = [PYTHON, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    started = time.monotonic()
    process = Process(f"actions-{port}", args, work).start()
    process.wait_until(f"http://127.0.0.1:{port}/health")
    return process, f"http://127.0.0.1:{port}/webhook", time.monotonic() - started


def serve(served: Served, model: Path, work: Path, action_url: str, env: Dict[str, str],
          endpoints_extra: Dict[str, Any], script_class: Callable, launcher: Optional[str] = None) -> None:
    server = RasaServer(model, action_url, work, env=env)
    if launcher:
        # [python, -m, rasa, run, ...] -> [python, -c, launcher, run, ...]
        server.process.args = [PYTHON, "-c", launcher, *server.process.args[3:]]
    endpoints = yaml.safe_load(server.endpoints_file.read_text())
    for key, value in endpoints_extra.items():
        if isinstance(value, dict) and isinstance(endpoints.get(key), dict):
            endpoints[key].update(value)
        else:
            endpoints[key] = value
    server.endpoints_file.write_text(yaml.safe_dump(endpoints))
    # Only the variables given here reach the server's environment among the levers.
    server.process.env = {k: v for k, v in server.process.env.items() if k not in LEVER_VARIABLES}
    server.process.env.update(env)
    served.server = server
    started = time.monotonic()
    server.process.start()
    server.process.wait_until(f"{server.url}/status?token={server.token}", timeout=300)
    status, replies = http("POST", f"{server.url}/webhooks/rest/webhook",
                           {"sender": f"ready-{uuid.uuid4().hex[:8]}", "message": "hello there"}, timeout=300)
    if status != 200 or not replies:
        raise SystemExit(f"{served.name}: the first message got HTTP {status} {replies!r}; log {server.process.log_path}")
    served.figures["ready_s"] = time.monotonic() - started
    status, domain = http("GET", f"{server.url}/domain?token={server.token}", headers={"Accept": "application/json"})
    if status != 200 or not isinstance(domain, dict):
        raise SystemExit(f"{served.name}: GET /domain failed: {status} {str(domain)[:200]}")
    served.script = script_class(domain)


def run_users(served: Served, users: int, messages: int, tag: str) -> Dict[str, float]:
    """`users` threads, each sending at least `messages` messages in whole
    conversations (a new sender id for each); returns the phase's figures."""
    server, script = served.server, served.script
    latencies: List[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(users + 1)
    run = uuid.uuid4().hex[:6]

    def user(index: int) -> None:
        mine: List[float] = []
        barrier.wait()
        sent, conversation = 0, 0
        while sent < messages:
            sender = f"bench-{run}-{tag}-u{index}-c{conversation}"
            with lock:
                served.senders.append(sender)
            for turn in script.conversation(index * 7 + conversation):
                started = time.perf_counter()
                try:
                    status, replies = http("POST", f"{server.url}/webhooks/rest/webhook",
                                           {"sender": sender, "message": turn.text}, timeout=120)
                except OSError as error:
                    status, replies = 0, repr(error)
                mine.append(time.perf_counter() - started)
                served.check.reply(sender, turn, status, replies)
                sent += 1
            conversation += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    load_before = load_average()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "n": len(latencies),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "mean_ms": statistics.mean(latencies) * 1000,
        "msgs_per_s": len(latencies) / wall,
        "wall_s": wall,
        "load": max(load_before, load_average()),
    }


def measure(served: Served, args: argparse.Namespace) -> None:
    """Warm up, then 1 user, then `args.users` users; memory after the load."""
    figures = served.figures
    idle, _ = group_rss_mb(served.server.process.popen.pid)
    figures["rss_idle_mb"] = idle
    run_users(served, 1, 1, "warmup")  # one whole conversation, not counted
    warm_check, served.check = served.check, Check()
    served.senders.clear()
    print(f"==> {served.name}: 1 user", file=sys.stderr, flush=True)
    figures["one"] = run_users(served, 1, args.messages_one, "one")
    print(f"==> {served.name}: {args.users} concurrent users", file=sys.stderr, flush=True)
    figures["many"] = run_users(served, args.users, args.messages, "many")
    figures["rss_mb"], figures["processes"] = group_rss_mb(served.server.process.popen.pid)
    if served.actions:
        figures["actions_rss_mb"], _ = group_rss_mb(served.actions.popen.pid)
    for sender in served.senders:
        served.script.verify_outcome(served.server, sender, served.check)
    figures["messages"] = figures["one"]["n"] + figures["many"]["n"]
    figures["wrong"] = served.check.wrong + served.check.errors
    figures["warmup_wrong"] = warm_check.wrong + warm_check.errors
    figures["examples"] = warm_check.examples + served.check.examples


def stop(served: Served) -> None:
    for process in (served.server.process if served.server else None, served.actions):
        if process is not None:
            process.stop()


# --------------------------------------------------------------------------- report


def fmt(value: Optional[float], digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def ratio(ours: Optional[float], stock: Optional[float]) -> Optional[float]:
    if ours is None or stock in (None, 0):
        return None
    return ours / stock


def table(bots: List[Served], users: int) -> str:
    rows = [
        ("p50 latency, 1 user (ms)", lambda f: f["one"]["p50_ms"], 0),
        ("p95 latency, 1 user (ms)", lambda f: f["one"]["p95_ms"], 0),
        ("p99 latency, 1 user (ms)", lambda f: f["one"]["p99_ms"], 0),
        (f"p50 latency, {users} users (ms)", lambda f: f["many"]["p50_ms"], 0),
        (f"p95 latency, {users} users (ms)", lambda f: f["many"]["p95_ms"], 0),
        (f"p99 latency, {users} users (ms)", lambda f: f["many"]["p99_ms"], 0),
        ("messages/s, 1 user", lambda f: f["one"]["msgs_per_s"], 1),
        (f"messages/s, {users} users", lambda f: f["many"]["msgs_per_s"], 1),
        ("Rasa server RSS after load (MB)", lambda f: f["rss_mb"], 0),
        ("action server RSS (MB)", lambda f: f.get("actions_rss_mb"), 0),
        ("RSS, all processes (MB)", lambda f: f["rss_mb"] + (f.get("actions_rss_mb") or 0), 0),
        ("time to ready (s)", lambda f: f["ready_total_s"], 1),
        ("training time (s)", lambda f: f.get("train_s"), 0),
        ("messages checked", lambda f: f["messages"], 0),
        ("wrong answers", lambda f: f["wrong"], 0),
    ]
    header = f"{'':36}" + "".join(f"{b.name:>12}" for b in bots) + ("       ratio" if len(bots) == 2 else "")
    lines = [header]
    for label, get, digits in rows:
        values = [get(b.figures) for b in bots]
        line = f"{label:36}" + "".join(f"{fmt(v, digits):>12}" for v in values)
        if len(bots) == 2 and "wrong" not in label and "checked" not in label:
            line += f"{fmt(ratio(values[0], values[1]), 2):>12}"
        lines.append(line)
    return "\n".join(lines)


def summary(ours: Served, stock: Optional[Served], users: int, settings: str) -> str:
    def part(f: Dict[str, Any]) -> str:
        return (
            f"p50/p95/p99 1u {fmt(f['one']['p50_ms'])}/{fmt(f['one']['p95_ms'])}/{fmt(f['one']['p99_ms'])} ms, "
            f"{users}u {fmt(f['many']['p50_ms'])}/{fmt(f['many']['p95_ms'])}/{fmt(f['many']['p99_ms'])} ms, "
            f"{fmt(f['many']['msgs_per_s'], 1)} msg/s@{users}u, "
            f"rss {fmt(f['rss_mb'])} MB"
            + (f" (+actions {fmt(f['actions_rss_mb'])} MB)" if f.get("actions_rss_mb") else "")
            + f", ready {fmt(f['ready_total_s'], 1)} s, train {fmt(f.get('train_s'))} s, "
            f"wrong {f['wrong']}/{f['messages']}"
        )

    line = f"BENCH ours[{settings}]: {part(ours.figures)}"
    if stock:
        o, s = ours.figures, stock.figures
        r = lambda a, b: fmt(ratio(a, b), 2)  # noqa: E731
        line += (
            f" | stock: {part(s)}"
            f" | ratio ours/stock: p50 1u {r(o['one']['p50_ms'], s['one']['p50_ms'])}"
            f" {users}u {r(o['many']['p50_ms'], s['many']['p50_ms'])},"
            f" p95 1u {r(o['one']['p95_ms'], s['one']['p95_ms'])}"
            f" {users}u {r(o['many']['p95_ms'], s['many']['p95_ms'])},"
            f" msg/s@{users}u {r(o['many']['msgs_per_s'], s['many']['msgs_per_s'])},"
            f" rss {r(o['rss_mb'], s['rss_mb'])}"
            f" (with actions {r(o['rss_mb'] + (o.get('actions_rss_mb') or 0), s['rss_mb'])}),"
            f" ready {r(o['ready_total_s'], s['ready_total_s'])},"
            f" train {r(o.get('train_s'), s.get('train_s'))}"
        )
    return line


def goals(ours: Served, stock: Served, users: int) -> List[str]:
    o, s = ours.figures, stock.figures
    checks = [
        ("p50 at half of stock's or better (1 and %d users)" % users,
         o["one"]["p50_ms"] <= s["one"]["p50_ms"] / 2 and o["many"]["p50_ms"] <= s["many"]["p50_ms"] / 2),
        ("p95 at half of stock's or better (1 and %d users)" % users,
         o["one"]["p95_ms"] <= s["one"]["p95_ms"] / 2 and o["many"]["p95_ms"] <= s["many"]["p95_ms"] / 2),
        ("throughput at %d users double or better" % users, o["many"]["msgs_per_s"] >= 2 * s["many"]["msgs_per_s"]),
        ("Rasa server memory no higher", o["rss_mb"] <= s["rss_mb"]),
        ("memory incl. action server no higher", o["rss_mb"] + (o.get("actions_rss_mb") or 0) <= s["rss_mb"]),
        ("same answers (no wrong answers from either bot)", o["wrong"] == 0 and s["wrong"] == 0),
    ]
    return [f"  {'met    ' if ok else 'NOT MET'}  {label}" for label, ok in checks]


# --------------------------------------------------------------------------- main


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent users in the load phase (20)")
    parser.add_argument("--messages", type=int, default=18,
                        help="messages per user in the load phase, in whole conversations (18)")
    parser.add_argument("--messages-one", type=int, default=36,
                        help="messages of the single user, in whole conversations (36)")
    parser.add_argument("--skip-stock", action="store_true", help="measure only our bot")
    parser.add_argument("--no-train", action="store_true", help="skip timing the training of our bot (a copy)")
    parser.add_argument("--stock-model", type=Path, help="serve this stock model instead of running rasa init")
    parser.add_argument("--model", type=Path, help="our model (default: $DIMPLES_MODEL or models/back-dimples.tar.gz)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="an environment variable for our Rasa server (repeatable)")
    parser.add_argument("--workers", type=int, default=1, help="Sanic workers for our server (>1: Redis lock store)")
    parser.add_argument("--lock-store", choices=["memory", "redis"], default=None)
    parser.add_argument("--tracker-store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--selective-domain", action="store_true",
                        help="action_endpoint enable_selective_domain: true")
    parser.add_argument("--actions-without-tf", action="store_true",
                        help="start the action server with TensorFlow hidden from thinc")
    parser.add_argument("--fast-action-validation", action="store_true",
                        help="start Rasa with the action server's replies checked by a validator built once")
    parser.add_argument("--label", default="", help="a name for this configuration in the summary line")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, stock bot)")
    return parser.parse_args(argv)


def our_model(args: argparse.Namespace) -> Path:
    model = args.model or Path(os.environ.get("DIMPLES_MODEL") or DEFAULT_MODEL)
    if not model.is_file():
        raise SystemExit(
            f"No trained model at {model}. The benchmark trains nothing of the project: run "
            "`./assistant train` first (or set DIMPLES_MODEL to a model file)."
        )
    return model.resolve()


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    model = our_model(args)
    env: Dict[str, str] = {}
    for item in args.env:
        key, _, value = item.partition("=")
        env[key] = value
    endpoints_extra: Dict[str, Any] = {}
    lock_store = args.lock_store or ("redis" if args.workers > 1 else "memory")
    if args.workers > 1:
        env["SANIC_WORKERS"] = str(args.workers)
    if lock_store == "redis":
        endpoints_extra["lock_store"] = {"type": "redis", "url": "127.0.0.1", "port": 6379,
                                         "key_prefix": f"bench{os.getpid()}"}
    if args.selective_domain:
        endpoints_extra["action_endpoint"] = {"enable_selective_domain": True}
    work = Path(tempfile.mkdtemp(prefix="dimples-bench-"))
    database = None
    if args.tracker_store == "postgres":
        database = f"bench_{os.getpid()}"
        endpoints_extra["tracker_store"] = {"type": "SQL", "dialect": "postgresql", "url": "127.0.0.1",
                                            "port": 5432, "db": database, "username": os.environ.get("PGUSER", "postgres")}
    settings = ",".join(filter(None, [
        args.label,
        *[f"{k}={v}" for k, v in env.items() if k != "SANIC_WORKERS"],
        f"workers={args.workers}" if args.workers > 1 else "",
        "redis-lock" if lock_store == "redis" else "",
        "postgres" if database else "",
        "selective-domain" if args.selective_domain else "",
        "actions-without-tf" if args.actions_without_tf else "",
        "fast-action-validation" if args.fast_action_validation else "",
    ])) or "as served"

    ours, stock = Served("ours"), (None if args.skip_stock else Served("stock"))
    started = time.monotonic()
    interrupted = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        print(f"==> Benchmark: our model {model}; logs in {work}", file=sys.stderr, flush=True)
        # Training first, while nothing else of ours runs.
        if not args.no_train:
            ours.figures["train_s"] = train_ours(work)
        stock_model = args.stock_model
        if stock and not stock_model:
            stock_model, stock.figures["train_s"] = train_stock(work)

        print("==> ours: starting the action server, then Rasa", file=sys.stderr, flush=True)
        ours.actions, action_url, ours.figures["actions_ready_s"] = start_actions(work, args.actions_without_tf)
        serve(ours, model, work, action_url, env, endpoints_extra, OurScript,
              FAST_ACTION_VALIDATION if args.fast_action_validation else None)
        ours.figures["ready_total_s"] = ours.figures["actions_ready_s"] + ours.figures["ready_s"]
        measure(ours, args)
        stop(ours)

        if stock:
            print("==> stock: starting Rasa", file=sys.stderr, flush=True)
            # The stock bot has no custom actions; the URL is never called.
            serve(stock, stock_model.resolve(), work, f"http://127.0.0.1:{free_port()}/webhook", {}, {}, StockScript)
            stock.figures["ready_total_s"] = stock.figures["ready_s"]
            measure(stock, args)
            stop(stock)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        for served in (ours, stock):
            if served:
                stop(served)
        if database:
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", os.environ.get("PGUSER", "postgres"), "-d", "postgres",
                            "-q", "-c", f"DROP DATABASE IF EXISTS {database}"], capture_output=True)
        if args.keep or interrupted:
            print(f"==> kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if interrupted:
        return 130

    bots = [ours] + ([stock] if stock else [])
    print()
    print(f"Benchmark of {model.name} ({settings}) on {os.cpu_count()} cores; "
          f"{ours.figures['one']['n']} messages with 1 user, {ours.figures['many']['n']} with {args.users} users"
          + (f"; stock: {stock.figures['one']['n']} and {stock.figures['many']['n']}" if stock else "")
          + f"; highest 1-min load average seen {max(f['load'] for b in bots for f in (b.figures['one'], b.figures['many'])):.1f}"
          + f"; whole run {time.monotonic() - started:.0f} s")
    print(table(bots, args.users))
    for served in bots:
        if served.figures["examples"]:
            print(f"{served.name}: first wrong answers:")
            for example in served.figures["examples"]:
                print("   ", example)
    if stock:
        print("Goals (ours against stock):")
        print("\n".join(goals(ours, stock, args.users)))
    if args.json:
        args.json.write_text(json.dumps({b.name: b.figures for b in bots}, indent=2, default=str))
    print(summary(ours, stock, args.users, settings))
    return 1 if any(b.figures["wrong"] for b in bots) else 0


if __name__ == "__main__":
    sys.exit(main())
