"""Benchmark the assistant against stock Rasa's `rasa init` bot, in one run.

    ./assistant bench                         # = python -m scripts.bench: the full run (5-6 min)
    python -m scripts.bench --skip-stock --no-train   # only our bot's serving figures (about 1 min)

A measurement, not a test: it trains nothing of the project. It serves the model in
models/back-dimples.tar.gz (or the file named by DIMPLES_MODEL; it stops if there
is none) with its action server, and stock Rasa's starter bot, which `rasa init`
creates and trains in a temporary folder. Both are started the same way (`rasa
run --enable-api` as tests/stack.py starts it, REST channel, an SQLite tracker
store in the temporary folder, the in-memory lock store, one Sanic worker) and
measured the same way, one after the other, by the same client:

* time to ready: from starting `rasa run` until /status answers and a first
  message is answered over the REST channel (for our bot the action server is
  started first, as scripts/run_local.py does, and its start time is added);
* latency per message (p50/p95/p99, client side) over the REST channel, after one
  warm-up conversation: one user, then 20 concurrent users (threads, each its own
  sender id, all starting together); messages per second of each phase;
* CPU time of the Rasa server per message (from /proc): unlike latency, it hardly
  moves when other work runs on the machine, so it tells settings apart;
* memory: resident set size (RSS) of the Rasa server's processes after the load,
  and for our bot, separately, of the action server;
* training time: the wall time of `rasa init --no-prompt` (which trains the stock
  bot) and of `rasa train --force` on a copy of this project's config.yml,
  domain.yml and data/ in a temporary folder (the project's own model and
  training cache are not touched). Both start from an empty training cache.
  --no-train skips ours; --stock-model reuses a trained stock model.

Every reply is checked (the expected texts come from the served model's own
domain, GET /domain, and for our screening the next question from
screening.questions); wrong answers are counted and the first ones printed. Our
bot's mix is one 18-message conversation: a greeting, a whole screening by
buttons and free text with an FAQ question in the middle of it, thanks, and two
FAQ questions (fixed in this file, rotating over the users). The stock bot's is
its own 6-message conversation (greet, sad, "did that help?" yes, bot challenge,
great, goodbye). Each user sends at least --messages messages, in whole
conversations, each with a new sender id.

The last line printed is the summary: our figures, stock's and the ratios (ours /
stock). docs/performance.md has the figures of a run and what each lever changed.

Levers (the defaults are how the project serves the assistant; they apply to our
bot only, stock always runs with Rasa's defaults): --env KEY=VALUE (for example
TF_INTRA_OP_PARALLELISM_THREADS=1), --workers N (N Sanic workers with a Redis lock
store at 127.0.0.1:6379), --tracker-store postgres (a temporary database at
127.0.0.1:5432), --selective-domain, --fast-event-lookup (a patch of a Rasa
inefficiency, applied by a launcher), --actions-with-tf (the action server as
`python -m rasa_sdk` starts it, TensorFlow loaded), --model PATH. The two fixes
measured first (docs/performance.md) are now part of the project:
components/rasa_speedups.py and actions/__main__.py.
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
from typing import Any, Callable, ClassVar, Dict, List, Optional, Tuple

# Before anything starts a child process: no telemetry, quieter logs.
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import yaml

from scripts.run_local import action_server_command
from tests.stack import PYTHON, ROOT, Process, RasaServer, free_port, http

DEFAULT_MODEL = ROOT / "models" / "back-dimples.tar.gz"
# Environment variables that change how a Rasa server runs: the stock bot is
# started without any of them (stock means Rasa's defaults).
LEVER_VARIABLES = (
    "SANIC_WORKERS", "TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS",
    "OMP_NUM_THREADS", "TF_ENABLE_ONEDNN_OPTS", "TRACKER_STORE_URL", "ACTION_SERVER_SANIC_WORKERS",
)
# Fixes of Rasa 3.6.21 inefficiencies still under measurement, applied by starting
# Rasa through a small launcher (`python -c <patches + run rasa>`); they keep Rasa's
# behaviour as it is. (The action-reply check is fixed in the project itself:
# components/rasa_speedups.py.)
RASA_PATCHES = {
    # Rasa checks every reply of the action server with jsonschema.validate(), which
    # first checks the schema itself against the JSON-schema meta-schema: about 20 ms
    # of CPU per custom action call. A validator built once checks the reply the
    # same way; an invalid reply still goes through Rasa's own code and error.
    # Rasa finds the class of every stored event by walking all subclasses of Event
    # (about 0.1 ms per event; a screening conversation has 160 events, read back
    # from the tracker store on every message). The same lookup, remembered.
    "fast_event_lookup": """
from rasa.shared.core.events import Event

_rasa_resolve = Event.resolve_by_type
_event_classes = {}

def _resolve_by_type(type_name, default=None):
    found = _event_classes.get(type_name)
    if found is None:
        found = _rasa_resolve(type_name, default)
        if found is not None and getattr(found, "type_name", None) == type_name:
            _event_classes[type_name] = found
    return found

Event.resolve_by_type = staticmethod(_resolve_by_type)
""",
}
RUN_RASA = """
import runpy, sys
sys.argv[0] = "rasa"
runpy.run_module("rasa", run_name="__main__", alter_sys=True)
"""


def rasa_launcher(patches: List[str]) -> Optional[str]:
    """Python code that applies the given patches, then runs `rasa` as `-m rasa` would."""
    if not patches:
        return None
    return "\n".join(RASA_PATCHES[name] for name in patches) + RUN_RASA


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


def group_cpu_s(pgid: int) -> float:
    """CPU time (user + system, seconds) used so far by the processes of a group.

    Less sensitive than wall-clock latency to other work on the machine, so it
    tells settings apart when the machine is shared.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def load_average() -> float:
    return os.getloadavg()[0]


class Turn:
    """One message, what the reply must contain (every string of `expect`), and
    its kind for the latency breakdown: "faq", "screening" or "other"."""

    def __init__(self, text: str, expect: List[str], kind: str = "other"):
        self.text = text
        self.expect = expect
        self.kind = kind


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
    FREE_TEXT: ClassVar[Dict[str, Tuple[str, Dict[str, str]]]] = {
        "hair_tuft": ("no hair or marks, but there's a little skin tag",
                      {"hair_tuft": "no", "skin_tag": "yes", "discoloration": "no"}),
        "deep": ("I honestly can't tell", {"deep": "unsure"}),
    }
    EXPECTED_RESULT = "refer"  # a skin tag and a "not sure" lead to a referral

    # (question, topic): one question per FAQ topic, fixed so that the workload does
    # not change when the training data does (they were training examples when
    # this was written; the expected answers come from the served model's domain).
    FAQ: ClassVar[List[Tuple[str, str]]] = [
        ("what are back dimples", "what_are_back_dimples"),
        ("why are they called dimples of venus", "name_origin"),
        ("what is the medical term for back dimples", "medical_term"),
        ("what causes back dimples", "cause"),
        ("where are back dimples located", "location"),
        ("can I get back dimples by working out", "exercise"),
        ("are back dimples genetic", "genetics"),
        ("does everyone have back dimples", "who_has_them"),
        ("why are my back dimples less visible now", "visibility"),
        ("can you get back dimples later in life", "acquire_later"),
        ("are back dimples dangerous", "harmless"),
        ("what is a sacral dimple", "sacral_dimple"),
        ("what's the difference between back dimples and a sacral dimple", "difference"),
        ("what is spina bifida occulta", "spina_bifida_occulta"),
        ("what is a tethered spinal cord", "tethered_cord"),
        ("what are the warning signs with a sacral dimple", "warning_signs"),
        ("what tests are done for a sacral dimple", "tests"),
        ("when should I see a doctor about a sacral dimple", "when_to_see_doctor"),
    ]

    def __init__(self, domain: Dict[str, Any]):
        self.domain = domain
        self.faq = self.FAQ

    def text(self, name: str) -> str:
        return response_text(self.domain, name)

    def conversation(self, index: int) -> List[Turn]:
        from screening.questions import questions_to_ask

        answers: Dict[str, object] = {}

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
            Turn("/start_screening", ask(next_question()), "screening"),
        ]
        for message, values in (
            ('/inform{"subject": "baby"}', {"subject": "baby"}),
            ('/inform{"age_months": 0.5}', {"age_months": 0.5}),
            # one dimple in the middle: "more than one" and "off to one side" are answered too
            ('/inform{"dimple_pattern": "one_midline"}',
             {"dimple_pattern": "one_midline", "multiple": "no", "off_midline": "no"}),
        ):
            answers.update(values)
            turns.append(Turn(message, ask(next_question()), "screening"))
        asked_faq = False
        while True:
            slot = next_question()
            if slot is None:
                break
            message, values = self.FREE_TEXT.get(slot, ("/deny", {slot: "no"}))
            answers.update(values)
            turns.append(Turn(message, ask(next_question()), "screening"))
            if not asked_faq and next_question():
                asked_faq = True
                question, topic = self.FAQ_MID_SCREENING
                turns.append(Turn(question, [self.text(f"utter_faq/{topic}"), *ask(next_question())], "faq"))
        turns.append(Turn("thank you", [self.text("utter_you_are_welcome")]))
        turns.append(Turn(faq_a[0], [self.text(f"utter_faq/{faq_a[1]}")], "faq"))
        turns.append(Turn(faq_b[0], [self.text(f"utter_faq/{faq_b[1]}")], "faq"))
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
    print("==> rasa train --force on a copy of config.yml, domain.yml and data/ "
          "(the project's model is not touched)", file=sys.stderr, flush=True)
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


def start_actions(work: Path, with_tf: bool) -> Tuple[Process, str, float]:
    port = free_port()
    if with_tf:
        args = [PYTHON, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    else:  # as the project starts it
        args = action_server_command(port)
    started = time.monotonic()
    process = Process(f"actions-{port}", args, work).start()
    process.wait_until(f"http://127.0.0.1:{port}/health")
    return process, f"http://127.0.0.1:{port}/webhook", time.monotonic() - started


def serve(served: Served, model: Path, work: Path, action_url: str, env: Dict[str, str],
          endpoints_extra: Dict[str, Any], script_class: Callable, launcher: Optional[str] = None,
          credentials: Optional[Dict[str, Any]] = None) -> None:
    # credentials None: the REST connector tests/stack.py gives the project's servers.
    server = RasaServer(model, action_url, work, credentials=credentials, env=env)
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
        raise SystemExit(f"{served.name}: the first message got HTTP {status} {replies!r}; "
                         f"log {server.process.log_path}")
    served.figures["ready_s"] = time.monotonic() - started
    status, domain = http("GET", f"{server.url}/domain?token={server.token}", headers={"Accept": "application/json"})
    if status != 200 or not isinstance(domain, dict):
        raise SystemExit(f"{served.name}: GET /domain failed: {status} {str(domain)[:200]}")
    served.script = script_class(domain)


def run_users(served: Served, users: int, messages: int, tag: str) -> Dict[str, Any]:
    """`users` threads, each sending at least `messages` messages in whole
    conversations (a new sender id for each); returns the phase's figures."""
    server, script = served.server, served.script
    assert server is not None, "serve() starts the server first"
    latencies: List[float] = []
    by_kind: Dict[str, List[float]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(users + 1)
    run = uuid.uuid4().hex[:6]

    def user(index: int) -> None:
        mine: List[float] = []
        kinds: List[str] = []
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
                kinds.append(turn.kind)
                served.check.reply(sender, turn, status, replies)
                sent += 1
            conversation += 1
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
        "p50_ms_by_kind": {kind: percentile(values, 50) * 1000 for kind, values in sorted(by_kind.items())},
        "msgs_per_s": len(latencies) / wall,
        "wall_s": wall,
        "load": max(load_before, load_average()),
    }


def measure(served: Served, args: argparse.Namespace) -> None:
    """Warm up, then 1 user, then `args.users` users; memory after the load."""
    figures = served.figures
    server = served.server
    assert server is not None, "serve() starts the server first"
    idle, _ = group_rss_mb(server.process.pid)
    figures["rss_idle_mb"] = idle
    warm_up = run_users(served, 1, 1, "warmup")  # one whole conversation, not timed
    warm_check, served.check = served.check, Check()
    served.senders.clear()
    print(f"==> {served.name}: 1 user", file=sys.stderr, flush=True)
    figures["one"] = run_users(served, 1, args.messages_one, "one")
    print(f"==> {served.name}: {args.users} concurrent users", file=sys.stderr, flush=True)
    figures["many"] = run_users(served, args.users, args.messages, "many")
    figures["rss_mb"], figures["processes"] = group_rss_mb(server.process.pid)
    if served.actions:
        figures["actions_rss_mb"], _ = group_rss_mb(served.actions.pid)
    for sender in served.senders:
        served.script.verify_outcome(server, sender, served.check)
    # Every answer counts, the warm-up conversation's too.
    figures["messages"] = warm_up["n"] + figures["one"]["n"] + figures["many"]["n"]
    figures["wrong"] = warm_check.wrong + warm_check.errors + served.check.wrong + served.check.errors
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
        ("p50, 1 user: FAQ turns (ms)", lambda f: f["one"]["p50_ms_by_kind"].get("faq"), 0),
        ("p50, 1 user: screening turns (ms)", lambda f: f["one"]["p50_ms_by_kind"].get("screening"), 0),
        ("p50, 1 user: other turns (ms)", lambda f: f["one"]["p50_ms_by_kind"].get("other"), 0),
        ("messages/s, 1 user", lambda f: f["one"]["msgs_per_s"], 1),
        (f"messages/s, {users} users", lambda f: f["many"]["msgs_per_s"], 1),
        ("Rasa CPU per message, 1 user (ms)", lambda f: f["one"]["cpu_ms_per_msg"], 0),
        (f"Rasa CPU per message, {users} users (ms)", lambda f: f["many"]["cpu_ms_per_msg"], 0),
        ("action server CPU per message (ms)", lambda f: f["one"]["actions_cpu_ms_per_msg"], 1),
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
    def percentiles(phase: Dict[str, Any]) -> str:
        return "/".join(fmt(phase[p]) for p in ("p50_ms", "p95_ms", "p99_ms"))

    def part(f: Dict[str, Any]) -> str:
        return (
            f"p50/p95/p99 1u {percentiles(f['one'])} ms, "
            f"{users}u {percentiles(f['many'])} ms, "
            f"{fmt(f['many']['msgs_per_s'], 1)} msg/s@{users}u, "
            f"cpu {fmt(f['one']['cpu_ms_per_msg'])} ms/msg, "
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
        (f"p50 at half of stock's or better (1 and {users} users)",
         o["one"]["p50_ms"] <= s["one"]["p50_ms"] / 2 and o["many"]["p50_ms"] <= s["many"]["p50_ms"] / 2),
        (f"p95 at half of stock's or better (1 and {users} users)",
         o["one"]["p95_ms"] <= s["one"]["p95_ms"] / 2 and o["many"]["p95_ms"] <= s["many"]["p95_ms"] / 2),
        (f"throughput at {users} users double or better", o["many"]["msgs_per_s"] >= 2 * s["many"]["msgs_per_s"]),
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
    parser.add_argument("--actions-with-tf", action="store_true",
                        help="start the action server as `python -m rasa_sdk` does (TensorFlow loaded)")
    parser.add_argument("--fast-event-lookup", action="store_true",
                        help="start Rasa with the class of a stored event found by a lookup table")
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
        "actions-with-tf" if args.actions_with_tf else "",
        "fast-event-lookup" if args.fast_event_lookup else "",
    ])) or "as served"

    ours, stock = Served("ours"), (None if args.skip_stock else Served("stock"))
    started = time.monotonic()
    interrupted = failed = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        print(f"==> Benchmark: our model {model}; logs in {work}", file=sys.stderr, flush=True)
        if database:
            # Rasa does not create a missing database: it falls back to an in-memory
            # store for each request (and forgets the conversations).
            created = subprocess.run(["psql", "-h", "127.0.0.1", "-U", os.environ.get("PGUSER", "postgres"),
                                      "-d", "postgres", "-q", "-c", f"CREATE DATABASE {database}"],
                                     capture_output=True, text=True)
            if created.returncode != 0:
                raise SystemExit(f"could not create the PostgreSQL database {database}: {created.stderr.strip()}")
        # Training first, while nothing else of ours runs.
        if not args.no_train:
            ours.figures["train_s"] = train_ours(work)
        stock_model = args.stock_model
        if stock and not stock_model:
            stock_model, stock.figures["train_s"] = train_stock(work)

        print("==> ours: starting the action server, then Rasa", file=sys.stderr, flush=True)
        ours.actions, action_url, ours.figures["actions_ready_s"] = start_actions(work, args.actions_with_tf)
        patches = [name for name in RASA_PATCHES if getattr(args, name)]
        serve(ours, model, work, action_url, env, endpoints_extra, OurScript, launcher=rasa_launcher(patches))
        ours.figures["ready_total_s"] = ours.figures["actions_ready_s"] + ours.figures["ready_s"]
        measure(ours, args)
        stop(ours)

        if stock:
            print("==> stock: starting Rasa", file=sys.stderr, flush=True)
            # The stock bot has no custom actions; the URL is never called.
            serve(stock, stock_model.resolve(), work, f"http://127.0.0.1:{free_port()}/webhook", {}, {}, StockScript,
                  credentials={"rest": None})  # Rasa's own REST connector
            stock.figures["ready_total_s"] = stock.figures["ready_s"]
            measure(stock, args)
            stop(stock)
    except KeyboardInterrupt:
        interrupted = True
    except BaseException:
        failed = True  # keep the logs the error message points to
        raise
    finally:
        for served in (ours, stock):
            if served:
                stop(served)
        if database:
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", os.environ.get("PGUSER", "postgres"), "-d", "postgres",
                            "-q", "-c", f"DROP DATABASE IF EXISTS {database}"], capture_output=True)
        if args.keep or interrupted or failed:
            print(f"==> kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if interrupted:
        return 130

    bots = [ours] + ([stock] if stock else [])
    highest_load = max(f["load"] for b in bots for f in (b.figures["one"], b.figures["many"]))
    print()
    print(f"Benchmark of {model.name} ({settings}) on {os.cpu_count()} cores; "
          f"{ours.figures['one']['n']} messages with 1 user, "
          f"{ours.figures['many']['n']} with {args.users} users"
          + (f"; stock: {stock.figures['one']['n']} and {stock.figures['many']['n']}" if stock else "")
          + f"; highest 1-min load average seen {highest_load:.1f}"
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
