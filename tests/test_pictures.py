"""The pictures (issue 10): the registry, serving them, and how each channel sends them.

No model and no Rasa server: the routes are looked up in a Sanic app as Rasa builds it,
and the output channels talk to the local stand-ins of the Telegram and Slack APIs
(tests/fake_platforms.py). The web chat in a real browser is in tests/test_web_widget.py.
"""

import asyncio
import itertools
import struct
from typing import Any, Dict, List
from unittest.mock import AsyncMock

import pytest

from channels.images import (
    DEPTH_SIZE,
    PICTURES,
    POSITION,
    alt_text_line,
    picture_for,
    pictures_first,
)
from tests.fake_platforms import FakeSlack, FakeTelegram, slack_buttons, telegram_buttons

# The answers of the "where is it?" question, as agreed with the question flow: the
# picture's letters and labels are these, word for word.
POSITION_LABELS = {
    "A": "Low, in the middle",
    "B": "Two, one each side",
    "C": "Higher up, in the middle",
    "D": "Off to one side",
    "E": "More than one in the middle",
}
QUESTION: Dict[str, Any] = {
    "text": "Where is it? Pick the one that fits best.",
    "buttons": [
        {"title": t, "payload": f'/inform{{"p": "{k}"}}'} for k, t in POSITION_LABELS.items()
    ],
    "image": POSITION.path,
}


def png_size(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


# --- the registry ---------------------------------------------------------------------


@pytest.mark.parametrize("picture", list(PICTURES.values()), ids=lambda p: p.name)
def test_every_picture_is_a_small_readable_png_with_words_for_it(picture):
    data = picture.file.read_bytes()
    width, height = png_size(data)
    assert len(data) < 100_000, f"{picture.name} is {len(data):,} bytes"
    # drawn at 600 px: sharp at a phone's 2x in a 300 px wide message
    assert width >= 600 and height >= 500
    assert picture.file.with_suffix(".svg").is_file(), "the drawing's source is missing"
    assert picture.path == "/images/" + picture.file.name
    assert len(picture.alt) > 200 and picture.alt.endswith(".")
    assert 0 < len(picture.caption) <= 100  # a short line under a Telegram photo


def test_the_position_picture_says_in_words_what_each_letter_shows():
    svg = POSITION.file.with_suffix(".svg").read_text()
    for letter, label in POSITION_LABELS.items():
        assert f"{letter}, {label}:" in POSITION.alt
        assert f">{letter}</text>" in svg
    for lines in (
        ["Low, in the middle"],
        ["Two, one each side"],
        ["Higher up,", "in the middle"],
        ["Off to one side"],
        ["More than one", "in the middle"],
    ):
        assert all(f">{line}</text>" in svg for line in lines), lines


def test_the_depth_and_size_picture_asks_both_questions():
    for words in ("Can you see its bottom?", "Is it bigger than a pea?", "5 mm"):
        assert words in DEPTH_SIZE.alt
        assert words in DEPTH_SIZE.file.with_suffix(".svg").read_text()


def test_the_responses_name_registered_pictures():
    from rasa.shared.core.domain import Domain

    from scripts.processes import ROOT

    domain = Domain.load(str(ROOT / "domain.yml"))
    named = {
        variant["image"]
        for variants in domain.responses.values()
        for variant in variants
        if variant.get("image")
    }
    assert named, "no response shows a picture"
    assert named <= set(PICTURES), named - set(PICTURES)


def test_a_picture_is_found_by_path_or_full_url_and_nothing_else():
    assert picture_for(POSITION.path) is POSITION
    assert picture_for("https://bot.example.org" + DEPTH_SIZE.path) is DEPTH_SIZE
    assert picture_for("/images/other.png") is None and picture_for(None) is None
    assert alt_text_line(POSITION.path) == f"[Picture: {POSITION.alt}]"
    assert alt_text_line("https://x.test/a.png") == "Image: https://x.test/a.png"


def test_a_picture_moves_before_its_question_and_only_there():
    question = {"text": "Where is it?", "buttons": [{"title": "Yes"}]}
    picture = {"image": POSITION.path}
    assert pictures_first([{"text": "Thanks."}, question, picture]) == [
        {"text": "Thanks."},
        picture,
        question,
    ]
    assert pictures_first([picture, question]) == [picture, question]
    assert pictures_first([picture]) == [picture]


# --- serving ----------------------------------------------------------------------------

_apps = itertools.count()


def app_with(*connectors):
    from rasa.core.channels import channel as rasa_channel
    from sanic import Sanic

    app = Sanic(f"pictures_{next(_apps)}")
    rasa_channel.register(list(connectors), app, route="/webhooks/")
    return app


def all_channels():
    from channels.rest import SafeRestInput
    from channels.slack import SlackInput
    from channels.telegram import TelegramInput
    from channels.webchat import WebChatInput

    return [
        WebChatInput.from_credentials({"session_persistence": True}),
        SlackInput.from_credentials(None),
        TelegramInput.from_credentials(None),
        SafeRestInput(),
    ]


def get(app, path: str):
    """Route `path` as the server would and call its handler; (status, headers, body)."""
    from sanic.exceptions import MethodNotSupported, NotFound

    if not app.router.finalized:
        app.router.finalize()
    try:
        _route, handler, params = app.router.get(path, "GET", None)
    except (NotFound, MethodNotSupported):
        return 404, {}, b""
    answer = asyncio.run(handler(None, **params))
    return answer.status, {"content-type": answer.content_type, **answer.headers}, answer.body


@pytest.mark.parametrize("index", range(4), ids=["webchat", "slack", "telegram", "rest"])
def test_any_one_of_our_channels_serves_the_pictures(index):
    app = app_with(all_channels()[index])
    status, headers, body = get(app, POSITION.path)
    assert status == 200 and body == POSITION.file.read_bytes()
    assert headers["content-type"] == "image/png"
    assert "max-age" in headers["Cache-Control"]


def test_all_channels_together_serve_them_once():
    app = app_with(*all_channels())
    routes = [r for r in app.router.routes if r.path.startswith("images")]
    assert len(routes) == 1
    assert get(app, DEPTH_SIZE.path)[0] == 200


@pytest.mark.parametrize(
    "path",
    [
        "/images/nothing.png",
        "/images/dimple-position.svg",
        "/images/../domain.yml",
        "/images/..%2fdomain.yml",
        "/images/%2e%2e%2fdomain.yml",
        "/images/",
        "/images/web/images/dimple-position.png",
    ],
)
def test_only_registered_pictures_are_served(path):
    app = app_with(*all_channels())
    status, _, body = get(app, path)
    assert status == 404 and b"intents" not in body


# --- the channels -----------------------------------------------------------------------


def test_web_chat_sends_the_picture_with_its_alt_text_before_the_question():
    from channels.webchat import WebChatOutput

    sio = AsyncMock()
    asyncio.run(WebChatOutput(sio, "bot_uttered").send_response("s1", dict(QUESTION)))
    sent = [call.args[1] for call in sio.emit.await_args_list]
    assert sent[0] == {
        "attachment": {"type": "image", "payload": {"src": POSITION.path, "alt": POSITION.alt}}
    }
    assert sent[1]["text"] == QUESTION["text"]
    assert [b["title"] for b in sent[1]["quick_replies"]] == list(POSITION_LABELS.values())
    assert len(sent) == 2


@pytest.fixture
def fake_telegram():
    fake = FakeTelegram(token="123456:TEST-token").start()
    yield fake
    fake.stop()


def test_telegram_uploads_the_png_with_a_caption_then_asks(fake_telegram):
    from channels.telegram import TelegramOutput

    async def send():
        bot = TelegramOutput(fake_telegram.token, fake_telegram.url)
        try:
            await bot.send_response("4242", dict(QUESTION))
        finally:
            await bot.session.close()

    asyncio.run(send())
    methods = [c.method for c in fake_telegram.calls]
    assert methods == ["sendPhoto", "sendMessage"]
    photo = fake_telegram.calls[0]
    filename, _content_type, data = photo.files["photo"]
    assert data == POSITION.file.read_bytes() and filename == "dimple-position.png"
    assert photo.params["caption"] == POSITION.caption
    assert str(photo.params["chat_id"]) == "4242"
    question = fake_telegram.calls[1]
    assert question.params["text"] == QUESTION["text"]
    assert [b["title"] for b in telegram_buttons(question)] == list(POSITION_LABELS.values())


@pytest.fixture
def fake_slack():
    fake = FakeSlack(token="xoxb-test-token").start()
    yield fake
    fake.stop()


def slack_send(fake: FakeSlack, public_base_url) -> List:
    from channels.slack import SlackBot

    bot = SlackBot(fake.token, "C1", api_url=fake.url, public_base_url=public_base_url)
    asyncio.run(bot.send_response("U1", dict(QUESTION)))
    return fake.messages_to("C1")


def test_slack_sends_an_image_block_from_the_public_address_then_asks(fake_slack):
    picture, question = slack_send(fake_slack, "https://bot.example.org/")
    assert picture.result.get("ts"), "Slack refused the image block"
    [block] = picture.params["blocks"]
    assert block == {
        "type": "image",
        "image_url": "https://bot.example.org/images/dimple-position.png",
        "alt_text": POSITION.alt,
    }
    assert question.params["text"] == QUESTION["text"]
    assert [b["title"] for b in slack_buttons(question)] == list(POSITION_LABELS.values())


def test_slack_without_a_public_address_sends_the_picture_in_words(fake_slack):
    picture, question = slack_send(fake_slack, None)
    assert picture.params["text"] == POSITION.alt
    assert not picture.params.get("blocks")
    assert slack_buttons(question)


def test_slack_reads_the_public_address_from_the_environment(monkeypatch):
    from channels.slack import SlackInput

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example.org")
    assert SlackInput.from_credentials(None).get_output_channel("C1").public_base_url == (
        "https://bot.example.org"
    )


@pytest.mark.parametrize("base", [None, "https://bot.example.org/"])
def test_rest_replies_put_the_picture_first_with_its_alt_text(monkeypatch, base):
    from channels.rest import PicturesFirstCollector

    if base:
        monkeypatch.setenv("PUBLIC_BASE_URL", base)
    else:
        monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    collector = PicturesFirstCollector()
    asyncio.run(collector.send_response("u1", dict(QUESTION)))
    picture, question = collector.messages
    assert picture["image"] == ("https://bot.example.org" if base else "") + POSITION.path
    assert picture["alt_text"] == POSITION.alt
    assert question["text"] == QUESTION["text"] and len(question["buttons"]) == 5


def test_the_shell_shows_a_picture_in_words_above_its_question(monkeypatch, capsys):
    from rasa.core.channels import console

    from scripts.shell import use_titled_buttons

    for name in (
        "_print_bot_output",
        "_get_user_input",
        "_send_message_receive_stream",
        "send_message_receive_block",
    ):
        monkeypatch.setattr(console, name, getattr(console, name))  # restored afterwards
    question = {k: v for k, v in QUESTION.items() if k != "image"}
    as_rasa_sends = [question, {"image": POSITION.path}]  # Rasa's REST channel's order

    async def block(*args: Any, **kwargs: Any) -> List[Dict[str, Any]]:
        return list(as_rasa_sends)

    async def stream(*args: Any, **kwargs: Any):
        for reply in as_rasa_sends:
            yield reply

    monkeypatch.setattr(console, "send_message_receive_block", block)
    monkeypatch.setattr(console, "_send_message_receive_stream", stream)
    use_titled_buttons()

    async def receive():
        streamed = [r async for r in console._send_message_receive_stream("url", "", "s", "hi")]
        return streamed, await console.send_message_receive_block("url", "", "s", "hi")

    streamed, blocked = asyncio.run(receive())
    # the buttons stay on the last reply, which the shell numbers
    assert streamed == blocked == [{"image": POSITION.path}, question]
    console._print_bot_output(streamed[0])
    shown = capsys.readouterr().out
    assert f"[Picture: {POSITION.alt}]" in shown and "/images/" not in shown


# --- over the REST channel, with the real model and action server -----------------------


@pytest.mark.server
def test_rest_replies_bring_the_picture_first_with_its_description(rasa_server):
    sender = "pictures-rest-1"
    rasa_server.send(sender, "/start_screening")
    rasa_server.send(sender, '/inform{"subject": "baby"}')
    replies = rasa_server.send(sender, '/inform{"age_months": 0.5}')
    picture = next(i for i, r in enumerate(replies) if r.get("image"))
    assert replies[picture]["image"] == POSITION.path
    assert replies[picture]["alt_text"] == POSITION.alt
    # the question and its buttons after it, last (what a client answers by button)
    assert replies[picture + 1 :] and replies[-1].get("buttons")
    assert not any(r.get("image") for r in replies[picture + 1 :])
