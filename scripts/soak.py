"""The deployment topology, run as processes, and a bounded soak through it.

`./assistant soak` (or `python -m scripts.soak --seconds 120 --people 50`) starts
what deploy/docker-compose.yml runs, without Docker: two Rasa replicas (the
product's tracker store on a fresh PostgreSQL database, the atomic Redis lock
store, Slack/Telegram de-duplication in Redis), the action server, and Debian's
nginx with deploy/nginx.conf itself; only the addresses are filled in
(`render_nginx_conf`). Slack and Telegram are the loopback stand-ins of
tests/fake_platforms.py.

Then `people` conversations run at once for `seconds`, each person screening
again and again through one channel: the web chat over Socket.IO (through nginx,
sticky by client address), Slack and Telegram webhooks (through nginx), and REST
(straight to a replica: deploy/nginx.conf does not publish it). Halfway, one
replica is stopped (SIGTERM, as an orchestrator does; `--kill-signal KILL` for
a crash); its people carry on on the other. At the end every
conversation is read back from PostgreSQL: every message acknowledged is stored
once, nothing is stored twice, and each finished screening has the expected
`screening_result`. Errors, figures and the RSS of each process are printed.
"""

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import re
import signal
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import aiohttp
import socketio  # type: ignore[import-untyped]

from scripts.processes import (
    ROOT,
    Process,
    RasaServer,
    free_port,
    start_action_server,
    temp_log_dir,
)
from tests.fake_platforms import FakeSlack, FakeTelegram
from tests.faults import WebChat
from tests.test_scale_out import QUESTIONS, REASSURE, REFER, SIMPLE_BABY, URGENT

NGINX_CONF = ROOT / "deploy" / "nginx.conf"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
POSTGRES_ADMIN_URL = os.environ.get(
    "SOAK_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
STORE = {"type": "persistence.tracker_store.EnvironmentSQLTrackerStore"}
SLACK_TOKEN, SLACK_SECRET = "xoxb-soak-token", "soak-signing-secret"
TELEGRAM_TOKEN, TELEGRAM_SECRET = "123456:SOAK-token", "soak-secret-token"
CREDENTIALS = {
    "channels.rest.SafeRestInput": None,
    "channels.webchat.WebChatInput": {
        "user_message_evt": "user_uttered",
        "bot_message_evt": "bot_uttered",
        "session_persistence": True,
    },
    "channels.slack.SlackInput": None,
    "channels.telegram.TelegramInput": None,
}
CHANNELS = ("webchat", "slack", "telegram", "rest")
# How the stand-in platforms re-send what got no 2xx: every 2 s for 40 s (Telegram
# goes on for hours; Slack tries 3 times within 5 minutes).
RETRIES, RETRY_SECONDS = 20, 2.0


# --- nginx ------------------------------------------------------------------------------


def _replace_once(
    text: str, pattern: str, replacement: Union[str, Callable[["re.Match[str]"], str]]
) -> str:
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if count < 1:
        raise ValueError(f"deploy/nginx.conf changed: {pattern!r} not found")
    return new


def render_nginx_conf(
    source: str, replicas: List[str], port: int, run_dir: Path, trust_forwarded_for: bool = True
) -> str:
    """deploy/nginx.conf with the compose names replaced by loopback addresses.

    Every `server rasa:5005 ...;` line of an upstream becomes one line per replica;
    `listen 80` a loopback port; logs, pid and temporary files go to `run_dir`.
    With `trust_forwarded_for`, the config's commented-out real-IP lines are turned
    on for 127.0.0.1, so that simulated browsers (X-Forwarded-For) spread over the
    replicas by ip_hash as real ones would.
    """
    text = _replace_once(
        source,
        r"^(\s*)server rasa:5005( .*)?;$",
        lambda m: "\n".join(f"{m.group(1)}server {r}{m.group(2) or ''};" for r in replicas),
    )
    text = _replace_once(text, r"^(\s*)listen 80;$", rf"\1listen 127.0.0.1:{port};")
    text = _replace_once(
        text,
        r"access_log /var/log/nginx/access.log main;",
        f"access_log {run_dir}/access.log main;",
    )
    temp = "\n".join(
        f"    {kind}_temp_path {run_dir}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = _replace_once(text, r"^http \{$", "http {\n" + temp)
    if trust_forwarded_for:
        text = _replace_once(
            text, r"^(\s*)# set_real_ip_from 10\.0\.0\.0/8;.*$", r"\1set_real_ip_from 127.0.0.1;"
        )
        text = _replace_once(
            text,
            r"^(\s*)# real_ip_header X-Forwarded-For;.*$",
            r"\1real_ip_header X-Forwarded-For;",
        )
    return text


def start_nginx(replicas: List[str], log_dir: Path) -> Tuple[Process, str, Path]:
    """nginx with the project's config; returns it, its URL and its folder (access.log)."""
    port = free_port()
    run_dir = log_dir / f"nginx-{port}"
    run_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(run_dir, 0o777)  # nginx's workers drop root
    conf = run_dir / "nginx.conf"
    conf.write_text(render_nginx_conf(NGINX_CONF.read_text(), replicas, port, run_dir))
    process = Process(
        f"nginx-{port}",
        [
            NGINX,
            "-p",
            str(run_dir),
            "-c",
            str(conf),
            "-g",
            f"daemon off; pid {run_dir}/nginx.pid; error_log {run_dir}/error.log;",
        ],
        log_dir,
    ).start()
    url = f"http://127.0.0.1:{port}"
    process.wait_until(f"{url}/healthz", timeout=30)
    return process, url, run_dir


# --- the topology -----------------------------------------------------------------------


def _admin(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(POSTGRES_ADMIN_URL, connect_timeout=5)
    connection.autocommit = True
    try:
        connection.cursor().execute(sql)
    finally:
        connection.close()


class Topology:
    """Two replicas, the action server, PostgreSQL, Redis, nginx and the stand-ins."""

    def __init__(self, model: Path, log_dir: Path, replicas: int = 2) -> None:
        self.model, self.log_dir, self.count = model, log_dir, replicas
        tag = uuid.uuid4().hex[:12]
        self.database = f"dimples_soak_{tag}"
        self.database_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.database
        self.prefix = f"dimplessoak{tag}"  # Rasa ignores a lock key prefix with symbols
        self.replicas: List[RasaServer] = []
        self.stopped: List[int] = []

    def start(self) -> "Topology":
        import redis

        self.redis = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=5)
        self.redis.ping()
        _admin(f"CREATE DATABASE {self.database}")
        self.slack = FakeSlack(token=SLACK_TOKEN).start()
        self.telegram = FakeTelegram(token=TELEGRAM_TOKEN).start()
        self.actions, action_url = start_action_server(self.log_dir)
        lock_store = {
            "type": "persistence.lock_store.AtomicRedisLockStore",
            "url": REDIS_HOST,
            "port": REDIS_PORT,
            "db": 0,
            "key_prefix": self.prefix,
        }
        env = {
            "TRACKER_STORE_URL": self.database_url,
            "REDIS_HOST": REDIS_HOST,
            "REDIS_PORT": str(REDIS_PORT),
            "REDIS_DB": "0",
            "SEEN_KEY_PREFIX": f"{self.prefix}:seen:",
            # An id taken by a replica that then died is answered after this long.
            "SEEN_CLAIM_SECONDS": "10",
            "SLACK_TOKEN": SLACK_TOKEN,
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_API_URL": self.slack.url,
            "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": self.telegram.url,
            "HTTPS_PROXY": "",
            "https_proxy": "",
            "HTTP_PROXY": "",
            "http_proxy": "",
            "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_WORKERS": "1",
        }
        self.replicas = [
            RasaServer(
                self.model,
                action_url,
                self.log_dir,
                tracker_store=STORE,
                lock_store=lock_store,
                credentials=CREDENTIALS,
                env=env,
            )
            for _ in range(self.count)
        ]
        with ThreadPoolExecutor(self.count) as pool:
            for started in [pool.submit(r.start) for r in self.replicas]:
                started.result()
        self.nginx, self.url, self.nginx_dir = start_nginx(
            [f"127.0.0.1:{r.port}" for r in self.replicas], self.log_dir
        )
        return self

    def live(self) -> List[RasaServer]:
        return [r for n, r in enumerate(self.replicas) if n not in self.stopped]

    def kill(self, index: int, sig: int = signal.SIGTERM) -> None:
        self.stopped.append(index)
        self.replicas[index].stop(sig)

    def processes(self) -> Dict[str, int]:
        found = {
            f"rasa-{n}": pid_of(r.process)
            for n, r in enumerate(self.replicas)
            if n not in self.stopped
        }
        found["actions"] = pid_of(self.actions)
        found["nginx"] = pid_of(self.nginx)
        return found

    def stop(self) -> None:
        for process in [getattr(self, "nginx", None), getattr(self, "actions", None)]:
            if process is not None:
                process.stop()
        with ThreadPoolExecutor(max(1, len(self.replicas))) as pool:
            list(pool.map(lambda r: r.stop(), self.replicas))
        for fake in [getattr(self, "slack", None), getattr(self, "telegram", None)]:
            if fake is not None:
                fake.stop()
        if hasattr(self, "redis"):
            keys = list(self.redis.scan_iter(match=f"{self.prefix}:*"))
            if keys:
                self.redis.delete(*keys)
        _admin(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")

    def stored(self) -> Dict[str, List[Dict[str, Any]]]:
        import psycopg2

        connection = psycopg2.connect(self.database_url)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT sender_id, data FROM events ORDER BY id")
                conversations: Dict[str, List[Dict[str, Any]]] = {}
                for sender, data in cursor.fetchall():
                    conversations.setdefault(sender, []).append(json.loads(data))
                return conversations
        finally:
            connection.close()


def pid_of(process: Process) -> int:
    assert process.popen is not None, f"{process.name} was not started"
    return process.popen.pid


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (nginx's workers), in kB."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _children(pid: int) -> List[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# --- one person on one channel ----------------------------------------------------------


@dataclass
class Scenario:
    outcome: str
    answers: Dict[str, str]
    advice: str


SCENARIOS = [
    Scenario("reassure", SIMPLE_BABY, REASSURE),
    Scenario(
        "refer",
        {**SIMPLE_BABY, "signs_marks": "/affirm", "signs_which": '/inform{"sign": "hair_tuft"}'},
        REFER,
    ),
    Scenario("urgent", {**SIMPLE_BABY, "signs_urgent": "/affirm"}, URGENT),
]


def question_in(texts: List[str]) -> Optional[str]:
    # The last message with words (a question's picture comes after its text).
    last = next((text for text in reversed(texts) if text), "")
    asked = [slot for slot, fragment in QUESTIONS.items() if fragment in last]
    return asked[0] if len(asked) == 1 else None


class Failure(Exception):
    pass


@dataclass
class Person:
    number: int
    channel: str
    soak: "Soak"
    sent: Dict[str, List[str]] = field(default_factory=dict)  # conversation -> messages
    resent: Dict[str, List[str]] = field(default_factory=dict)  # sent again after a break
    expected: Dict[str, str] = field(default_factory=dict)  # conversation -> outcome
    # Screenings a re-sent message threw off the script (see screen()).
    thrown_off: List[str] = field(default_factory=list)
    retried: int = 0

    async def run(self, deadline: float) -> int:
        done = 0
        while time.monotonic() < deadline:
            scenario = SCENARIOS[(self.number + done) % len(SCENARIOS)]
            await self.screen(scenario, f"soak-{self.channel}-{self.number}-{done}")
            done += 1
        return done

    async def screen(self, scenario: Scenario, name: str) -> None:
        conversation = await self.soak.open(self, name)
        self.sent[conversation.id] = []
        texts = await self.say(conversation, "/start_screening")
        for _ in range(25):
            question = question_in(texts)
            if question is None:
                break
            texts = await self.say(conversation, scenario.answers.get(question, "/deny"))
        reply = "\n".join(texts)
        if scenario.advice not in reply:
            if self.resent.get(conversation.id):
                # Sent again after the connection broke, and the first copy had been
                # handled: the check moved on by one answer and the script's answers no
                # longer fit (docs/production.md). check_stored() makes sure a copy
                # was stored twice; else it is an error.
                self.thrown_off.append(conversation.id)
                await conversation.close()
                return
            raise Failure(f"{name}: expected {scenario.advice!r} at the end, got {reply[-300:]!r}")
        self.expected[conversation.id] = scenario.outcome
        await conversation.close()

    async def say(self, conversation: "Conversation", text: str) -> List[str]:
        texts = await conversation.say(text)
        self.sent[conversation.id].append(text)
        self.resent[conversation.id] = list(getattr(conversation, "resent", []))
        self.soak.messages += 1
        # Under load a turn's messages can arrive seconds apart: a turn ends with a
        # question or with advice; wait for the rest of it before answering.
        for _ in range(5):
            if question_in(texts) or any(s.advice in "\n".join(texts) for s in SCENARIOS):
                break
            texts += await conversation.more()
        return texts


class Conversation:
    id = ""
    # Messages the person sent again after the connection broke: the first copy may
    # have been stored before the replica went away.
    resent: List[str]

    async def say(self, text: str) -> List[str]:
        raise NotImplementedError

    async def more(self) -> List[str]:
        """Messages of the last turn that arrived late (none for REST)."""
        return []

    async def close(self) -> None:
        pass


class WebConversation(Conversation):
    def __init__(self, soak: "Soak", person: Person, name: str) -> None:
        self.soak, self.id = soak, name
        # A browser of its own address: nginx's ip_hash picks the replica by it.
        self.address = f"10.{person.number // 250}.{person.number % 250}.1"
        self.resent = []
        self.chat: Optional[WebChat] = None

    async def connect(self) -> None:
        """Open the socket, as the widget does again after losing it (its replica died)."""
        for _ in range(5):
            try:
                self.chat = await WebChat(self.soak.topology.url, self.id, self.address).connect()
                return
            except (asyncio.TimeoutError, socketio.exceptions.ConnectionError) as error:
                self.soak.note_retry("webchat", error)
                await asyncio.sleep(1)
        raise Failure(f"{self.id}: could not open the web chat socket")

    async def say(self, text: str) -> List[str]:
        for attempt in range(4):
            try:
                if self.chat is None or not self.chat.sio.connected:
                    await self.connect()
                assert self.chat is not None
                if attempt:  # sent again, as a person does when no answer came
                    self.resent.append(text)
                replies = await self.chat.say(text, wait=30)
                return [r.get("text", "") for r in replies]
            except (asyncio.TimeoutError, socketio.exceptions.SocketIOError) as error:
                self.soak.note_retry("webchat", error)  # the replica went away
                self.chat = None
                await asyncio.sleep(1)
        raise Failure(f"{self.id}: no answer over the web chat")

    async def more(self) -> List[str]:
        if self.chat is None:
            return []
        try:
            reply = await asyncio.wait_for(self.chat.replies.get(), 3)
        except asyncio.TimeoutError:
            return []
        return [reply.get("text", "")]

    async def close(self) -> None:
        if self.chat is not None:
            await self.chat.close()


def slack_event(text: str, user: str, channel: str) -> bytes:
    """A direct message as Slack's Events API posts it."""
    return json.dumps(
        {
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:12]}",
            "event_time": int(time.time()),
            "team_id": "T1",
            "api_app_id": "A1",
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
            "event": {
                "type": "message",
                "channel_type": "im",
                "user": user,
                "text": text,
                "channel": channel,
                "ts": f"{time.time():.6f}",
            },
        }
    ).encode()


def slack_headers(body: bytes, retry: int = 0) -> Dict[str, str]:
    """Slack's signature headers; a retry also says which one it is."""
    stamp = str(int(time.time()))
    signature = (
        "v0="
        + hmac.new(
            SLACK_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256
        ).hexdigest()
    )
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_error"})
    return headers


class SlackConversation(Conversation):
    def __init__(self, soak: "Soak", person: Person, name: str) -> None:
        self.soak = soak
        self.user = f"U{uuid.uuid4().hex[:10].upper()}"
        self.channel = f"D{uuid.uuid4().hex[:10].upper()}"
        self.id = self.user  # Rasa's sender id for a DM ("sender" granularity)
        self.seen = 0

    async def say(self, text: str) -> List[str]:
        body = slack_event(text, self.user, self.channel)
        for retry in range(RETRIES):  # Slack re-sends an event that got no 2xx
            status = await self.soak.post(
                f"{self.soak.topology.url}/webhooks/slack/webhook", body, slack_headers(body, retry)
            )
            if status == 200:
                break
            self.soak.note_retry("slack", status)
            await asyncio.sleep(RETRY_SECONDS)
        return await self.soak.wait_for_replies(self.calls, self)

    def calls(self) -> List[Any]:
        return self.soak.topology.slack.messages_to(self.channel)

    async def more(self) -> List[str]:
        return await self.soak.wait_for_replies(self.calls, self, first=3, required=False)


class TelegramConversation(Conversation):
    def __init__(self, soak: "Soak", person: Person, name: str) -> None:
        self.soak = soak
        self.chat_id = 800_000_000 + int(uuid.uuid4().int % 100_000_000)
        self.id = str(self.chat_id)
        self.seen = 0

    async def say(self, text: str) -> List[str]:
        update_id = int(uuid.uuid4().int % 2_000_000_000)
        update = {
            "update_id": update_id,
            "message": {
                "message_id": update_id % 1_000_000,
                "date": int(time.time()),
                "text": text,
                "chat": {"id": self.chat_id, "type": "private"},
                "from": {"id": self.chat_id, "is_bot": False, "first_name": "Parent"},
            },
        }
        body = json.dumps(update).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
        }
        for _ in range(RETRIES):  # Telegram re-sends an update that got no 2xx
            status = await self.soak.post(
                f"{self.soak.topology.url}/webhooks/telegram/webhook", body, headers
            )
            if status == 200:
                break
            self.soak.note_retry("telegram", status)
            await asyncio.sleep(RETRY_SECONDS)
        return await self.soak.wait_for_replies(self.calls, self)

    def calls(self) -> List[Any]:
        return self.soak.topology.telegram.messages_to(self.chat_id)

    async def more(self) -> List[str]:
        return await self.soak.wait_for_replies(self.calls, self, first=3, required=False)


class RestConversation(Conversation):
    """An internal client: REST is not published by nginx, so it picks a replica."""

    def __init__(self, soak: "Soak", person: Person, name: str) -> None:
        self.soak, self.id, self.turn = soak, name, person.number

    async def say(self, text: str) -> List[str]:
        for attempt in range(4):
            live = self.soak.topology.live()
            server = live[(self.turn + attempt) % len(live)]
            self.turn += 1
            try:
                async with self.soak.session.post(
                    f"{server.url}/webhooks/rest/webhook", json={"sender": self.id, "message": text}
                ) as response:
                    if response.status == 200:
                        return [r.get("text", "") for r in await response.json()]
                    self.soak.note_retry("rest", response.status)
            except aiohttp.ClientError as error:
                self.soak.note_retry("rest", error)
            await asyncio.sleep(0.5)
        raise Failure(f"{self.id}: no answer over REST")


CONVERSATIONS = {
    "webchat": WebConversation,
    "slack": SlackConversation,
    "telegram": TelegramConversation,
    "rest": RestConversation,
}


# --- the soak ---------------------------------------------------------------------------


class Soak:
    def __init__(
        self, topology: Topology, people: int, seconds: float, kill: Optional[int] = signal.SIGTERM
    ) -> None:
        self.topology, self.people, self.seconds, self.kill_signal = topology, people, seconds, kill
        self.messages = 0
        self.errors: List[str] = []
        self.retries: Counter = Counter()

    def note_retry(self, channel: str, why: Any) -> None:
        self.retries[channel] += 1

    async def open(self, person: Person, name: str) -> Conversation:
        conversation = CONVERSATIONS[person.channel](self, person, name)
        if isinstance(conversation, WebConversation):
            await conversation.connect()
        return conversation

    async def post(self, url: str, body: bytes, headers: Dict[str, str]) -> int:
        try:
            async with self.session.post(url, data=body, headers=headers) as response:
                await response.read()
                return response.status
        except aiohttp.ClientError:
            return 0

    async def wait_for_replies(
        self,
        calls: Any,
        conversation: Any,
        first: float = 60.0,
        quiet: float = 0.8,
        required: bool = True,
    ) -> List[str]:
        """New messages to one chat: the first within `first` s, then until `quiet` s pass."""
        deadline = time.monotonic() + first
        while len(calls()) <= conversation.seen:
            if time.monotonic() > deadline:
                if not required:
                    return []
                raise Failure(f"{conversation.id}: no reply within {first} s")
            await asyncio.sleep(0.05)
        count, still = len(calls()), time.monotonic()
        while time.monotonic() - still < quiet:
            await asyncio.sleep(0.05)
            if len(calls()) != count:
                count, still = len(calls()), time.monotonic()
        new = calls()[conversation.seen :]
        conversation.seen += len(new)
        return [c.params.get("text", "") for c in new]

    async def run(self) -> Dict[str, Any]:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90))
        people = [Person(n, CHANNELS[n % len(CHANNELS)], self) for n in range(self.people)]
        rss_before = {name: rss_kb(pid) for name, pid in self.topology.processes().items()}
        started = time.monotonic()
        deadline = started + self.seconds

        async def kill_halfway(sig: int) -> None:
            await asyncio.sleep(self.seconds / 2)
            # In a thread: a graceful stop takes seconds, the people go on meanwhile.
            await asyncio.to_thread(self.topology.kill, len(self.topology.replicas) - 1, sig)

        killer = asyncio.ensure_future(kill_halfway(self.kill_signal)) if self.kill_signal else None
        results = await asyncio.gather(*(p.run(deadline) for p in people), return_exceptions=True)
        elapsed = time.monotonic() - started
        if killer is not None:
            await killer
        await self.session.close()
        screenings = 0
        for person, result in zip(people, results, strict=True):
            if isinstance(result, BaseException):
                self.errors.append(f"person {person.number} ({person.channel}): {result!r}"[:400])
            else:
                screenings += result
        rss_after = {name: rss_kb(pid) for name, pid in self.topology.processes().items()}
        checked = self.check_stored(people)
        return {
            "elapsed": elapsed,
            "screenings": screenings,
            "messages": self.messages,
            "errors": self.errors,
            "retries": dict(self.retries),
            "rss_before": rss_before,
            "rss_after": rss_after,
            **checked,
        }

    def check_stored(self, people: List[Person]) -> Dict[str, Any]:
        stored = self.topology.stored()
        lost = duplicated = wrong = resent_twice = thrown_off = 0
        for person in people:
            for conversation, sent in person.sent.items():
                events = stored.get(conversation, [])
                rows = Counter(json.dumps(e, sort_keys=True) for e in events)
                duplicated += sum(n - 1 for n in rows.values())
                texts = [e.get("text") for e in events if e["event"] == "user"]
                once = without_resent_copies(texts, person.resent.get(conversation, []))
                stored_twice = once == sent and texts != sent
                if stored_twice:
                    resent_twice += len(texts) - len(once)
                elif texts != sent:
                    missing = len(sent) - len(texts)
                    lost += max(0, missing)
                    duplicated += max(0, -missing)
                    self.errors.append(
                        f"{conversation}: stored {len(texts)} of {len(sent)} "
                        f"messages (or in another order)"
                    )
                if conversation in person.thrown_off:
                    thrown_off += 1
                    if not stored_twice:
                        self.errors.append(
                            f"{conversation}: the script's answers stopped fitting, and no "
                            f"re-sent message was stored twice to explain it"
                        )
                results = [
                    e.get("value")
                    for e in events
                    if e["event"] == "slot" and e.get("name") == "screening_result"
                ]
                expected = person.expected.get(conversation)
                if expected is not None and (not results or results[-1] != expected):
                    wrong += 1
                    self.errors.append(f"{conversation}: outcome {results[-1:]} not {expected}")
        return {
            "lost": lost,
            "duplicated": duplicated,
            "resent_twice": resent_twice,
            "thrown_off": thrown_off,
            "wrong_outcomes": wrong,
            "conversations": sum(len(p.sent) for p in people),
        }


def without_resent_copies(stored: List[Any], resent: List[str]) -> List[Any]:
    """The stored messages with a repeated copy of a re-sent message dropped."""
    left = list(resent)
    kept: List[Any] = []
    for text in stored:
        if kept and text == kept[-1] and text in left:
            left.remove(text)
            continue
        kept.append(text)
    return kept


def report(figures: Dict[str, Any], people: int, kill: Optional[int]) -> List[str]:
    killed = f", one replica stopped halfway ({signal.Signals(kill).name})" if kill else ""
    lines = [
        f"soak: {people} people for {figures['elapsed']:.0f} s through nginx "
        f"(web chat, Slack, Telegram; REST to the replicas){killed}",
        f"  screenings finished: {figures['screenings']}, messages: {figures['messages']} "
        f"({figures['messages'] / max(figures['elapsed'], 1e-9):.1f}/s), "
        f"conversations checked in PostgreSQL: {figures['conversations']}",
        f"  errors: {len(figures['errors'])}, lost: {figures['lost']}, "
        f"duplicated: {figures['duplicated']}, wrong outcomes: {figures['wrong_outcomes']}, "
        f"messages the person re-sent after a broken connection that were stored twice: "
        f"{figures['resent_twice']} (screenings that threw off the script: "
        f"{figures['thrown_off']}), "
        f"client retries after the kill: {figures['retries'] or 0}",
    ]
    for name, before in figures["rss_before"].items():
        after = figures["rss_after"].get(name)
        growth = (
            "killed"
            if after is None
            else f"{after / 1024:.0f} MB ({(after - before) / 1024:+.0f} MB)"
        )
        lines.append(f"  RSS {name}: {before / 1024:.0f} MB -> {growth}")
    lines += [f"  error: {e}" for e in figures["errors"][:10]]
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument(
        "--kill-signal",
        default="TERM",
        choices=["TERM", "KILL", "none"],
        help="how one replica is stopped halfway: TERM (a graceful stop, as "
        "Docker and Kubernetes do), KILL (a crash) or none",
    )
    parser.add_argument("--model", type=Path, help="a model file (default: train if needed)")
    args = parser.parse_args(argv)
    kill = None if args.kill_signal == "none" else getattr(signal, f"SIG{args.kill_signal}")
    from scripts.model import ensure

    log_dir = temp_log_dir("dimples-soak-")
    print(f"==> Starting the topology (logs in {log_dir})", file=sys.stderr, flush=True)
    topology = Topology(args.model or ensure(), log_dir).start()
    try:
        print(f"==> Soak: {args.people} people, {args.seconds:.0f} s", file=sys.stderr, flush=True)
        figures = asyncio.run(Soak(topology, args.people, args.seconds, kill).run())
    finally:
        topology.stop()
    print("\n".join(report(figures, args.people, kill)))
    bad = figures["errors"] or figures["lost"] or figures["duplicated"] or figures["wrong_outcomes"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
