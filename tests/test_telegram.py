"""The Telegram channel, end to end: updates go to a real Rasa server (with the
action server); the replies are read from a local stand-in of the Bot API
(tests/fake_platforms.py) that TELEGRAM_API_URL points at.

The server starts while nothing listens at TELEGRAM_API_URL (Telegram
unreachable); the stand-in comes up on that port only after the first test, so
the same server also shows that setWebhook is retried in the background.
It lists the Slack channel without its variables too (answers 503).
"""

import asyncio
import itertools
import json
import re
import time
from typing import Any, Dict, List, Optional

import pytest

from channels.images import POSITION
from channels.telegram import TelegramInput, TelegramOutput
from scripts.processes import RasaServer, http
from tests.fake_platforms import Call, FakeTelegram, free_port, telegram_buttons

server = pytest.mark.server  # the tests that start Rasa (about a minute)

TOKEN = "123456:TEST-token_abc"
SECRET = "test-secret_token-123"
USERNAME = "dimples_test_bot"
WEBHOOK_URL = "https://bot.example.test/webhooks/telegram/webhook"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def telegram(model_path, action_server, log_dir):
    # The stand-in's port, reserved but closed: Telegram is unreachable at start-up.
    fake = FakeTelegram(token=TOKEN, port=free_port(), username=USERNAME)
    server = RasaServer(
        model_path,
        action_server,
        log_dir,
        credentials={
            "rest": None,
            "channels.telegram.TelegramInput": None,
            "channels.slack.SlackInput": None,
        },
        env={
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_SECRET_TOKEN": SECRET,
            "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
            "TELEGRAM_BOT_USERNAME": USERNAME,
            "TELEGRAM_API_URL": fake.url,
            "SLACK_TOKEN": "",
            "SLACK_SIGNING_SECRET": "",  # listed, not configured
            "RASA_TELEMETRY_ENABLED": "false",
        },
    ).start()
    server.fake = fake
    yield server
    server.stop()
    fake.stop()


@pytest.fixture
def online(telegram):
    """The Bot API is reachable (from the second test on)."""
    if not telegram.fake.started:
        telegram.fake.start()
    return telegram


# -- building Telegram's updates ------------------------------------------------


def text_update(chat_id: int, text: str, **message: Any) -> Dict[str, Any]:
    n = next(_ids)
    return {
        "update_id": 10_000 + n,
        "message": {
            "message_id": n,
            "date": int(time.time()),
            "text": text,
            "chat": {"id": chat_id, "type": "private", "first_name": "Parent"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Parent"},
            **message,
        },
    }


def button_update(chat_id: int, question, title: str) -> Dict[str, Any]:
    """The user presses `title` under the bot's message `question` (a recorded call)."""
    button = next(b for b in telegram_buttons(question) if b["title"] == title)
    n = next(_ids)
    return {
        "update_id": 10_000 + n,
        "callback_query": {
            "id": f"cb{n}",
            "chat_instance": "ci",
            "data": button["payload"],
            "from": {"id": chat_id, "is_bot": False, "first_name": "Parent"},
            "message": {
                "message_id": question.result["message_id"],
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": 123456, "is_bot": True, "first_name": "Dimples"},
                "text": question.params["text"],
                "reply_markup": question.params["reply_markup"],
            },
        },
    }


def post_update(
    server: RasaServer, update: Any, secret: Optional[str] = SECRET, raw: Optional[bytes] = None
):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    body = raw if raw is not None else json.dumps(update).encode()
    return http("POST", f"{server.url}/webhooks/telegram/webhook", body, headers)


def say(server: RasaServer, chat_id: int, text: str) -> None:
    status, body = post_update(server, text_update(chat_id, text))
    assert (status, body) == (200, "success")


def texts_to(fake: FakeTelegram, chat_id: int) -> str:
    return "\n".join(c.params.get("text", "") for c in fake.messages_to(chat_id))


def next_question(fake: FakeTelegram, chat_id: int, seen: list):
    known = {id(c) for c in seen}
    call = fake.wait_for(
        "sendMessage",
        lambda c: (
            str(c.params.get("chat_id")) == str(chat_id)
            and bool(telegram_buttons(c))
            and id(c) not in known
        ),
    )
    seen.append(call)
    return call


# -- tests (in this order: the first runs while Telegram is unreachable) ------------


@server
def test_starts_and_serves_while_telegram_is_unreachable(telegram):
    assert not telegram.fake.started
    # The server is up (the fixture waited for it) and answers on other channels...
    assert "Venus" in "\n".join(
        r.get("text", "") for r in telegram.send("rest-1", "what are dimples of venus")
    )
    # ...and on Telegram's webhook: the reply cannot be sent, yet the answer is
    # 200, not 500 (a 500 would make Telegram re-send the update).
    status, body = post_update(telegram, text_update(1001, "what are dimples of venus"))
    assert (status, body) == (200, "success")
    log = telegram.process.log_tail(10**7)
    assert "not reachable" in log
    assert "Traceback" not in log.split("Telegram: Bot API")[0][-2000:]


@server
def test_set_webhook_with_secret_token_once_telegram_is_reachable(online):
    call = online.fake.wait_for("setWebhook", timeout=90)
    assert call.params["url"] == WEBHOOK_URL
    assert call.params["secret_token"] == SECRET
    assert "message" in call.params["allowed_updates"]
    assert "callback_query" in call.params["allowed_updates"]
    assert online.fake.calls_to("getMe")  # the TELEGRAM_BOT_USERNAME check, once
    status, body = http("GET", f"{online.url}/webhooks/telegram/")
    assert status == 200 and body["webhook_set"] is True


@server
def test_faq_question_gets_the_answer(online):
    say(online, 2001, "what are dimples of venus")
    online.fake.wait_for("sendMessage", lambda c: str(c.params.get("chat_id")) == "2001")
    assert "Venus" in texts_to(online.fake, 2001)


@server
def test_start_command_greets(online):
    say(online, 2002, "/start")
    greeting = online.fake.wait_for("sendMessage", lambda c: str(c.params.get("chat_id")) == "2002")
    assert telegram_buttons(greeting), greeting.params


# The buttons of a grouped question ("Do you see any of these?").
GROUP_ANSWERS = {"None of these", "Yes, one or more", "Not sure"}


@server
def test_screening_question_comes_with_a_keyboard_and_a_button_press_continues(online):
    chat, fake = 3001, online.fake
    seen: List[Call] = []
    say(online, chat, "my baby has a dimple, can you check it?")
    question = next_question(fake, chat, seen)
    # The first question of the check. "my baby" may already answer "Who has the
    # dimple?", and then the bot goes straight on to where it is.
    assert re.search(r"Who has the dimple|Where is it", question.params["text"]), question.params
    assert len(telegram_buttons(question)) >= 3, question.params  # answer choices, as buttons

    asked = [question.params["text"]]
    for _ in range(6):
        titles = [b["title"] for b in telegram_buttons(question)]
        if set(titles) >= GROUP_ANSWERS:
            break
        status, _ = post_update(online, button_update(chat, question, titles[0]))
        assert status == 200
        question = next_question(fake, chat, seen)
        assert question.params["text"] not in asked, "the dialogue did not move on"
        asked.append(question.params["text"])
    assert {b["title"] for b in telegram_buttons(question)} >= GROUP_ANSWERS, asked

    # "Where is it?" came with its picture: the PNG uploaded from disk with a caption,
    # just before the question and its buttons (channels/images.py).
    to_chat = [c for c in fake.calls if str(c.params.get("chat_id")) == str(chat)]
    photo = next(i for i, c in enumerate(to_chat) if c.method == "sendPhoto")
    assert to_chat[photo].files["photo"][2] == POSITION.file.read_bytes()
    assert to_chat[photo].params["caption"] == POSITION.caption
    after = to_chat[photo + 1]
    assert after.method == "sendMessage" and len(telegram_buttons(after)) >= 4

    press = button_update(chat, question, "Not sure")
    status, _ = post_update(online, press)
    assert status == 200
    following = next_question(fake, chat, seen)
    assert following.params["text"] != question.params["text"]
    # The press is acknowledged (the button's spinner stops) and the question
    # shows the answer instead of live buttons.
    fake.wait_for(
        "answerCallbackQuery",
        lambda c: c.params.get("callback_query_id") == press["callback_query"]["id"],
    )
    edit = fake.wait_for(
        "editMessageText",
        lambda c: str(c.params.get("message_id")) == str(question.result["message_id"]),
    )
    assert edit.params["text"].endswith("Not sure") and "reply_markup" not in edit.params


@server
def test_requests_without_or_with_a_wrong_secret_are_rejected_and_not_answered(online):
    status, _ = post_update(online, text_update(4001, "what are dimples of venus"), secret=None)
    assert status == 401
    status, _ = post_update(
        online, text_update(4001, "what are dimples of venus"), secret="wrong-secret"
    )
    assert status == 403
    status, _ = post_update(online, text_update(4001, "hello"), secret=SECRET[:-1])
    assert status == 403
    say(online, 4002, "hello")  # handled synchronously: anything sent is there now
    assert online.fake.messages_to(4002)
    assert online.fake.messages_to(4001) == []


@server
def test_a_resent_update_is_answered_once(online):
    update = text_update(5001, "what are dimples of venus")
    assert post_update(online, update)[0] == 200
    answered = len(online.fake.messages_to(5001))
    assert answered >= 1
    assert post_update(online, update) == (200, "success")
    time.sleep(0.5)
    assert len(online.fake.messages_to(5001)) == answered


@server
def test_updates_that_make_the_handler_fail_get_200_and_the_bot_goes_on(online):
    # The user blocked the bot: sending the reply fails with 403.
    online.fake.blocked_chats.add(6001)
    assert post_update(online, text_update(6001, "hello")) == (200, "success")
    # Malformed updates.
    assert post_update(online, {"update_id": 6002, "message": "not an object"}) == (200, "success")
    assert post_update(online, None, raw=b"{not json") == (200, "success")
    assert post_update(online, {"update_id": 6003, "callback_query": {"id": "x"}}) == (
        200,
        "success",
    )
    # An update with nothing to answer (a channel post) is acknowledged and ignored.
    assert post_update(
        online,
        {
            "update_id": 6004,
            "channel_post": {
                "message_id": 1,
                "date": 1,
                "chat": {"id": -100, "type": "channel"},
                "text": "hi",
            },
        },
    ) == (200, "success")
    # The bot still answers everybody else.
    say(online, 6005, "what are dimples of venus")
    assert "Venus" in texts_to(online.fake, 6005)
    log = online.process.log_tail(10**7)
    assert "bot was blocked by the user" in log


@server
def test_slack_without_its_variables_answers_503_and_logged_once(online):
    status, body = http("POST", f"{online.url}/webhooks/slack/webhook", {"type": "event_callback"})
    assert status == 503
    assert "not_configured" in json.dumps(body) and "SLACK_SIGNING_SECRET" in json.dumps(body)
    log = online.process.log_tail(10**7)
    assert log.count("Slack channel is not configured") == 1


# -- without a server ----------------------------------------------------------------


@pytest.mark.parametrize(
    "token, secret, problem",
    [
        (None, None, "TELEGRAM_TOKEN and TELEGRAM_SECRET_TOKEN not set"),
        (TOKEN, None, "TELEGRAM_SECRET_TOKEN not set"),
        (TOKEN, "has spaces in it", "TELEGRAM_SECRET_TOKEN must be"),
        (TOKEN, "x" * 257, "TELEGRAM_SECRET_TOKEN must be"),
        ("not-a-token", SECRET, "TELEGRAM_TOKEN does not look like a bot token"),
        (TOKEN, SECRET, None),
    ],
)
def test_configuration_problems_are_reported_not_raised(monkeypatch, token, secret, problem):
    for name, value in (("TELEGRAM_TOKEN", token), ("TELEGRAM_SECRET_TOKEN", secret)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    channel = TelegramInput.from_credentials(None)
    if problem is None:
        assert channel.configured
    else:
        assert channel.problem.startswith(problem), channel.problem


def test_buttons_are_laid_out_to_fit_and_payloads_fit_telegram():
    fake = FakeTelegram(token=TOKEN).start()
    try:
        bot = TelegramOutput(TOKEN, fake.url)

        async def send():
            await bot.send_text_with_buttons(
                "7",
                "Yes or no?",
                [
                    {"title": "Yes", "payload": "/affirm"},
                    {"title": "No", "payload": "/deny"},
                    {"title": "Not sure", "payload": "/dont_know"},
                ],
            )
            await bot.send_text_with_buttons(
                "7",
                "Where is it?",
                [{"title": f"Choice {n}", "payload": f'/inform{{"n": {n}}}'} for n in range(5)],
            )
            await bot.send_text_with_buttons(
                "7", "Long?", [{"title": "A long one", "payload": "/inform" + "x" * 80}]
            )
            await bot.session.close()

        asyncio.run(send())
        short, many, long_payload = fake.messages_to(7)
        assert [len(row) for row in short.params["reply_markup"]["inline_keyboard"]] == [3]
        assert [len(row) for row in many.params["reply_markup"]["inline_keyboard"]] == [1] * 5
        assert telegram_buttons(long_payload) == [{"title": "A long one", "payload": "A long one"}]
    finally:
        fake.stop()
