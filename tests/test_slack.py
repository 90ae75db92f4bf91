"""The Slack channel, end to end: signed Slack requests go to a real Rasa server
(with the action server); the replies are read from a local stand-in of the
Slack Web API (tests/fake_platforms.py) that SLACK_API_URL points at.

The same server also lists the Telegram channel without its variables, to show
that an unconfigured channel answers 503 and does not stop the server.
"""

import hashlib
import hmac
import itertools
import json
import re
import time
import urllib.parse
from typing import Any, Dict, List, Optional

import pytest

from channels.env import SeenCache
from channels.images import POSITION
from channels.slack import SlackInput
from scripts.processes import RasaServer, http
from tests.fake_platforms import Call, FakeSlack, slack_buttons

server = pytest.mark.server  # the tests that start Rasa (about a minute)

SIGNING_SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
BOT_USER = "UBOT"
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def slack(model_path, action_server, log_dir):
    fake = FakeSlack(token=TOKEN, bot_user_id=BOT_USER).start()
    server = RasaServer(
        model_path,
        action_server,
        log_dir,
        credentials={
            "rest": None,
            "channels.slack.SlackInput": None,
            "channels.telegram.TelegramInput": None,
        },
        env={
            "SLACK_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url,
            "PUBLIC_BASE_URL": "",  # no public address: pictures come in words
            # A channel where every message is answered (not only mentions).
            "SLACK_CHANNEL": "C500",
            # Telegram listed but not configured; no proxy between us and the fake.
            "TELEGRAM_TOKEN": "",
            "TELEGRAM_SECRET_TOKEN": "",
            "HTTPS_PROXY": "",
            "https_proxy": "",
            "HTTP_PROXY": "",
            "http_proxy": "",
            "RASA_TELEMETRY_ENABLED": "false",
        },
    ).start()
    server.fake = fake
    yield server
    server.stop()
    fake.stop()


# -- building Slack's requests -------------------------------------------------


def signed_headers(
    body: bytes, content_type: str, timestamp: Optional[int] = None, secret: str = SIGNING_SECRET
) -> Dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:".encode() + body
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": signature,
    }


def message_event(
    text: str,
    user: str,
    channel: str,
    kind: str = "message",
    channel_type: str = "im",
    ts: Optional[str] = None,
    **extra: Any,
) -> Dict[str, Any]:
    n = next(_ids)
    event = {
        "type": kind,
        "user": user,
        "text": text,
        "channel": channel,
        "ts": ts or f"{int(time.time())}.{n:06d}",
        "event_ts": f"{int(time.time())}.{n:06d}",
    }
    if kind == "message":
        event["channel_type"] = channel_type
    event.update(extra)
    return {
        "token": "legacy-verification-token",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": f"Ev{n:08d}",
        "event_time": int(time.time()),
        "event": event,
        "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}],
    }


def post_event(
    server: RasaServer,
    payload: Dict[str, Any],
    headers: Optional[Dict[str, str]] = None,
    sign: bool = True,
    **sign_args: Any,
):
    body = json.dumps(payload).encode()
    all_headers = (
        signed_headers(body, "application/json", **sign_args)
        if sign
        else {"Content-Type": "application/json"}
    )
    all_headers.update(headers or {})
    return http("POST", f"{server.url}/webhooks/slack/webhook", body, all_headers)


def click(server: RasaServer, user: str, channel: str, question, title: str):
    """Click the button `title` under the bot's message `question` (a recorded call)."""
    button = next(b for b in slack_buttons(question) if b["title"] == title)
    ts = question.result["ts"]
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "parent"},
        "api_app_id": "A1",
        "team": {"id": "T1"},
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel, "name": "directmessage"},
        "message": {
            "type": "message",
            "user": BOT_USER,
            "bot_id": "BBOT",
            "ts": ts,
            "text": question.params.get("text"),
            "blocks": question.params.get("blocks"),
        },
        "trigger_id": f"trigger-{next(_ids)}",
        "response_url": "http://127.0.0.1:9/unused",
        "actions": [
            {
                "type": "button",
                "action_id": "a1",
                "block_id": "b1",
                "text": {"type": "plain_text", "text": title},
                "value": button["payload"],
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    return http(
        "POST",
        f"{server.url}/webhooks/slack/webhook",
        body,
        signed_headers(body, "application/x-www-form-urlencoded"),
    )


def say(server: RasaServer, user: str, channel: str, text: str, **event_args: Any) -> None:
    status, body = post_event(server, message_event(text, user, channel, **event_args))
    assert status == 200, (status, body)


def texts_to(fake: FakeSlack, channel: str) -> str:
    return "\n".join(c.params.get("text", "") for c in fake.messages_to(channel))


def settle(server: RasaServer, seconds: float = 1.5) -> None:
    """Let anything the server might still send arrive, by making it answer a
    message of its own and waiting a little after that."""
    channel = f"DSETTLE{next(_ids)}"
    say(server, f"USETTLE{next(_ids)}", channel, "hello")
    server.fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == channel)
    time.sleep(seconds)


# -- tests -----------------------------------------------------------------------


@server
def test_faq_question_gets_the_answer_in_the_same_dm(slack):
    say(slack, "U100", "D100", "what are dimples of venus")
    reply = slack.fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "D100")
    time.sleep(0.5)  # the answer may come in several messages
    assert "Venus" in texts_to(slack.fake, "D100")
    # Nothing the fake refused (Slack refuses `as_user` from new apps' bot tokens).
    assert "as_user" not in reply.params
    assert all(c.headers.get("Authorization") == f"Bearer {TOKEN}" for c in slack.fake.calls)


def next_question(fake: FakeSlack, channel: str, seen: list):
    """The next bot message with buttons in `channel` that is not in `seen`."""
    known = {id(c) for c in seen}
    call = fake.wait_for(
        "chat.postMessage",
        lambda c: (
            c.params.get("channel") == channel and bool(slack_buttons(c)) and id(c) not in known
        ),
    )
    seen.append(call)
    return call


# The buttons of a grouped question ("Do you see any of these?").
GROUP_ANSWERS = {"None of these", "Yes, one or more", "Not sure"}


@server
def test_screening_question_comes_with_buttons_and_a_click_continues(slack):
    user, channel = "U200", "D200"
    seen: List[Call] = []
    say(slack, user, channel, "my baby has a dimple, can you check it?")
    question = next_question(slack.fake, channel, seen)
    # The first question of the check. "my baby" may already answer "Who has the
    # dimple?", and then the bot goes straight on to where it is.
    assert re.search(r"Who has the dimple|Where is it", question.params["text"]), question.params
    titles = [b["title"] for b in slack_buttons(question)]
    assert len(titles) >= 3, titles  # answer choices, as buttons
    # Slack shows buttons only as blocks: a section with the text, then the buttons.
    assert question.params["blocks"][0]["text"]["text"] == question.params["text"]

    # Click through with the buttons until a yes / no / not sure question.
    asked = [question.params["text"]]
    for _ in range(6):
        titles = [b["title"] for b in slack_buttons(question)]
        if set(titles) >= GROUP_ANSWERS:
            break
        status, _ = click(slack, user, channel, question, titles[0])
        assert status == 200
        question = next_question(slack.fake, channel, seen)
        assert question.params["text"] not in asked, "the dialogue did not move on"
        asked.append(question.params["text"])
    assert {b["title"] for b in slack_buttons(question)} >= GROUP_ANSWERS, asked

    # "Where is it?" has a picture; without PUBLIC_BASE_URL Slack cannot fetch it, so
    # its description comes in words, just before the question and its buttons.
    to_channel = slack.fake.messages_to(channel)
    words = next(i for i, c in enumerate(to_channel) if c.params.get("text") == POSITION.alt)
    assert not to_channel[words].params.get("blocks")
    assert len(slack_buttons(to_channel[words + 1])) >= 4

    # Answering "None of these" by button moves on to another question.
    status, _ = click(slack, user, channel, question, "None of these")
    assert status == 200
    following = next_question(slack.fake, channel, seen)
    assert following.params["text"] != question.params["text"]
    # The clicked question now shows the choice instead of live buttons.
    update = slack.fake.wait_for(
        "chat.update", lambda c: c.params.get("ts") == question.result["ts"]
    )
    assert "You chose: *None of these*" in json.dumps(update.params["blocks"])
    assert not [b for b in update.params["blocks"] if b["type"] == "actions"]


@server
def test_url_verification_challenge(slack):
    status, body = post_event(
        slack, {"type": "url_verification", "token": "x", "challenge": "chal-123"}
    )
    assert (status, body) == (200, {"challenge": "chal-123"})


@server
def test_unsigned_wrongly_signed_and_old_requests_are_rejected_and_not_answered(slack):
    event = message_event("what are dimples of venus", "U300", "D300")
    status, _ = post_event(slack, event, sign=False)
    assert status == 401
    status, _ = post_event(slack, event, secret="not-the-secret")
    assert status == 403
    body = json.dumps(event).encode()
    tampered = signed_headers(body, "application/json")
    status, _ = http(
        "POST", f"{slack.url}/webhooks/slack/webhook", body.replace(b"venus", b"VENUS"), tampered
    )
    assert status == 403
    status, _ = post_event(slack, event, timestamp=int(time.time()) - 6 * 60)
    assert status == 403
    # The same correctly signed event, 6 minutes old: a replay.
    status, _ = post_event(
        slack, message_event("hello", "U301", "D301"), timestamp=int(time.time()) - 6 * 60
    )
    assert status == 403
    settle(slack)
    assert slack.fake.messages_to("D300") == []
    assert slack.fake.messages_to("D301") == []


@server
def test_a_retried_event_is_answered_once(slack):
    event = message_event("what are dimples of venus", "U400", "D400")
    status, _ = post_event(slack, event)
    assert status == 200
    slack.fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "D400")
    time.sleep(0.5)
    answered = len(slack.fake.messages_to("D400"))
    for number, reason in ((1, "http_timeout"), (2, "http_error"), (3, "unknown_error")):
        status, _ = post_event(
            slack, event, headers={"X-Slack-Retry-Num": str(number), "X-Slack-Retry-Reason": reason}
        )
        assert status == 200
    settle(slack)
    assert len(slack.fake.messages_to("D400")) == answered


@server
def test_a_mention_is_answered_once_even_with_message_and_app_mention_events(slack):
    ts = f"{int(time.time())}.777777"
    text = f"<@{BOT_USER}> what are dimples of venus"
    as_message = message_event(text, "U500", "C500", kind="message", channel_type="channel", ts=ts)
    as_mention = message_event(text, "U500", "C500", kind="app_mention", ts=ts)
    # Both kinds pass the channel filter (C500 is SLACK_CHANNEL); order varies.
    assert post_event(slack, as_message)[0] == 200
    assert post_event(slack, as_mention)[0] == 200
    slack.fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C500")
    settle(slack)
    replies = texts_to(slack.fake, "C500")
    assert replies.count("Venus") >= 1
    first = slack.fake.messages_to("C500")[0].params["text"]
    assert replies.count(first) == 1, replies


@server
def test_bot_messages_and_edits_are_not_answered(slack):
    say(
        slack,
        "UOTHERBOT",
        "D600",
        "what are dimples of venus",
        bot_id="B999",
        subtype="bot_message",
    )
    say(slack, BOT_USER, "D601", "Who has the dimple?")
    say(slack, "U602", "D602", "what are dimples of venus", subtype="message_changed")
    settle(slack)
    for channel in ("D600", "D601", "D602"):
        assert slack.fake.messages_to(channel) == [], channel


@server
def test_telegram_without_its_variables_answers_503_and_logged_once(slack):
    status, body = http("POST", f"{slack.url}/webhooks/telegram/webhook", {"update_id": 1})
    assert status == 503
    assert "not_configured" in json.dumps(body) and "TELEGRAM_TOKEN" in json.dumps(body)
    assert "Traceback" not in json.dumps(body)
    log = slack.process.log_tail(10**7)
    assert log.count("Telegram channel is not configured") == 1, log[-3000:]
    # The configured channels still work.
    assert slack.send("U700", "hello")


# -- without a server ----------------------------------------------------------------


def test_seen_cache_remembers_each_id_once_and_is_bounded():
    cache = SeenCache(max_size=3, ttl=3600)
    assert cache.first_time("event:1", "message:C:1")
    assert not cache.first_time("event:1")
    assert not cache.first_time("event:2", "message:C:1")  # same message, other event
    assert not cache.first_time("event:2")  # remembered through its sibling
    for n in range(3, 10):
        assert cache.first_time(f"event:{n}")
    assert len(cache) == 3
    assert cache.first_time("event:1")  # forgotten: the cache stays small
    expiring = SeenCache(ttl=0)
    assert expiring.first_time("a")
    time.sleep(0.01)
    assert expiring.first_time("a")


def test_secrets_come_from_the_environment_only(monkeypatch, caplog):
    for name in ("SLACK_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CHANNEL", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    channel = SlackInput.from_credentials(
        {"slack_token": "xoxb-in-file", "slack_signing_secret": "in-file"}
    )
    assert not channel.configured
    assert channel.missing == ["SLACK_TOKEN", "SLACK_SIGNING_SECRET"]
    assert "ignoring slack_signing_secret, slack_token in credentials.yml" in caplog.text
    assert caplog.text.count("Slack channel is not configured") == 1

    monkeypatch.setenv("SLACK_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", " s3cret ")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    channel = SlackInput.from_credentials(None)
    assert channel.configured
    assert (channel.slack_token, channel.slack_signing_secret) == ("xoxb-1", "s3cret")
    assert channel.get_output_channel("D1").client.base_url == "http://127.0.0.1:9/api/"


@server
def test_a_bare_mention_of_the_bot_gets_the_greeting(slack):
    """ "@bot" with nothing else: after the mention is taken out the text is empty, which
    Rasa's NLU cannot read; the person is greeted, as for "hello"."""
    say(slack, "U700", "D700", f"<@{BOT_USER}>")
    slack.fake.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "D700")
    assert "I can answer questions about back dimples" in texts_to(slack.fake, "D700")
