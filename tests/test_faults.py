"""Faults over real processes: nothing acknowledged that was not stored, bounded waits.

- PostgreSQL becomes unreachable mid-conversation (the TCP proxy between the
  session's PostgreSQL server and the database is cut, then restored): REST
  answers 503, the web chat says the message was not saved; the database is
  read directly meanwhile (nothing of those turns may appear), and afterwards
  the conversation goes on from the last stored turn, each message stored once.
- SQLite cannot be written (another connection holds its write lock): Telegram
  and Slack say the message was not saved, urgent advice included when the
  message states an urgent sign; nothing of the turn is stored or shown; after
  the lock is released the same message is answered and stored once.
- The action server hangs (accepts, never answers; the proxy to it is switched to
  a server that hangs, on the SQLite test's server): the turn ends after
  ACTION_SERVER_TIMEOUT seconds with the "can't run the check" answer, and an
  urgent sign still gets urgent advice.
"""

import asyncio
import json
import sqlite3
import time
import uuid
from types import SimpleNamespace
from typing import Any, Dict, List, Optional

import pytest

from channels.saved_turns import NOT_SAVED, not_saved_reply
from components.action_server_down import DEFAULT_ACTION_TIMEOUT, action_timeout
from scripts.conversation import texts
from scripts.processes import RasaServer, http
from tests.fake_platforms import FakeSlack, FakeTelegram
from tests.faults import HungServer, TcpProxy, WebChat
from tests.stores import POSTGRES_URL, STORE
from tests.test_slack import SIGNING_SECRET as SLACK_SECRET
from tests.test_slack import TOKEN as SLACK_TOKEN
from tests.test_slack import message_event, post_event
from tests.test_telegram import SECRET as TELEGRAM_SECRET
from tests.test_telegram import TOKEN as TELEGRAM_TOKEN
from tests.test_telegram import post_update, text_update

POSTGRES_ADMIN_URL = POSTGRES_URL

NOT_SAVED_WORDS = "couldn't save your message"
URGENT_WORDS = "Please get medical care today"
SIGNS_WORDS = "get medical care today if you see any of these"
# The urgent signs' list, and what follows "None of these" when hair was said at the start.
NEXT_AFTER_URGENT = "enough to recommend"
URGENT_QUESTION = "Fluid, pus or other discharge"


# --- the decisions, by table ------------------------------------------------------


@pytest.mark.parametrize(
    "text, urgent",
    [
        ("there is pus coming out of the dimple", True),
        ("he has a fever and the dimple is red and swollen", True),
        ("no pus, no redness", False),
        ("what are dimples of venus", False),
        ('/inform{"drainage": "yes"}', False),  # a button: no text to read
        (None, False),
    ],
)
def test_the_not_saved_reply_keeps_urgent_advice(text, urgent):
    reply = not_saved_reply(text)
    assert reply.startswith(NOT_SAVED)
    assert (URGENT_WORDS in reply) is urgent
    assert (SIGNS_WORDS in reply) is not urgent


@pytest.mark.parametrize(
    "value, seconds",
    [
        (None, DEFAULT_ACTION_TIMEOUT),
        ("", DEFAULT_ACTION_TIMEOUT),
        ("2.5", 2.5),
        ("10", 10.0),
        ("0", DEFAULT_ACTION_TIMEOUT),
        ("-1", DEFAULT_ACTION_TIMEOUT),
        ("soon", DEFAULT_ACTION_TIMEOUT),
        ("301", DEFAULT_ACTION_TIMEOUT),
    ],
)
def test_action_timeout_from_the_environment(value, seconds):
    environ = {} if value is None else {"ACTION_SERVER_TIMEOUT": value}
    assert action_timeout(environ) == seconds


# --- helpers ----------------------------------------------------------------------


def _admin(sql: str, url: str = POSTGRES_ADMIN_URL) -> List[Any]:
    import psycopg2

    connection = psycopg2.connect(url, connect_timeout=5)
    connection.autocommit = True
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def stored_events(rows: List[Any]) -> List[Dict[str, Any]]:
    return [json.loads(data) for (data,) in rows]


def user_texts(events: List[Dict[str, Any]]) -> List[Optional[str]]:
    return [e.get("text") for e in events if e["event"] == "user"]


def bot_texts(events: List[Dict[str, Any]]) -> List[str]:
    return [e.get("text") or "" for e in events if e["event"] == "bot"]


def reply_text(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


# --- PostgreSQL unreachable ---------------------------------------------------------


@pytest.mark.server
def test_postgres_unreachable_mid_conversation(postgres_server, record_figure):
    # The session's PostgreSQL server (tests/conftest.py): its database is reached
    # through a proxy, cut here and restored before the test ends.
    server, proxy = postgres_server, postgres_server.database_proxy
    rest_id, web_id = f"pgdown-{uuid.uuid4().hex[:8]}", f"pgdown-web-{uuid.uuid4().hex[:8]}"

    def events_of(sender: str) -> List[Dict[str, Any]]:
        # Straight to PostgreSQL, past the proxy: what is really stored.
        return stored_events(
            _admin(f"SELECT data FROM events WHERE sender_id = '{sender}' ORDER BY id")
        )

    async def web_chat() -> None:
        chat = await WebChat(server.url, web_id).connect()
        try:
            assert "Venus" in reply_text(await chat.say("what are dimples of venus"))
            stored_before = len(events_of(web_id))
            proxy.cut()
            started = time.monotonic()
            down = reply_text(await chat.say("what are dimples of apollo"))
            record_figure(
                f"PostgreSQL cut: web chat told 'not saved' after "
                f"{time.monotonic() - started:.2f} s"
            )
            # Told, and not answered as if it had been kept.
            assert NOT_SAVED_WORDS in down and "Apollo" not in down
            assert len(events_of(web_id)) == stored_before

            status, body = http(
                "POST",
                f"{server.url}/webhooks/rest/webhook",
                {"sender": rest_id, "message": "/deny"},
            )
            assert status == 503 and body["error"] == "not_saved", (status, body)
            assert user_texts(events_of(rest_id)).count("/deny") == 0

            proxy.restore()
            again = reply_text(await chat.say("what are dimples of apollo"))
            assert "Apollo" in again or "Venus" in again, again
            assert NOT_SAVED_WORDS not in again
            assert user_texts(events_of(web_id)).count("what are dimples of apollo") == 1
        finally:
            await chat.close()

    try:
        server.send(rest_id, "my newborn has a dimple with a small tuft of hair above it")
        asked = texts(server.send(rest_id, '/inform{"dimple_pattern": "one_midline"}'))
        assert URGENT_QUESTION in asked
        stored = events_of(rest_id)
        asyncio.run(web_chat())
        # The REST message refused during the outage, sent again: it goes on from
        # the last stored turn (the urgent signs' list), stored once.
        reply = texts(server.send(rest_id, "/deny"))
        assert NEXT_AFTER_URGENT in reply, reply
        after = events_of(rest_id)
        assert after[: len(stored)] == stored
        assert user_texts(after).count("/deny") == 1
        assert server.slots(rest_id)["drainage"] == "no"
    finally:
        if proxy.port and not proxy.listening:  # failed while cut: the next tests need it
            proxy.restore()


# --- SQLite that cannot be written, and a hung action server: one server -----------


ACTION_TIMEOUT = 2.5  # seconds (ACTION_SERVER_TIMEOUT), not the default 3


@pytest.fixture(scope="module")
def sqlite_stack(model_path, actions, log_dir):
    """A server on SQLite with REST, Slack and Telegram (stand-ins on loopback), whose
    action server is reached through a proxy: a test can make it hang. One server for
    both tests below: a Rasa server takes tens of seconds to start."""
    db_path = log_dir / f"locked-{uuid.uuid4().hex}.db"
    slack = FakeSlack(token=SLACK_TOKEN).start()
    telegram = FakeTelegram(token=TELEGRAM_TOKEN).start()
    to_actions = TcpProxy(actions.port).start()
    server = RasaServer(
        model_path,
        f"http://127.0.0.1:{to_actions.port}/webhook",
        log_dir,
        tracker_store={**STORE, "db": str(db_path)},
        credentials={
            "channels.rest.SafeRestInput": None,
            "channels.slack.SlackInput": None,
            "channels.telegram.TelegramInput": None,
        },
        env={
            "ACTION_SERVER_TIMEOUT": str(ACTION_TIMEOUT),
            "SLACK_TOKEN": SLACK_TOKEN,
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_API_URL": slack.url,
            "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": telegram.url,
            "HTTPS_PROXY": "",
            "https_proxy": "",
            "HTTP_PROXY": "",
            "http_proxy": "",
        },
    )
    try:
        server.start()
        yield SimpleNamespace(
            server=server,
            db_path=db_path,
            slack=slack,
            telegram=telegram,
            to_actions=to_actions,
            actions_port=actions.port,
        )
    finally:
        server.stop()
        to_actions.stop()
        slack.stop()
        telegram.stop()


@pytest.mark.server
def test_sqlite_unwritable_telegram_and_slack_say_not_saved(sqlite_stack):
    server, db_path = sqlite_stack.server, sqlite_stack.db_path
    slack, telegram = sqlite_stack.slack, sqlite_stack.telegram
    chat_id = 770_000 + int(uuid.uuid4().int % 10_000)
    slack_channel = f"DFAULT{uuid.uuid4().hex[:6].upper()}"
    urgent = "there is pus coming out of the dimple"

    def telegram_texts() -> List[str]:
        return [c.params.get("text", "") for c in telegram.messages_to(chat_id)]

    def stored(sender: str) -> List[Dict[str, Any]]:
        with sqlite3.connect(db_path) as reader:
            rows = reader.execute(
                "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
            ).fetchall()
        return stored_events(rows)

    assert post_update(server, text_update(chat_id, "/start"))[0] == 200
    telegram.wait_for("sendMessage", lambda c: str(c.params.get("chat_id")) == str(chat_id))
    before_texts, before_events = len(telegram_texts()), stored(str(chat_id))

    # Another writer holds SQLite's write lock (root ignores file modes, not locks).
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        assert post_update(server, text_update(chat_id, urgent)) == (200, "success")
        shown = telegram_texts()[before_texts:]
        # Exactly the "not saved" reply (Telegram sends each paragraph as a
        # message), urgent advice included; none of the held replies.
        assert shown == not_saved_reply(urgent).split("\n\n"), shown
        assert URGENT_WORDS in "\n".join(shown)

        event = message_event("what are dimples of venus", "UFAULT", slack_channel)
        status, _ = post_event(server, event)
        assert status == 200
        paragraphs = not_saved_reply(event["event"]["text"]).split("\n\n")
        slack.wait_for(
            "chat.postMessage",
            lambda c: c.params.get("channel") == slack_channel,
            timeout=30,
            count=len(paragraphs),
        )
        assert SIGNS_WORDS in paragraphs[-1]

        status, answer = http(
            "POST",
            f"{server.url}/webhooks/rest/webhook",
            {"sender": f"locked-rest-{uuid.uuid4().hex[:8]}", "message": "hello"},
        )
        assert status == 503 and answer["error"] == "not_saved"
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    assert stored(str(chat_id)) == before_events  # nothing of the refused turn
    assert post_update(server, text_update(chat_id, urgent)) == (200, "success")
    answered = "\n".join(telegram_texts()[before_texts + 1 :])
    assert URGENT_WORDS in answered and NOT_SAVED_WORDS not in answered
    assert user_texts(stored(str(chat_id))).count(urgent) == 1
    time.sleep(1)
    # Slack, like Telegram, sends each paragraph as a message: only the
    # "not saved" reply, never the held answer.
    assert [c.params["text"] for c in slack.messages_to(slack_channel)] == paragraphs


# --- a hung action server -------------------------------------------------------------


@pytest.mark.server
def test_hung_action_server_gets_the_stopped_server_answer(sqlite_stack, record_figure):
    server = sqlite_stack.server
    hung = HungServer()
    sqlite_stack.to_actions.switch_to(hung.port)
    screening_id, urgent_id = (f"hung-{n}-{uuid.uuid4().hex[:8]}" for n in (1, 2))
    try:
        started = time.monotonic()
        reply = texts(server.send(screening_id, "my baby has a dimple at the bottom of her back"))
        waited = time.monotonic() - started
        assert hung.accepted >= 1  # it really reached the hung server
        assert "can't run the dimple check right now" in reply, reply
        assert "get medical care today if you see any of these" in reply

        started = time.monotonic()
        urgent = texts(server.send(urgent_id, "the dimple is leaking pus and he has a fever"))
        urgent_wait = time.monotonic() - started
        assert "Please get medical care today" in urgent, urgent
        record_figure(
            f"hung action server, ACTION_SERVER_TIMEOUT={ACTION_TIMEOUT:g}: screening turn "
            f"{waited:.1f} s, urgent-sign turn {urgent_wait:.1f} s "
            f"(Rasa's own wait: 300 s per action call)"
        )
        events = server.tracker(screening_id)["events"]
        assert [e.get("text") for e in events if e["event"] == "user"] == [
            "my baby has a dimple at the bottom of her back"
        ]
    finally:
        sqlite_stack.to_actions.switch_to(sqlite_stack.actions_port)
        hung.stop()
