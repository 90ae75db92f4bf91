"""The web chat widget channel: Rasa's Socket.IO connector, fixed, plus the page.

Named in credentials.yml as `channels.webchat.WebChatInput`, with the same
options as Rasa's `socketio` channel. Two differences from the stock connector:

1. RasaHQ/rasa#13027. With `session_persistence: true`, Rasa 3.6's
   `session_request` handler calls `sio.enter_room(sid, session_id)` without
   `await`. Since python-socketio 5.10 `AsyncServer.enter_room` is a coroutine,
   so the call only creates a coroutine that never runs (Python warns "coroutine
   ... was never awaited"): the browser's socket never joins the room named after
   its session id, and every reply, emitted to that room, is lost. We register
   our own `session_request` handler that awaits it (and works with older
   python-socketio too, where `enter_room` is a plain function).

2. The same Rasa server serves the chat page, so one process on one port has
   both the page and its socket (no second web server, same origin, no CORS):

       GET /chat            redirects to /chat/
       GET /chat/           web/index.html
       GET /chat/page.js    web/page.js (mounts the widget, adds accessible labels)
       GET /chat/webchat.js the rasa-webchat UMD build, from web/node_modules
       GET /chat/pictures.json  the pictures' alt texts (channels/images.py), for page.js
       GET /images/<name>   the pictures the bot sends (channels/images.py), also
                            without the page

   A response's picture is sent before its text and buttons (WebChatOutput), with
   its alt text.

   Options (credentials.yml, all optional): `page_path` (default "/chat"; an
   empty value turns the page off) and `web_dir` (default: the project's web/).

3. The socket accepts browsers from its own origin and from configured ones
   only. The stock connector turns the Socket.IO origin check off, so any web
   site could open a chat socket in its visitors' browsers. Other origins (a
   site that embeds the widget) are listed in the environment,
   WEBCHAT_CORS_ORIGINS (space-separated, the same variable scripts/run_local.py
   gives Rasa's --cors), or in credentials.yml as `cors_allowed_origins`.

`name()` stays "socketio": the channel's health route stays at
/webhooks/socketio/, the widget's socket at /socket.io, and trackers record
`input_channel: socketio` as before.
"""

import inspect
import json
import logging
import os
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.images import PICTURES, PictureFirstOutput, add_picture_routes, picture_for
from channels.rest import (
    EMPTY_MESSAGE_REPLY,
    MAX_MESSAGE_CHARS,
    as_text,
    is_valid_sender,
    replace_surrogates,
)
from channels.saved_turns import handle_and_store

logger = logging.getLogger(__name__)

DEFAULT_WEB_DIR = Path(__file__).resolve().parent.parent / "web"
DEFAULT_PAGE_PATH = "/chat"
WIDGET_BUILD = Path("node_modules") / "rasa-webchat" / "lib" / "index.js"


async def join_room(sio: Any, sid: Text, room: Text, namespace: Optional[Text] = None) -> None:
    """`sio.enter_room`, awaited when it is a coroutine (python-socketio >= 5.10)."""
    result = sio.enter_room(sid, room, namespace=namespace)
    if inspect.isawaitable(result):
        await result


def configured_origins(from_credentials: Any) -> List[Text]:
    """Extra allowed origins: credentials.yml's list (or string) and the environment."""
    if isinstance(from_credentials, str):
        from_credentials = from_credentials.split()
    origins = list(from_credentials or [])
    origins += os.environ.get("WEBCHAT_CORS_ORIGINS", "").split()
    return [origin.rstrip("/") for origin in origins]


def same_origins(environ: Dict[Text, Any]) -> List[Text]:
    """The origin a page served by this server has, also behind a reverse proxy."""
    host = environ.get("HTTP_HOST")
    if not host:
        return []
    origins = [f"{environ.get('wsgi.url_scheme', 'http')}://{host}"]
    forwarded_host = environ.get("HTTP_X_FORWARDED_HOST", host).split(",")[0].strip()
    forwarded_proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip()
    if forwarded_proto:
        origins.append(f"{forwarded_proto}://{forwarded_host}")
    return origins


class WebChatBlueprint(SocketBlueprint):
    """The Socket.IO blueprint, which also adds the chat page's routes to the app.

    Rasa mounts every channel blueprint under /webhooks/<name>/; the page lives at
    the top level, so its routes are added to the app directly, the way
    `SocketBlueprint.register` attaches the Socket.IO server itself.
    """

    def __init__(self, *args: Any, page_path: Optional[Text], web_dir: Path, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.page_path = page_path
        self.ctx.web_dir = web_dir

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        super().register(app, options)
        self.ctx.app = app  # the message handler reads the domain from app.ctx.agent
        add_picture_routes(app)
        if self.ctx.page_path:
            add_page_routes(app, self.ctx.page_path, self.ctx.web_dir)


def add_page_routes(app: Sanic, page_path: Text, web_dir: Path) -> None:
    page_path = "/" + page_path.strip("/")
    index = web_dir / "index.html"
    widget = web_dir / WIDGET_BUILD

    async def page_redirect(_: Request) -> HTTPResponse:
        return response.redirect(page_path + "/")

    async def page(_: Request) -> HTTPResponse:
        return await response.file(
            index,
            mime_type="text/html; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    async def page_script(_: Request) -> HTTPResponse:
        return await response.file(
            web_dir / "page.js",
            mime_type="application/javascript; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    async def picture_texts(_: Request) -> HTTPResponse:
        # page.js gives each picture the widget shows its alt text from here (the
        # widget's image message has no place for it).
        return response.json(
            {path: {"alt": p.alt} for path, p in PICTURES.items()},
            headers={"Cache-Control": "no-cache"},
        )

    async def widget_script(_: Request) -> HTTPResponse:
        if not widget.is_file():
            return response.text(
                "The web chat widget is not installed: run `npm ci --prefix web` "
                "(./assistant web does it for you).\n",
                status=503,
            )
        return await response.file(
            widget,
            mime_type="application/javascript; charset=utf-8",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    app.add_route(
        page_redirect, page_path, methods=["GET"], name="webchat_page_redirect", strict_slashes=True
    )
    app.add_route(page, page_path + "/", methods=["GET"], name="webchat_page", strict_slashes=True)
    app.add_route(page_script, page_path + "/page.js", methods=["GET"], name="webchat_page_script")
    app.add_route(widget_script, page_path + "/webchat.js", methods=["GET"], name="webchat_script")
    app.add_route(
        picture_texts, page_path + "/pictures.json", methods=["GET"], name="webchat_pictures"
    )
    logger.info(f"Web chat page at {page_path}/ (files from {web_dir}).")


class WebChatOutput(PictureFirstOutput, SocketIOOutput):
    """Rasa's Socket.IO output, with a response's picture sent before its question."""

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        picture = picture_for(image)
        payload: Dict[Text, Any] = {"src": image}
        if picture is not None:
            # For other Socket.IO clients: rasa-webchat drops it, and page.js sets
            # the alt text from /chat/pictures.json instead.
            payload["alt"] = picture.alt
        await self._send_message(
            recipient_id, {"attachment": {"type": "image", "payload": payload}}
        )


class WebChatInput(SocketIOInput):
    """Rasa's socketio channel with RasaHQ/rasa#13027 fixed, serving the chat page."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.page_path = credentials.get("page_path", DEFAULT_PAGE_PATH)
        web_dir = credentials.get("web_dir")
        channel.web_dir = Path(web_dir) if web_dir else DEFAULT_WEB_DIR
        channel.extra_origins = configured_origins(credentials.get("cors_allowed_origins"))
        return channel

    def __init__(
        self,
        *args: Any,
        page_path: Optional[Text] = DEFAULT_PAGE_PATH,
        web_dir: Optional[Path] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.page_path = page_path
        self.web_dir = web_dir or DEFAULT_WEB_DIR
        self.extra_origins = configured_origins(None)

    def origin_allowed(self, origin: Text, environ: Dict[Text, Any]) -> bool:
        """python-engineio's origin check: the socket's own origin, or a listed one."""
        return origin in self.extra_origins or origin in same_origins(environ)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # The stock method creates the Socket.IO server (self.sio) and its event
        # handlers. Its blueprint only holds the health route; ours repeats that
        # route and, when registered, also adds the page routes.
        super().blueprint(on_new_message)
        sio = self.sio
        sio.eio.cors_allowed_origins = self.origin_allowed
        blueprint = WebChatBlueprint(
            sio,
            self.socketio_path,
            "socketio_webhook",
            __name__,
            page_path=self.page_path,
            web_dir=self.web_dir,
        )

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        # Replaces the stock handler of the same event (one handler per event).
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            if not isinstance(data, dict):
                data = {}
            # The browser chooses the id: one Rasa's SQL store cannot keep (a lone
            # surrogate, NUL, over 255 characters) stopped the server; use a new one.
            if not is_valid_sender(data.get("session_id")):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await join_room(sio, sid, data["session_id"], namespace=self.namespace)
            await sio.emit(
                "session_confirm", data["session_id"], room=sid, namespace=self.namespace
            )
            logger.debug(f"User {sid} connected to socketIO endpoint.")

        # Replaces the stock handler of user messages, which took any session_id
        # and any message: see channels/rest.py for what each check prevents.
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            # As the stock handler: without a session id the socket's own id is the sender.
            sender = (data.get("session_id") or sid) if self.session_persistence else sid
            text = data.get("message", "")
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if (
                not is_valid_sender(sender)
                or not isinstance(text, str)
                or not isinstance(metadata, dict)
            ):
                logger.debug("Web chat: ignored a malformed message.")
                return
            output = WebChatOutput(sio, self.bot_message_evt)
            text = replace_surrogates(text)
            if not text.strip():
                await output.send_text_message(sender, EMPTY_MESSAGE_REPLY)
                return
            if len(text) > MAX_MESSAGE_CHARS:
                await output.send_text_message(
                    sender,
                    f"Sorry, that message is too long for me. Please keep it under "
                    f"{MAX_MESSAGE_CHARS:,} characters.",
                )
                return
            agent = getattr(blueprint.ctx.app.ctx, "agent", None)
            text = as_text(text, agent.domain if agent is not None else None)
            # Replies are sent once the turn is stored; if it cannot be, the
            # person is told to send the message again (channels/saved_turns.py).
            await handle_and_store(
                on_new_message,
                UserMessage(
                    text,
                    output,
                    sender,
                    input_channel=self.name(),
                    metadata=metadata,
                ),
            )

        return blueprint
