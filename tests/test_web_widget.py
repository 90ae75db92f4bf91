"""The web chat page in a real browser, against the real stack.

Debian's Chromium (/usr/bin/chromium, installed by scripts/system_deps.py) driven
by Python Playwright; the Rasa server `./assistant web` runs (the web chat channel of
credentials.yml, channels.webchat.WebChatInput, which serves the page itself), shared
with tests/test_security.py.

Also here, without a browser or a model: focused tests of WebChatInput's fix for
RasaHQ/rasa#13027 (the socket must join the room named after its session id),
and of the routes it adds. Screenshots go to $TEST_ARTIFACTS or artifacts/.
"""

import asyncio
import gc
import itertools
import json
import os
import re
import sqlite3
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List
from unittest.mock import AsyncMock

import pytest

from scripts.processes import ROOT, Process, free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The same options as credentials.yml.
WEBCHAT = {
    "user_message_evt": "user_uttered",
    "bot_message_evt": "bot_uttered",
    "session_persistence": True,
}
TIMEOUT_MS = 30_000
# A bot message (the typing indicator is a .rw-response too, outside the groups).
BOT = ".rw-group-message.rw-from-response .rw-response"


def artifacts() -> Path:
    directory = Path(os.environ.get("TEST_ARTIFACTS") or ROOT / "artifacts")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


# --- WebChatInput without a server ---------------------------------------------


def _session_request(connector):
    """Connect a fake client, send `session_request`; return (its rooms, sid, emit call)."""

    async def scenario():
        sio = connector.sio
        sid = await sio.manager.connect("engineio-sid-1", "/")
        sio.emit = AsyncMock()  # no real socket behind the fake client
        await sio.handlers["/"]["session_request"](sid, {"session_id": "browser-session-42"})
        await asyncio.sleep(0)
        return sio.rooms(sid), sid, sio.emit.await_args

    with warnings.catch_warnings():
        # The stock handler leaves a coroutine that is never awaited.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = asyncio.run(scenario())
        gc.collect()
    return result


def test_webchat_input_awaits_enter_room_so_replies_reach_the_browser():
    from channels.webchat import WebChatInput

    connector = WebChatInput.from_credentials(WEBCHAT)
    connector.blueprint(AsyncMock())
    rooms, sid, emitted = _session_request(connector)
    assert "browser-session-42" in rooms, "the socket did not join its session's room"
    assert emitted.args == ("session_confirm", "browser-session-42")
    assert emitted.kwargs["room"] == sid


def test_stock_socketio_connector_never_joins_the_room():
    """RasaHQ/rasa#13027 with the installed rasa and python-socketio.

    If this fails, the stock connector works again and WebChatInput's
    session_request override can go (docs/channels/web.md).
    """
    from rasa.core.channels.socketio import SocketIOInput

    connector = SocketIOInput.from_credentials(WEBCHAT)
    connector.blueprint(AsyncMock())
    rooms, sid, _ = _session_request(connector)
    assert rooms == [sid]


_apps = itertools.count()


@pytest.mark.parametrize(
    "page_path, expected",
    [
        (None, {"chat", "chat/", "chat/page.js", "chat/webchat.js", "chat/pictures.json"}),
        ("", set()),  # turned off
    ],
)
def test_one_server_serves_both_the_socket_and_the_page(page_path, expected):
    from rasa.core.channels import channel as rasa_channel
    from sanic import Sanic

    from channels.webchat import WebChatInput

    credentials = dict(WEBCHAT) if page_path is None else {**WEBCHAT, "page_path": page_path}
    connector = WebChatInput.from_credentials(credentials)
    assert WebChatInput.name() == "socketio" and connector.url_prefix() == "socketio"
    app = Sanic(f"webchat_routes_{next(_apps)}")
    rasa_channel.register([connector], app, route="/webhooks/")
    paths = {route.path.rstrip("/") or "/" for route in app.router.routes}
    assert {"webhooks/socketio", "socket.io"} <= paths
    assert {route.path for route in app.router.routes if route.path.startswith("chat")} == expected


# --- the browser -----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `python -m scripts.system_deps` (./assistant test does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def web_server(web_chat_server):
    """The session's web chat server: the page and its socket as `./assistant web` serves
    them (the web chat channel of credentials.yml)."""
    return web_chat_server


def stored_events(database: Path, sender: str) -> List[Dict[str, Any]]:
    """A conversation's events as the tracker store keeps them (the server has no HTTP API)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)
        ).fetchall()
    return [json.loads(data) for (data,) in rows]


class Chat:
    """The chat page in one browser tab, seen the way a user sees it."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.loaded: list[
            str
        ] = []  # URLs the browser actually fetched (not those blocked by the page's CSP)
        page.on("requestfinished", lambda request: self.loaded.append(request.url))
        page.set_default_timeout(TIMEOUT_MS)

    def open(self) -> "Chat":
        self.page.goto(f"{self.base_url}/chat/")
        self.bot_messages.first.wait_for()  # the greeting (initPayload "/greet")
        self.settle()
        return self

    @property
    def bot_messages(self):
        return self.page.locator(BOT)

    def bot_text(self) -> str:
        return "\n".join(self.bot_messages.all_inner_texts())

    def wait_for_bot(self, words: str, timeout_ms: int = TIMEOUT_MS) -> None:
        """Wait until a bot message contains `words` (case-insensitive)."""
        self.page.locator(BOT, has_text=re.compile(re.escape(words), re.I)).first.wait_for(
            timeout=timeout_ms
        )

    def type(self, text: str) -> None:
        """Type a message, press Enter; wait until the bot has answered."""
        before = self.bot_messages.count()
        box = self.page.get_by_role("textbox", name="Your message to the assistant")
        box.fill(text)
        box.press("Enter")
        self.wait_for_answer(before)

    def last_question_buttons(self):
        """The quick-reply buttons (rasa-webchat shows only the newest message's)."""
        return self.page.locator(".rw-messages-container .rw-reply")

    def click(self, name: str) -> None:
        """Click a button of the newest question; wait until the bot has answered."""
        before = self.bot_messages.count()
        self.last_question_buttons().filter(
            has_text=re.compile(f"^{re.escape(name)}$")
        ).first.click()
        self.wait_for_answer(before)

    def wait_for_answer(self, before: int) -> None:
        """Wait for a bot message after the `before`-th, then for the rest of the turn."""
        self.page.wait_for_function(
            "([sel, n]) => document.querySelectorAll(sel).length > n", arg=[BOT, before]
        )
        self.settle()

    def settle(self, quiet_ms: int = 500) -> None:
        """Wait until the widget shows no typing dots and no new message for `quiet_ms`.

        rasa-webchat shows a turn's messages one by one (page.js: at most 0.8 s
        apart), with typing dots until the last one is shown.
        """
        typing = self.page.locator(".rw-typing-indication")
        count, since = self.bot_messages.count(), time.monotonic()
        deadline = since + TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
            now = self.bot_messages.count()
            if now != count or typing.count():
                count, since = now, time.monotonic()
            elif (time.monotonic() - since) * 1000 >= quiet_ms:
                return
        raise AssertionError("the bot kept typing:\n" + self.bot_text())

    def answer_screening(self, choose, limit: int = 25) -> str:
        """Click `choose(question, buttons)` until it returns None; return all bot text.

        `choose` gets the newest bot message and its button titles.
        """
        for _ in range(limit):
            self.settle()
            buttons = self.last_question_buttons().all_inner_texts()
            answer = choose(self.bot_messages.last.inner_text(), buttons) if buttons else None
            if answer is None:
                return self.bot_text()
            self.click(answer)
        raise AssertionError("the screening did not end:\n" + self.bot_text())

    def press_by_keyboard(self, name: str) -> None:
        """Focus a button of the newest question and press Enter, as a keyboard user."""
        before = self.bot_messages.count()
        self.last_question_buttons().filter(
            has_text=re.compile(f"^{re.escape(name)}$")
        ).first.focus()
        self.page.keyboard.press("Enter")
        self.wait_for_answer(before)

    def scroll_to(self, words: str) -> None:
        """Scroll the message list (not the page) so the bot message with `words` is on top."""
        self.bot_messages.filter(has_text=words).last.evaluate(
            """e => { const list = e.closest('.rw-messages-container');
                      list.scrollTop += e.getBoundingClientRect().top
                                        - list.getBoundingClientRect().top - 8; }"""
        )

    def screenshot(self, name: str) -> Path:
        path = artifacts() / name
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def third_party_requests(self):
        return [
            url
            for url in self.loaded
            if not url.startswith(self.base_url) and not url.startswith("data:")
        ]


@pytest.fixture
def chat(browser, web_server):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-GB")
    yield Chat(context.new_page(), web_server.url)
    context.close()


@pytest.fixture
def phone_chat(browser, web_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
    )
    yield Chat(context.new_page(), web_server.url)
    context.close()


@pytest.mark.server
def test_page_explains_itself_and_answers_a_typed_faq_question(chat):
    chat.open()
    page = chat.page
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Back dimples assistant"
    assert page.get_by_role("main").count() == 1
    intro = page.locator("header").inner_text()
    assert "sacral dimple" in intro and "not a diagnosis" in intro
    # the greeting's buttons are real buttons for assistive technology and the keyboard
    assert page.get_by_role("button", name="Check a dimple").count() >= 1

    chat.type("what are back dimples?")
    chat.wait_for_bot("Venus")
    assert page.locator(".rw-client", has_text="what are back dimples?").count() == 1
    chat.screenshot("web-faq.png")
    assert chat.third_party_requests() == []


# Buttons of the opening questions, for a young baby with one dimple low in the middle.
NEWBORN = ["My baby, under 6 months", "Low, in the middle"]


def newborn_then(yes_when=lambda question: False, pick=None):
    """A chooser for Chat.answer_screening: the NEWBORN openers, then "None of these" to
    each group of signs, or "Yes, one or more" where `yes_when(question)`, the button
    `pick` under "Which ones?", and "Stop here" once the advice is settled."""

    def choose(question, buttons):
        for title in NEWBORN:
            if title in buttons:
                return title
        if pick in buttons:
            return pick
        if "Stop here" in buttons:
            return "Stop here"
        if "None of these" in buttons:
            return "Yes, one or more" if yes_when(question) else "None of these"
        if "No" in buttons:
            return "Yes" if yes_when(question) else "No"
        return None  # no question left: the outcome

    return choose


@pytest.mark.server
def test_simple_dimple_screening_by_buttons_is_reassured(chat):
    chat.open()
    chat.type("my newborn has a dimple at the bottom of her back")
    buttons = chat.last_question_buttons().all_inner_texts()
    if not set(buttons) & {*NEWBORN, "None of these"}:
        chat.click("Check a dimple")  # the sentence did not start the check
    if "Low, in the middle" in chat.last_question_buttons().all_inner_texts():
        chat.press_by_keyboard("Low, in the middle")
    outcome = chat.answer_screening(newborn_then())
    assert "simple sacral dimple" in outcome
    assert "not a diagnosis" in outcome.lower()
    chat.scroll_to("simple sacral dimple")
    chat.screenshot("web-screening.png")
    assert chat.third_party_requests() == []


@pytest.mark.server
def test_hair_tuft_screening_on_a_phone_advises_a_doctor(phone_chat):
    chat = phone_chat.open()
    page = chat.page
    # nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    chat.click("Check a dimple")
    if chat.last_question_buttons().count():
        # the question's buttons, as buttons for assistive technology too
        titles = chat.last_question_buttons().all_inner_texts()
        assert page.get_by_role("button", name=titles[0], exact=True).count() == 1
        chat.screenshot("web-mobile-buttons.png")
    outcome = chat.answer_screening(
        newborn_then(lambda question: "hair" in question.lower(), pick="Hair")
    )
    assert "see a doctor" in outcome
    assert "tuft of hair" in outcome.lower()
    chat.scroll_to("see a doctor")
    chat.screenshot("web-mobile.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.server
def test_conversation_survives_a_reload_and_carries_on(chat, web_server):
    chat.open()
    page = chat.page
    chat.type("what are back dimples?")
    chat.wait_for_bot("Venus")
    shown = chat.bot_messages.all_inner_texts()
    session = page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")

    page.reload()
    chat.wait_for_bot("Venus", timeout_ms=10_000)  # from browser storage, not sent again
    assert page.locator(".rw-client", has_text="what are back dimples?").count() == 1
    chat.settle()
    assert chat.bot_messages.all_inner_texts() == shown  # nothing lost, nothing sent again
    assert page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id") == session

    # the reloaded page's new socket joins the same session: replies still arrive
    before = chat.bot_messages.count()
    chat.click("Check a dimple") if chat.last_question_buttons().count() else chat.type(
        "check a dimple"
    )
    assert chat.bot_messages.count() > before
    chat.wait_for_bot("Who has the dimple?")
    # ... and it is one conversation for Rasa, kept under the browser's session id
    events = stored_events(web_server.tracker_db, session)
    said = [e.get("text") for e in events if e["event"] == "user"]
    assert "what are back dimples?" in said
    assert any(e["event"] == "user" and e.get("input_channel") == "socketio" for e in events)


# --- the bug, end to end ------------------------------------------------------------

# A Rasa-free echo bot behind a Socket.IO connector (stock or fixed), serving our page.
ECHO_SERVER = r"""
import sys
from sanic import Sanic
from rasa.core.channels.socketio import SocketIOInput
from channels.webchat import DEFAULT_WEB_DIR, WebChatInput, add_page_routes

kind, port = sys.argv[1], int(sys.argv[2])
connector = (SocketIOInput if kind == "stock" else WebChatInput).from_credentials(
    {"session_persistence": True, "page_path": ""})
app = Sanic("echo_" + kind)

async def on_new_message(message):
    print("received:", message.text, flush=True)
    await message.output_channel.send_text_message(message.sender_id, "echo: " + message.text)

app.blueprint(connector.blueprint(on_new_message), url_prefix="/webhooks/socketio")
add_page_routes(app, "/chat", DEFAULT_WEB_DIR)
app.run(host="127.0.0.1", port=port, access_log=False)
"""


@pytest.mark.server
@pytest.mark.parametrize("kind", ["stock", "fixed"])
def test_replies_reach_the_browser_only_with_the_fixed_connector(kind, browser, log_dir):
    port = free_port()
    server = Process(
        f"echo-{kind}-{port}", [sys.executable, "-c", ECHO_SERVER, kind, str(port)], log_dir
    )
    server.start()
    context = browser.new_context()
    try:
        server.wait_until(f"http://127.0.0.1:{port}/webhooks/socketio/", timeout=60)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/chat/")
        deadline = time.monotonic() + 20
        while "received: /greet" not in server.log_tail() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "received: /greet" in server.log_tail(), "the widget's first message never arrived"
        echo = page.locator(BOT, has_text="echo: /greet")
        if kind == "fixed":
            echo.wait_for(timeout=10_000)
        else:
            page.wait_for_timeout(3_000)
            assert echo.count() == 0 and page.locator(BOT).count() == 0
    finally:
        context.close()
        server.stop()


# --- pictures and the summary's Copy and Print (issue 10 parts 2 and 5) -------------------


@pytest.fixture
def small_phone_chat(browser, web_server):
    """A small phone: 360 x 740 CSS pixels, with the page allowed to use the clipboard."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_server.url)
    yield Chat(context.new_page(), web_server.url)
    context.close()


def shown_picture(chat: Chat, path: str) -> Dict[str, Any]:
    """The picture with URL `path` scrolled into view: what a person sees of it."""
    picture = chat.page.locator(f"img.rw-image-frame[src='{path}']")
    assert picture.count() == 1, f"{path} shown {picture.count()} times"
    picture.scroll_into_view_if_needed()
    chat.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
    )
    return picture.evaluate(
        """img => { const box = img.getBoundingClientRect();
                    return { alt: img.alt, naturalWidth: img.naturalWidth,
                             left: box.left, right: box.right, top: box.top,
                             bottom: box.bottom, width: box.width,
                             viewportWidth: window.innerWidth,
                             viewportHeight: window.innerHeight }; }"""
    )


def comes_before(chat: Chat, path: str, question: str) -> bool:
    """True if the picture is shown above the bot message that contains `question`."""
    return chat.page.evaluate(
        """([path, question]) => {
             const img = document.querySelector(`img.rw-image-frame[src='${path}']`);
             const text = [...document.querySelectorAll('.rw-response')]
               .find(e => e.innerText.includes(question));
             return !!(img && text &&
                       (img.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING));
           }""",
        [path, question],
    )


@pytest.mark.server
def test_pictures_show_with_their_alt_text_on_a_small_phone_and_the_summary_copies_and_prints(
    small_phone_chat,
):
    from channels.images import DEPTH_SIZE, POSITION

    chat = small_phone_chat.open()
    page = chat.page
    chat.click("Check a dimple")
    outcome = chat.answer_screening(newborn_then())  # "None of these" to every group
    assert "simple sacral dimple" in outcome

    for picture, question in ((POSITION, "Where is it?"), (DEPTH_SIZE, "Now the dimple itself")):
        seen = shown_picture(chat, picture.path)
        assert seen["alt"] == picture.alt
        assert seen["naturalWidth"] >= 600
        # the whole picture fits the phone's width and, scrolled to, its height
        assert seen["left"] >= 0 and seen["right"] <= seen["viewportWidth"] == 360
        assert seen["width"] >= 200, "too small to read"
        assert seen["top"] >= 0 and seen["bottom"] <= seen["viewportHeight"]
        assert comes_before(chat, picture.path, question)
        if picture is POSITION:
            chat.screenshot("web-picture-phone.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the pictures come from this server only
    assert chat.third_party_requests() == []

    # Part 5: Copy and Print under the summary, real buttons with names
    summary = page.locator(".rw-response", has_text="Summary of your answers").last
    summary_text = summary.inner_text().strip()
    assert summary_text.startswith("Summary of your answers, to show a doctor or nurse:")
    copy = page.get_by_role("button", name="Copy the summary")
    print_button = page.get_by_role("button", name="Print the summary")
    assert copy.count() == 1 and print_button.count() == 1
    copy.scroll_into_view_if_needed()
    chat.screenshot("web-summary-tools.png")

    copy.click()
    page.wait_for_function(
        "() => document.getElementById('chat-status').textContent.includes('copied')"
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Summary of your answers") and "hair" in copied.lower()
    assert "Copy" not in copied and "Where is it?" not in copied

    # Without the Clipboard API (an old browser, a page not served over HTTPS)
    page.evaluate(
        """() => { Object.defineProperty(navigator, 'clipboard', {value: undefined});
                   document.getElementById('chat-status').textContent = '';
                   const copy = document.execCommand.bind(document);
                   window.__copied = [];
                   document.execCommand = (name) => {
                     window.__copied.push([name, document.activeElement.value]);
                     return copy(name); }; }"""
    )
    copy.focus()
    page.keyboard.press("Enter")  # by keyboard
    page.wait_for_function(
        "() => document.getElementById('chat-status').textContent.includes('copied')"
    )
    assert page.evaluate("window.__copied") == [["copy", copied]]

    # Print: the browser's print dialog, with only the summary on the page
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    print_button.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    printed = page.evaluate("document.body.innerText")
    assert "Summary of your answers" in printed and "hair" in printed.lower()
    assert "Where is it?" not in printed and "Back dimples assistant: summary" in printed
    assert not page.locator("main").is_visible()
    page.emulate_media(media="screen")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("main").is_visible() and not page.locator("#print-summary").is_visible()


@pytest.mark.server
@pytest.mark.parametrize(
    "path, status",
    [
        ("/images/dimple-position.png", 200),
        ("/images/dimple-depth-size.png", 200),
        ("/images/nothing.png", 404),
        ("/images/dimple-position.svg", 404),
        ("/images/../domain.yml", 404),
        ("/images/..%2fdomain.yml", 404),
        ("/images/%2e%2e/domain.yml", 404),
        ("/images/..%2f..%2fdomain.yml", 404),
    ],
)
def test_the_server_serves_only_the_registered_pictures(web_server, path, status):
    """Over real HTTP, the path sent as written (http.client does not tidy `..`)."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(web_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        body = answer.read()
    finally:
        connection.close()
    assert answer.status == status, body[:200]
    if status == 200:
        assert answer.getheader("Content-Type") == "image/png"
        assert "max-age" in (answer.getheader("Cache-Control") or "")
        assert body == (ROOT / "web" / path.lstrip("/")).read_bytes()
    else:
        assert b"intents:" not in body and not body.startswith(b"\x89PNG")
