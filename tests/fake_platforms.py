"""Local stand-ins for the Slack Web API and the Telegram Bot API.

Each is a small aiohttp server on 127.0.0.1 (a free port, its own thread and
event loop) that records every API call the connector makes and answers like
the real API ({"ok": true, ...}). Tests point SLACK_API_URL / TELEGRAM_API_URL
at it and then look at what a user would have seen.

    fake = FakeSlack(token="xoxb-test").start()
    ...  # make the bot talk
    call = fake.wait_for("chat.postMessage", lambda c: "Venus" in c.params["text"])
    fake.stop()

Like the real APIs they refuse what the real ones refuse and the connectors
might get wrong: a wrong token, Slack's `as_user` with a new-app bot token
(`invalid_arguments`), Telegram callback_data over 64 bytes, and a chat that
blocked the bot (403).
"""

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from aiohttp import web

from scripts.processes import free_port


@dataclass
class Call:
    """One API call as the stand-in received it."""

    method: str
    params: Dict[str, Any]
    headers: Dict[str, str] = field(default_factory=dict)
    result: Dict[str, Any] = field(default_factory=dict)  # what the stand-in answered
    # Uploaded files of a multipart call: field name -> (file name, content type, bytes).
    files: Dict[str, Tuple[str, str, bytes]] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


# start() returns the stand-in itself, typed as the subclass it is called on.
Api = TypeVar("Api", bound="FakeApi")


class FakeApi:
    """An HTTP server in a thread that records calls; subclasses add routes."""

    def __init__(self, port: Optional[int] = None) -> None:
        self.port = port or free_port()
        self.calls: List[Call] = []
        self._changed = threading.Condition()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._thread: Optional[threading.Thread] = None
        self.started = False

    # -- lifecycle -------------------------------------------------------
    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def start(self: "Api", timeout: float = 10.0) -> "Api":
        ready = threading.Event()
        errors: List[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                app = web.Application()
                self.routes(app)
                self._runner = web.AppRunner(app, access_log=None)
                loop.run_until_complete(self._runner.setup())
                site = web.TCPSite(self._runner, "127.0.0.1", self.port)
                loop.run_until_complete(site.start())
            except BaseException as error:  # e.g. the port was taken
                errors.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name=type(self).__name__, daemon=True)
        self._thread.start()
        ready.wait(timeout)
        if errors:
            raise errors[0]
        self.started = True
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self.started = False

    # -- recording -------------------------------------------------------
    def record(self, call: Call) -> Call:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return call

    def calls_to(self, method: str, where: Optional[Callable[[Call], bool]] = None) -> List[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method and (where is None or where(c))]

    def wait_for(
        self,
        method: str,
        where: Optional[Callable[[Call], bool]] = None,
        timeout: float = 60.0,
        count: int = 1,
    ) -> Call:
        """The `count`-th call to `method` matching `where`; fails after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [
                    c for c in self.calls if c.method == method and (where is None or where(c))
                ]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.params) for c in self.calls[-10:]]
                    raise AssertionError(
                        f"no {method} call (#{count}) within {timeout}s; last calls: {seen}"
                    )
                self._changed.wait(left)

    # Parameters that clients may send as JSON text inside a form body.
    json_params: Tuple[str, ...] = ()

    def answer(self, request: web.Request, call: Call) -> web.Response:
        raise NotImplementedError

    async def handle(self, request: web.Request) -> web.Response:
        """Record one API call and answer it like the real API would."""
        params, files = await self.read_params(request)
        for key in self.json_params:
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        call = Call(request.match_info["method"], params, dict(request.headers), files=files)
        answer = self.answer(request, call)
        self.record(call)
        return answer

    @staticmethod
    async def read_params(
        request: web.Request,
    ) -> Tuple[Dict[str, Any], Dict[str, Tuple[str, str, bytes]]]:
        """JSON, url-encoded or multipart bodies, as a dict; and the uploaded files."""
        params: Dict[str, Any] = dict(request.query)
        files: Dict[str, Tuple[str, str, bytes]] = {}
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                params.update(body)
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = value
                elif isinstance(value, web.FileField):  # an upload
                    files[key] = (value.filename, value.content_type, value.file.read())
        return params, files


class FakeSlack(FakeApi):
    """The Slack Web API methods the connector uses, under /api/."""

    def __init__(
        self, token: str = "xoxb-test-token", port: Optional[int] = None, bot_user_id: str = "UBOT"
    ) -> None:
        super().__init__(port)
        self.token = token
        self.bot_user_id = bot_user_id
        self._ts = itertools.count(1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/{method}", self.handle)

    # Form-encoded calls send these as JSON text.
    json_params = ("blocks", "attachments")

    def answer(self, request: web.Request, call: Call) -> web.Response:
        method, params = call.method, call.params
        auth = request.headers.get("Authorization", "")
        token = auth[len("Bearer ") :] if auth.startswith("Bearer ") else params.get("token")
        if token != self.token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if "as_user" in params:
            # What Slack answers for a bot token of an app created since 2020.
            return web.json_response(
                {"ok": False, "error": "invalid_arguments", "deprecated_argument": "as_user"}
            )
        if method == "chat.postMessage":
            if not params.get("channel"):
                return web.json_response({"ok": False, "error": "channel_not_found"})
            for block in params.get("blocks") or []:
                # Slack fetches an image block's picture itself: it needs a full URL.
                if block.get("type") == "image" and (
                    not str(block.get("image_url", "")).startswith(("http://", "https://"))
                    or not block.get("alt_text")
                    or len(block["alt_text"]) > 2000
                ):
                    return web.json_response({"ok": False, "error": "invalid_blocks"})
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            message = {
                "type": "message",
                "user": self.bot_user_id,
                "bot_id": "BBOT",
                "ts": ts,
                "text": params.get("text", ""),
                "blocks": params.get("blocks", []),
            }
            call.result.update(message)
            return web.json_response(
                {"ok": True, "channel": params["channel"], "ts": ts, "message": message}
            )
        if method == "chat.update":
            return web.json_response(
                {
                    "ok": True,
                    "channel": params.get("channel"),
                    "ts": params.get("ts"),
                    "text": params.get("text", ""),
                }
            )
        if method == "auth.test":
            return web.json_response({"ok": True, "user_id": self.bot_user_id, "bot_id": "BBOT"})
        return web.json_response({"ok": False, "error": "unknown_method"})

    # -- what the user saw ---------------------------------------------------
    def messages_to(self, channel: str) -> List[Call]:
        return self.calls_to("chat.postMessage", lambda c: c.params.get("channel") == channel)


def slack_buttons(call: Call) -> List[Dict[str, str]]:
    """[{title, payload}] of the button blocks of one chat.postMessage."""
    return [
        {"title": element["text"]["text"], "payload": element.get("value")}
        for block in call.params.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements", [])
        if element.get("type") == "button"
    ]


class FakeTelegram(FakeApi):
    """The Bot API methods the connector uses, under /bot<token>/<method>."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        port: Optional[int] = None,
        username: str = "dimples_test_bot",
    ) -> None:
        super().__init__(port)
        self.token = token
        self.username = username
        self.blocked_chats: set = set()
        self._message_ids = itertools.count(1000)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self.handle)
        app.router.add_get("/bot{token}/{method}", self.handle)

    @staticmethod
    def _error(status: int, description: str) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": status, "description": description}, status=status
        )

    json_params = ("reply_markup", "allowed_updates")

    def answer(self, request: web.Request, call: Call) -> web.Response:
        method, params = call.method, call.params
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        ok = lambda result: web.json_response({"ok": True, "result": result})  # noqa: E731
        if method == "getMe":
            return ok(
                {
                    "id": int(self.token.split(":")[0]),
                    "is_bot": True,
                    "first_name": "Dimples",
                    "username": self.username,
                }
            )
        if method == "setWebhook":
            if not str(params.get("url", "")).startswith("https://"):
                return self._error(
                    400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
                )
            return web.json_response({"ok": True, "result": True, "description": "Webhook was set"})
        if method == "answerCallbackQuery":
            return ok(True)
        if method == "sendPhoto":
            photo = call.files.get("photo")
            if photo is None and not str(params.get("photo", "")).startswith("http"):
                # What Telegram answers for a photo that is neither uploaded nor a URL.
                return self._error(400, "Bad Request: wrong remote file identifier specified")
            if len(params.get("caption", "")) > 1024:
                return self._error(400, "Bad Request: message caption is too long")
            message_id = next(self._message_ids)
            call.result["message_id"] = message_id
            return ok(
                {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": int(str(params.get("chat_id"))), "type": "private"},
                    "photo": [{"file_id": f"photo{message_id}", "width": 600, "height": 760}],
                    "caption": params.get("caption", ""),
                }
            )
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            chat_id = str(params.get("chat_id"))
            if chat_id in {str(c) for c in self.blocked_chats}:
                return self._error(403, "Forbidden: bot was blocked by the user")
            for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if len(button.get("callback_data", "").encode()) > 64:
                        return self._error(400, "Bad Request: BUTTON_DATA_INVALID")
            message_id = int(params.get("message_id") or next(self._message_ids))
            call.result["message_id"] = message_id
            return ok(
                {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": {"id": int(chat_id), "type": "private"},
                    "from": {
                        "id": int(self.token.split(":")[0]),
                        "is_bot": True,
                        "first_name": "Dimples",
                        "username": self.username,
                    },
                    "text": params.get("text", ""),
                }
            )
        return self._error(404, "Not Found: method not found")

    # -- what the user saw ---------------------------------------------------
    def messages_to(self, chat_id: Any) -> List[Call]:
        return self.calls_to("sendMessage", lambda c: str(c.params.get("chat_id")) == str(chat_id))


def telegram_buttons(call: Call) -> List[Dict[str, str]]:
    """[{title, payload}] of the inline keyboard of one sendMessage."""
    markup = call.params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or [
        [{"text": b["text"]} for b in row] for row in markup.get("keyboard", [])
    ]
    return [{"title": b["text"], "payload": b.get("callback_data")} for row in rows for b in row]
