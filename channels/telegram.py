"""Telegram connector: the stock Rasa one, made safe to run for real.

Listed in credentials.yml without arguments (`channels.telegram.TelegramInput:`);
the settings come from the environment:

    TELEGRAM_TOKEN          the bot token from @BotFather               required
    TELEGRAM_SECRET_TOKEN   secret Telegram sends in the header         required
                            X-Telegram-Bot-Api-Secret-Token (1-256 of
                            A-Z a-z 0-9 _ -)
    TELEGRAM_WEBHOOK_URL    public HTTPS URL of /webhooks/telegram/webhook;
                            when set, setWebhook is called at start-up
    TELEGRAM_BOT_USERNAME   the bot's username (the stock `verify`); when
                            set, checked once against getMe
    TELEGRAM_API_URL        base URL of the Bot API (default
                            https://api.telegram.org; a proxy, a local Bot
                            API server or a test stand-in)

What differs from `rasa.core.channels.telegram` (see docs/channels/telegram.md):
- missing settings do not stop the server: the webhook answers 503 and one
  warning is logged at start-up;
- every update must carry the secret header (constant-time compare): missing
  401, wrong 403; setWebhook is called with that `secret_token`;
- no network call at start-up: setWebhook (and the getMe username check) run in
  the background after the server is up, retried with back-off while Telegram
  cannot be reached; the stock connector called them before start-up and
  failed offline, and called getMe again on every update;
- an update that cannot be handled is logged and answered 200 (a 500 makes
  Telegram re-send it for hours); re-sent updates are dropped by update_id;
- button presses are acknowledged (answerCallbackQuery stops the spinner) and
  the question is edited to show the choice instead of live buttons; more than
  three buttons, or long titles, are laid out one per row;
- /start, /help and /stop are the intents greet, help and stop; message edits,
  channel posts and messages from other bots are not answered;
- a response's picture (channels/images.py) is uploaded from disk as a photo
  with a short caption, before the question it illustrates.
"""

import asyncio
import hmac
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import CallbackQuery, InputFile, Update
from aiogram.utils.exceptions import (
    BadRequest,
    NetworkError,
    RetryAfter,
    TelegramAPIError,
    Unauthorized,
    ValidationError,
)
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as StockTelegramInput
from rasa.core.channels.telegram import TelegramOutput as StockTelegramOutput
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.constants import USER_INTENT_RESTART
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.env import (
    DONE,
    HANDLING,
    missing_variables,
    not_configured,
    read_env,
    seen_cache,
    warn_secrets_in_file,
)
from channels.images import PictureFirstOutput, PicturesBlueprint, picture_for
from channels.saved_turns import handle_and_store

logger = logging.getLogger(__name__)

ENV_TOKEN = "TELEGRAM_TOKEN"
ENV_SECRET_TOKEN = "TELEGRAM_SECRET_TOKEN"
ENV_WEBHOOK_URL = "TELEGRAM_WEBHOOK_URL"
ENV_BOT_USERNAME = "TELEGRAM_BOT_USERNAME"
ENV_API_URL = "TELEGRAM_API_URL"
REQUIRED = (ENV_TOKEN, ENV_SECRET_TOKEN)
DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
API_TIMEOUT_SECONDS = 15
CALLBACK_DATA_MAX_BYTES = 64
# Only what the bot answers; edits and channel posts are not sent at all.
ALLOWED_UPDATES = ["message", "callback_query"]
# Telegram commands -> intents of this assistant.
COMMANDS = {"/start": "/greet", "/help": "/help", "/stop": "/stop"}
RETRY_DELAYS = (1, 2, 4, 8, 15, 30, 60, 120, 300)
SECRET_KEYS = ("access_token", "token", "secret_token")


class TelegramOutput(PictureFirstOutput, StockTelegramOutput):
    """Stock output channel, pointed at TELEGRAM_API_URL, with a time-out."""

    def __init__(self, access_token: Optional[Text], api_url: Text = DEFAULT_API_URL) -> None:
        Bot.__init__(
            self,
            access_token,
            server=TelegramAPIServer.from_base(api_url),
            timeout=API_TIMEOUT_SECONDS,
        )

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        """Our pictures are uploaded from disk (sendPhoto, multipart): Telegram would
        need a public HTTPS address to fetch them itself."""
        picture = picture_for(image)
        if picture is None:
            await super().send_image_url(recipient_id, image, **kwargs)
            return
        try:
            await self.send_photo(
                recipient_id,
                InputFile(picture.file, filename=picture.file.name),
                caption=picture.caption,
            )
        except (TelegramAPIError, OSError) as error:
            # The question still makes sense without it; say in words what it shows.
            logger.warning("Telegram: could not send the picture %s: %s", picture.name, error)
            await self.send_text_message(recipient_id, picture.alt)

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        button_type: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        buttons = [self._fit_callback_data(b) for b in buttons]
        if button_type is None:
            crowded = len(buttons) > 3 or any(len(b.get("title", "")) > 18 for b in buttons)
            button_type = "vertical" if crowded else "inline"
        await super().send_text_with_buttons(
            recipient_id, text, buttons, button_type=button_type, **kwargs
        )

    @staticmethod
    def _fit_callback_data(button: Dict[Text, Any]) -> Dict[Text, Any]:
        """Telegram refuses callback_data over 64 bytes: send the title instead
        (the NLU reads it like typed text)."""
        payload = str(button.get("payload", ""))
        if len(payload.encode()) <= CALLBACK_DATA_MAX_BYTES:
            return button
        title = str(button.get("title", ""))
        logger.warning(
            "Telegram: button payload over 64 bytes, sending its title instead: %r", payload
        )
        return {
            **button,
            "payload": title.encode()[:CALLBACK_DATA_MAX_BYTES].decode(errors="ignore"),
        }


class TelegramInput(StockTelegramInput):
    """Telegram webhook at /webhooks/telegram/webhook."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        warn_secrets_in_file("telegram", credentials, SECRET_KEYS)
        return cls(
            access_token=read_env(ENV_TOKEN),
            verify=read_env(ENV_BOT_USERNAME),
            webhook_url=read_env(ENV_WEBHOOK_URL),
            secret_token=read_env(ENV_SECRET_TOKEN),
            api_url=read_env(ENV_API_URL, DEFAULT_API_URL),
        )

    def __init__(
        self,
        access_token: Optional[Text],
        verify: Optional[Text],
        webhook_url: Optional[Text],
        debug_mode: bool = False,
        secret_token: Optional[Text] = None,
        api_url: Text = DEFAULT_API_URL,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode=debug_mode)
        self.verify = verify.lstrip("@") if verify else None
        self.secret_token = secret_token
        self.api_url = api_url
        self.seen = seen_cache()
        self.username_matches: Optional[bool] = None  # None: not checked (yet)
        self.webhook_set = False
        self._output: Optional[TelegramOutput] = None
        self._tasks: Set[asyncio.Task] = set()
        self.problem = self._configuration_problem()
        if self.problem:
            logger.warning(
                "Telegram channel is not configured: %s. Its webhook answers 503 "
                "until it is (see docs/channels/telegram.md).",
                self.problem,
            )

    def _configuration_problem(self) -> Optional[Text]:
        missing = missing_variables(
            {ENV_TOKEN: self.access_token, ENV_SECRET_TOKEN: self.secret_token}, REQUIRED
        )
        if missing:
            return " and ".join(missing) + " not set"
        if not SECRET_TOKEN_PATTERN.match(self.secret_token or ""):
            return f"{ENV_SECRET_TOKEN} must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        try:
            TelegramOutput(self.access_token, self.api_url)
        except ValidationError:
            return f"{ENV_TOKEN} does not look like a bot token (123456:ABC...)"
        return None

    @property
    def configured(self) -> bool:
        return self.problem is None

    def get_output_channel(self) -> TelegramOutput:
        """One output channel for the process; no network call here (the stock
        one called setWebhook, which blocks and fails offline)."""
        if self._output is None:
            self._output = TelegramOutput(self.access_token, self.api_url)
        return self._output

    # -- Start-up: setWebhook and getMe in the background -------------------

    async def _start_up(self) -> None:
        if not self.webhook_url:
            logger.info(
                "Telegram: %s not set, so setWebhook is not called; set the webhook "
                "yourself, with secret_token (docs/channels/telegram.md).",
                ENV_WEBHOOK_URL,
            )
            if not self.verify:
                return
        for attempt, delay in enumerate(self._retry_delays(), start=1):
            try:
                await self._check_username()
                if self.webhook_url and not self.webhook_set:
                    await self.set_webhook()
                return
            except (Unauthorized, BadRequest) as error:
                logger.error(
                    "Telegram: the Bot API refused the set-up (%s); not retrying. Check %s and %s.",
                    error,
                    ENV_TOKEN,
                    ENV_WEBHOOK_URL,
                )
                return
            except RetryAfter as error:
                delay = max(delay, error.timeout)
                logger.warning("Telegram: flood control, retrying in %ss.", delay)
            except (NetworkError, TelegramAPIError, OSError, asyncio.TimeoutError) as error:
                logger.warning(
                    "Telegram: Bot API at %s not reachable (attempt %d: %s); "
                    "still serving, trying again in %ss.",
                    self.api_url,
                    attempt,
                    error,
                    delay,
                )
            except Exception:
                logger.exception("Telegram: set-up failed unexpectedly; retrying in %ss.", delay)
            await asyncio.sleep(delay)

    @staticmethod
    def _retry_delays():
        yield from RETRY_DELAYS
        while True:
            yield RETRY_DELAYS[-1]

    async def _check_username(self) -> None:
        if not self.verify or self.username_matches is not None:
            return
        me = await self.get_output_channel().get_me()
        self.username_matches = (me.username or "").lower() == self.verify.lower()
        if not self.username_matches:
            logger.error(
                "Telegram: %s belongs to @%s, not @%s (%s); updates are not answered.",
                ENV_TOKEN,
                me.username,
                self.verify,
                ENV_BOT_USERNAME,
            )

    async def set_webhook(self) -> bool:
        """setWebhook with the secret token (aiogram 2.15 predates it)."""
        result = await self.get_output_channel().request(
            "setWebhook",
            {
                "url": self.webhook_url,
                "secret_token": self.secret_token,
                "allowed_updates": json.dumps(ALLOWED_UPDATES),
            },
        )
        self.webhook_set = bool(result)
        logger.info("Telegram: webhook set to %s.", self.webhook_url)
        return self.webhook_set

    # -- The webhook ---------------------------------------------------------

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = PicturesBlueprint("telegram_webhook", __name__)

        @telegram_webhook.listener("after_server_start")
        async def start_up(app: Any, loop: Any) -> None:
            if self.configured:
                self._spawn(self._start_up())

        @telegram_webhook.listener("before_server_stop")
        async def shut_down(app: Any, loop: Any) -> None:
            for task in list(self._tasks):
                task.cancel()
            if self._output is not None and self._output._session is not None:
                await self._output._session.close()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if self.problem is not None:  # not configured
                return not_configured("telegram", self.problem)
            return response.json({"status": "ok", "webhook_set": self.webhook_set})

        @telegram_webhook.route("/set_webhook", methods=["POST"])
        async def set_webhook(request: Request) -> HTTPResponse:
            refused = self._refuse(request)
            if refused:
                return refused
            if not self.webhook_url:
                return response.json({"error": f"{ENV_WEBHOOK_URL} not set"}, status=400)
            try:
                await self.set_webhook()
            except TelegramAPIError as error:
                return response.json({"error": f"setWebhook failed: {error}"}, status=502)
            return response.json({"status": "ok", "webhook_set": True})

        @telegram_webhook.route("/webhook", methods=["GET", "POST"])
        async def message(request: Request) -> HTTPResponse:
            refused = self._refuse(request)
            if refused:
                return refused
            if request.method != "POST":
                return response.json({"error": "POST Telegram updates here"}, status=405)
            try:
                refused = await self._handle_update(request, on_new_message)
                if refused is not None:
                    return refused
            except TelegramAPIError as error:
                # e.g. the user blocked the bot, or the Bot API is unreachable
                logger.warning("Telegram: could not answer an update (%s); answered 200.", error)
            except Exception:
                logger.exception(
                    "Telegram: failed to handle an update; answered 200 so that "
                    "Telegram does not re-send it."
                )
            return response.text("success")

        return telegram_webhook

    def _refuse(self, request: Request) -> Optional[HTTPResponse]:
        """The answer to a request that is not from Telegram; None if it is."""
        if self.problem is not None:  # not configured
            return not_configured("telegram", self.problem)
        given = request.headers.get(SECRET_HEADER)
        if not given:
            return response.json({"error": f"missing {SECRET_HEADER}"}, status=401)
        if not hmac.compare_digest(given.encode(), (self.secret_token or "").encode()):
            logger.warning("Telegram: rejected a request with a wrong secret token.")
            return response.json({"error": f"wrong {SECRET_HEADER}"}, status=403)
        return None

    async def _handle_update(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Optional[HTTPResponse]:
        """Answer an update; a response only when it is not the usual 200."""
        try:
            data = json.loads(request.body or b"null")
            if isinstance(data, str):  # the stock connector accepts double-encoded JSON
                data = json.loads(data)
        except ValueError as error:
            logger.warning("Telegram: ignored an update that is not JSON (%s).", error)
            return None
        if not isinstance(data, dict):
            logger.warning("Telegram: ignored an update that is not a JSON object.")
            return None
        update_id = data.get("update_id")
        key = f"update:{update_id}" if update_id is not None else None
        state = self.seen.claim(key)
        if state == DONE:
            logger.info("Telegram: update %s already handled, not answered again.", update_id)
            return None
        if state == HANDLING:
            # Another replica took it and has not finished: it may have died. Telegram
            # re-sends after a non-2xx; by then it is done, or the claim expired.
            logger.info(
                "Telegram: update %s is being handled elsewhere; asked to re-send.", update_id
            )
            return response.json({"error": "being handled, re-send later"}, status=503)
        try:
            await self._answer_update(data, request, on_new_message)
        finally:
            self.seen.finish(key)
        return None

    async def _answer_update(
        self,
        data: Dict[Text, Any],
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        update_id = data.get("update_id")
        if self.username_matches is False:
            return

        update = Update.to_object(data)
        out_channel = self.get_output_channel()
        if update.callback_query:
            query = update.callback_query
            text = query.data
            chat_id = query.message.chat.id if query.message else query.from_user.id
            self._spawn(self._acknowledge(query))
        elif update.message:
            msg = update.message
            if msg.from_user and msg.from_user.is_bot:
                return
            text = self._message_text(msg)
            chat_id = msg.chat.id
        else:
            logger.debug("Telegram: update %s has nothing to answer, ignored.", update_id)
            return
        if not text:
            return

        metadata = self.get_metadata(request)
        texts = [text]
        if text == INTENT_MESSAGE_PREFIX + USER_INTENT_RESTART:
            texts.append(COMMANDS["/start"])  # stock behaviour: restart, then greet
        for each in texts:
            stored = await handle_and_store(
                on_new_message,
                UserMessage(
                    each,
                    out_channel,
                    chat_id,
                    input_channel=self.name(),
                    metadata=metadata,
                ),
            )
            if not stored:  # the person was told to send it again
                return

    @staticmethod
    def _message_text(msg: Any) -> Optional[Text]:
        if msg.text is not None:
            text = msg.text.strip()
            if text.startswith("/"):
                command, _, rest = text.partition(" ")
                command = command.split("@", 1)[0].lower()  # /start@MyBot
                if command in COMMANDS and not rest:
                    return COMMANDS[command]
            return text
        if msg.location is not None:
            where = msg.location
            return f'{{"lng":{where.longitude}, "lat":{where.latitude}}}'
        return None

    async def _acknowledge(self, query: CallbackQuery) -> None:
        """Stop the button's spinner; show the choice instead of live buttons."""
        bot = self.get_output_channel()
        try:
            await bot.answer_callback_query(query.id)
        except TelegramAPIError as error:
            logger.debug("Telegram: answerCallbackQuery failed: %s", error)
        msg = query.message
        if msg is None:
            return
        title = None
        keyboard = getattr(msg.reply_markup, "inline_keyboard", None) or []
        for row in keyboard:
            for button in row:
                if button.callback_data == query.data:
                    title = button.text
        try:
            if title and msg.text and len(msg.text) + len(title) < 4000:
                await bot.edit_message_text(
                    f"{msg.text}\n\n\u2714 {title}", msg.chat.id, msg.message_id
                )
            else:
                await bot.edit_message_reply_markup(msg.chat.id, msg.message_id)
        except TelegramAPIError as error:
            logger.debug("Telegram: could not edit the answered question: %s", error)

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
