"""Slack connector: the stock Rasa one, made safe to run for real.

Listed in credentials.yml without arguments (`channels.slack.SlackInput:`); the
secrets come from the environment:

    SLACK_TOKEN            bot token (xoxb-...)                      required
    SLACK_SIGNING_SECRET   the app's signing secret                  required
    SLACK_CHANNEL          a channel where every message is answered optional
    SLACK_API_URL          base URL of the Slack Web API             optional
                           (default https://slack.com/api/; a proxy or a test
                           stand-in)
    PUBLIC_BASE_URL        public address of this Rasa server        optional
                           (https://bot.example.org): Slack fetches the
                           pictures from PUBLIC_BASE_URL/images/...; unset,
                           a picture is sent as its description in words

What differs from `rasa.core.channels.slack` (see docs/channels/slack.md):
- missing secrets do not stop the server: the webhook answers 503 and one
  warning is logged at start-up;
- a missing signature is answered 401, a wrong or expired one (older than
  5 minutes) 403, and nothing is processed;
- every event is processed once: Slack's retries (any reason) and the second
  copy of a mention (`message` and `app_mention` events for the same message)
  are dropped, by `event_id` and by channel + message `ts`;
- bot messages and message edits/joins (subtypes) are never answered;
- `as_user` is not sent: Slack refuses it (`invalid_arguments`) for the bot
  tokens of every app created since 2020;
- a button click is answered in the thread of the dialogue, and the clicked
  message is updated to show the choice instead of live buttons;
- errors while answering are logged instead of lost in a background task;
- a response's picture (channels/images.py) comes before its question: an image
  block with alt text when PUBLIC_BASE_URL is set, else the alt text as a message.
"""

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as StockSlackBot
from rasa.core.channels.slack import SlackInput as StockSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.env import (
    DONE,
    HANDLING,
    missing_variables,
    not_configured,
    read_env,
    seen_cache,
    warn_secrets_in_file,
)
from channels.images import PictureFirstOutput, PicturesBlueprint, absolute_url, picture_for
from channels.saved_turns import handle_and_store

logger = logging.getLogger(__name__)

ENV_TOKEN = "SLACK_TOKEN"
ENV_SIGNING_SECRET = "SLACK_SIGNING_SECRET"
ENV_CHANNEL = "SLACK_CHANNEL"
ENV_API_URL = "SLACK_API_URL"
REQUIRED = (ENV_TOKEN, ENV_SIGNING_SECRET)
DEFAULT_API_URL = "https://slack.com/api/"
ENV_PUBLIC_BASE_URL = "PUBLIC_BASE_URL"
SLACK_ALT_TEXT_MAX = 2000  # Slack refuses an image block with a longer alt_text
API_TIMEOUT_SECONDS = 15
# Message subtypes that are still a person writing; all others (bot_message,
# message_changed, message_deleted, channel_join, ...) are not answered.
USER_SUBTYPES = (None, "file_share", "thread_broadcast")
# What a message that is only a mention of the bot is read as.
GREET_PAYLOAD = "/greet"
# Keys in credentials.yml that are secrets and so are never read from there.
SECRET_KEYS = ("slack_token", "slack_signing_secret", "token", "signing_secret")


class SlackBot(PictureFirstOutput, StockSlackBot):
    """Stock output channel, pointed at SLACK_API_URL, without `as_user`."""

    def __init__(
        self,
        token: Text,
        slack_channel: Optional[Text] = None,
        thread_id: Optional[Text] = None,
        proxy: Optional[Text] = None,
        api_url: Text = DEFAULT_API_URL,
        public_base_url: Optional[Text] = None,
    ) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.public_base_url = public_base_url
        self.client = AsyncWebClient(
            token, base_url=api_url, proxy=proxy, timeout=API_TIMEOUT_SECONDS
        )

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        # `as_user` is refused by new Slack apps; `type` is no chat.postMessage
        # argument (the stock connector sends both).
        kwargs.pop("as_user", None)
        kwargs.pop("type", None)
        await super()._post_message(channel, **kwargs)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        """Slack fetches an image block's picture itself, so it needs a public address;
        without one the person gets the picture's description in words."""
        picture = picture_for(image)
        channel = self.slack_channel or recipient_id
        alt = picture.alt if picture is not None else image
        url = absolute_url(self.public_base_url, image)
        if "://" not in url:
            await self._post_message(channel=channel, text=alt)
            return
        block = {"type": "image", "image_url": url, "alt_text": alt[:SLACK_ALT_TEXT_MAX]}
        await self._post_message(channel=channel, text=alt, blocks=[block])

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        # The stock connector drops every button past five; an actions block holds up
        # to 25, and "Where is it?" has six answers.
        await self._post_message(
            channel=self.slack_channel or recipient_id,
            text=text,
            blocks=[
                {"type": "section", "text": {"type": "plain_text", "text": text}},
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": button["title"]},
                            "value": button["payload"],
                        }
                        for button in buttons[:25]
                    ],
                },
            ],
        )

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        json_message = dict(json_message)
        channel = json_message.pop("channel", self.slack_channel or recipient_id)
        await self._post_message(channel=channel, **json_message)


class SlackInput(StockSlackInput):
    """Slack Events API + interactivity webhook at /webhooks/slack/webhook."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        warn_secrets_in_file("slack", credentials, SECRET_KEYS)
        return cls(
            slack_token=read_env(ENV_TOKEN),
            slack_channel=read_env(ENV_CHANNEL),
            proxy=credentials.get("proxy"),
            use_threads=bool(credentials.get("use_threads", False)),
            slack_signing_secret=read_env(ENV_SIGNING_SECRET) or "",
            conversation_granularity=credentials.get("conversation_granularity", "sender"),
            api_url=read_env(ENV_API_URL, DEFAULT_API_URL),
        )

    def __init__(
        self,
        slack_token: Optional[Text],
        slack_channel: Optional[Text] = None,
        proxy: Optional[Text] = None,
        slack_retry_reason_header: Optional[Text] = None,
        slack_retry_number_header: Optional[Text] = None,
        errors_ignore_retry: Optional[List[Text]] = None,
        use_threads: Optional[bool] = False,
        slack_signing_secret: Text = "",
        conversation_granularity: Optional[Text] = "sender",
        api_url: Text = DEFAULT_API_URL,
    ) -> None:
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.seen = seen_cache()
        self._tasks: Set[asyncio.Task] = set()
        super().__init__(
            slack_token,
            slack_channel,
            proxy,
            slack_retry_reason_header or "x-slack-retry-reason",
            slack_retry_number_header or "x-slack-retry-num",
            errors_ignore_retry,
            use_threads,
            slack_signing_secret,
            conversation_granularity,
        )

    # The stock check raises without a signing secret, which stops `rasa run`.
    def _validate_credentials(self) -> None:
        self.missing = missing_variables(
            {ENV_TOKEN: self.slack_token, ENV_SIGNING_SECRET: self.slack_signing_secret},
            REQUIRED,
        )
        if self.missing:
            logger.warning(
                "Slack channel is not configured: %s not set. Its webhook "
                "answers 503 until they are (see docs/channels/slack.md).",
                " and ".join(self.missing),
            )

    @property
    def configured(self) -> bool:
        return not self.missing

    def get_output_channel(
        self, channel: Optional[Text] = None, thread_id: Optional[Text] = None
    ) -> OutputChannel:
        channel = channel or self.slack_channel
        return SlackBot(
            self.slack_token,
            channel,
            thread_id,
            self.proxy,
            api_url=self.api_url,
            public_base_url=read_env(ENV_PUBLIC_BASE_URL),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        slack_webhook = PicturesBlueprint("slack_webhook", __name__)

        @slack_webhook.listener("before_server_stop")
        async def finish_answers(app: Any, loop: Any) -> None:
            # Slack got its 200 for these: on a graceful stop (SIGTERM, as Docker and
            # Kubernetes send) answer them before the process ends.
            if self._tasks:
                await asyncio.wait(list(self._tasks), timeout=25)

        @slack_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.configured:
                return self._not_configured()
            return response.json({"status": "ok"})

        @slack_webhook.route("/webhook", methods=["GET", "POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.configured:
                return self._not_configured()
            if request.method != "POST":
                return response.json({"error": "POST Slack events here"}, status=405)
            if not (
                request.headers.get("X-Slack-Signature")
                and request.headers.get("X-Slack-Request-Timestamp")
            ):
                return response.json({"error": "missing Slack signature"}, status=401)
            if not self.is_request_from_slack_authentic(request):
                logger.warning("Slack: rejected a request with a wrong or expired signature.")
                return response.json({"error": "invalid or expired Slack signature"}, status=403)

            content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            try:
                if content_type == "application/json":
                    return await self._handle_event(request, on_new_message)
                if content_type == "application/x-www-form-urlencoded":
                    return await self._handle_interaction(request, on_new_message)
            except Exception:  # never let Slack see a 500 (it would retry)
                logger.exception("Slack: failed to handle a request; answered 200.")
                return response.text("")
            return response.json(
                {"error": f"unsupported content type {content_type!r}"}, status=415
            )

        return slack_webhook

    def _not_configured(self) -> HTTPResponse:
        return not_configured("slack", " and ".join(self.missing) + " not set")

    # -- Events API --------------------------------------------------------

    async def _handle_event(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        try:
            body = json.loads(request.body)
        except ValueError:
            return response.json({"error": "body is not JSON"}, status=400)
        if not isinstance(body, dict):
            return response.json({"error": "body is not a JSON object"}, status=400)

        if body.get("type") == "url_verification":
            return response.json({"challenge": body.get("challenge")})

        event = body.get("event") or {}
        if body.get("type") != "event_callback" or not isinstance(event, dict):
            return response.text("ignored")
        if not self._is_user_message(body) or event.get("subtype") not in USER_SUBTYPES:
            logger.debug(
                "Slack: not a user message (%s/%s), ignored.",
                event.get("type"),
                event.get("subtype"),
            )
            return response.text("ignored")
        metadata = self._event_metadata(body)
        if not event.get("user") or event.get("user") in metadata.pop("bot_users"):
            return response.text("ignored")
        if not self._is_supported_channel(body, metadata):
            logger.debug(
                "Slack: message in channel %s not for the bot, ignored.", metadata["out_channel"]
            )
            return response.text("ignored")

        # One answer per message: a retry has the same event_id, the second
        # event of a mention (message + app_mention) the same channel and ts.
        event_key = f"event:{body['event_id']}" if body.get("event_id") else None
        message_key = (
            f"message:{event.get('channel')}:{event.get('ts')}" if event.get("ts") else None
        )
        state = self.seen.claim(event_key, message_key)
        if state == DONE:
            logger.info(
                "Slack: event %s already handled (retry #%s, %s), not answered again.",
                body.get("event_id"),
                request.headers.get("X-Slack-Retry-Num", "0"),
                request.headers.get("X-Slack-Retry-Reason", "duplicate"),
            )
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        if state == HANDLING:
            # Another replica took it and has not finished: it may have died. Slack
            # retries a non-2xx later; by then it is done, or the claim expired.
            logger.info(
                "Slack: event %s is being handled elsewhere; asked for a later retry.",
                body.get("event_id"),
            )
            return response.json({"error": "being handled, retry later"}, status=503)

        text = self._sanitize_user_message(event["text"], metadata["users"])
        if not text.strip():
            # Only a mention of the bot ("@bot"): greet, as for "hello". Empty text
            # made Rasa's NLU fail, and the person got no answer at all.
            text = GREET_PAYLOAD
        sender_id = self._get_conversation_id(
            event["user"], metadata["out_channel"], metadata["thread_id"]
        )
        self._dispatch(
            on_new_message,
            text,
            sender_id,
            metadata,
            handled=lambda: self.seen.finish(event_key, message_key),
        )
        return response.text("")

    @staticmethod
    def _event_metadata(body: Dict[Text, Any]) -> Dict[Text, Any]:
        event = body.get("event") or {}
        users: List[Text] = list(body.get("authed_users") or [])
        bot_users: List[Text] = []
        for authorization in body.get("authorizations") or []:
            if authorization.get("user_id"):
                users.append(authorization["user_id"])
                if authorization.get("is_bot"):
                    bot_users.append(authorization["user_id"])
        return {
            "out_channel": event.get("channel"),
            "thread_id": event.get("thread_ts", event.get("ts")),
            "users": users,
            "bot_users": bot_users,
        }

    # -- Interactivity (button clicks) ------------------------------------

    async def _handle_interaction(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        raw = request.form.get("payload")
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return response.json({"error": "no interaction payload"}, status=400)
        if not self._is_interactive_message(payload):
            return response.text("ignored")

        action = payload["actions"][0]
        value = self._get_interactive_response(action)
        if value is None:  # a link button: nothing to say to the bot
            return response.text("")
        user_id = (payload.get("user") or {}).get("id")
        if not user_id:
            return response.text("ignored")
        message = payload.get("message") or {}
        container = payload.get("container") or {}
        channel_id = (payload.get("channel") or {}).get("id") or container.get("channel_id")
        metadata = {
            "out_channel": channel_id,
            "thread_id": message.get("thread_ts", message.get("ts")),
            "users": [user_id],
        }
        click_key = f"click:{channel_id}:{message.get('ts')}:{action.get('action_ts')}"
        if not self.seen.first_time(click_key):
            return response.text("")

        if channel_id and message.get("ts") and action.get("type") == "button":
            self._spawn(self._show_choice(channel_id, message, action))
        sender_id = self._get_conversation_id(user_id, channel_id, metadata["thread_id"])
        self._dispatch(on_new_message, value, sender_id, metadata)
        return response.text("")

    async def _show_choice(
        self, channel: Text, message: Dict[Text, Any], action: Dict[Text, Any]
    ) -> None:
        """Replace the clicked message's buttons by the choice, so that old
        buttons cannot be clicked again and the answer stays visible."""
        title = ((action.get("text") or {}).get("text") or action.get("value") or "").strip()
        title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks = [b for b in message.get("blocks") or [] if b.get("type") != "actions"]
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"You chose: *{title}*"}]}
        )
        client = AsyncWebClient(
            self.slack_token, base_url=self.api_url, proxy=self.proxy, timeout=API_TIMEOUT_SECONDS
        )
        try:
            await client.chat_update(
                channel=channel, ts=message["ts"], text=message.get("text") or title, blocks=blocks
            )
        except Exception as error:  # cosmetic: never fail the dialogue for it
            logger.warning("Slack: could not update the clicked message: %s", error)

    # -- Handing messages to Rasa -----------------------------------------

    def _dispatch(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: Text,
        sender_id: Optional[Text],
        metadata: Dict[Text, Any],
        handled: Callable[[], None] = lambda: None,
    ) -> None:
        """Answer in the background: Slack wants its 200 within 3 seconds."""
        thread_id = metadata.get("thread_id") if self.use_threads else None
        message = UserMessage(
            text,
            self.get_output_channel(metadata.get("out_channel"), thread_id),
            sender_id,
            input_channel=self.name(),
            metadata=metadata,
        )

        async def handle() -> None:
            try:
                await handle_and_store(on_new_message, message)
            except Exception:
                logger.exception("Slack: failed to answer a message from %s.", sender_id)
            finally:
                handled()

        self._spawn(handle())

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
