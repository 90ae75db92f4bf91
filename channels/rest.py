"""REST connector: the stock Rasa one, made safe against bad input.

Listed in a credentials file as `channels.rest.SafeRestInput:` (no arguments),
instead of `rest:`; never both, they share the URL. `name()` stays "rest", so the
webhook stays at POST /webhooks/rest/webhook, the health route at
GET /webhooks/rest/, and trackers record `input_channel: rest` as before.
`rasa shell` is not affected: it always uses its own `cmdline` channel.

The request and the answers:

    POST /webhooks/rest/webhook[?stream=true]
    Content-Type: application/json
    {"sender": "<conversation id>", "message": "<text>", "metadata": {...}}

    200  [{"recipient_id": ..., "text": ..., "buttons": [...]}, ...]   the bot's replies
    4xx  {"error": "<code>", "detail": "<what to fix>"}                 nothing was processed

    code                 status  when
    unsupported_media    415     Content-Type is not application/json (or +json)
    body_too_large       413     body over MAX_BODY_BYTES (256 KiB)
    message_too_long     413     message over MAX_MESSAGE_CHARS (5,000) characters
    invalid_json         400     body is not UTF-8 JSON (NaN/Infinity included)
    invalid_body         400     body is not a JSON object
    invalid_sender       400     sender missing, not a string, empty or blank, over
                                 MAX_SENDER_CHARS (255), or with control characters
                                 or lone surrogates
    invalid_message      400     message missing or not a string
    empty_message        400     message empty or only whitespace
    invalid_metadata     400     metadata present but not a JSON object
    invalid_input_channel 400    input_channel present but not a short plain string
    not_ready            503     no model loaded yet
    not_saved            503     the database could not read or keep the
                                 conversation: nothing of the message was kept
                                 or answered; send it again (Retry-After: 30)
    internal_error       500     the message could not be processed (a bug or a
                                 database failure): it may not have been stored,
                                 so the client should send it again

What differs from `rasa.core.channels.rest.RestInput`, and why (see the probe
table in tests/test_bad_input.py):
- a body that is not a JSON object (empty, a list, a number, null, a string) was a
  500; a message that is not a string, or metadata that is not an object, was
  a 200 with no reply and the message silently dropped;
- a sender with a lone surrogate ("\\udfff", valid escaped JSON) stopped the whole
  server with SQLite, and one with NUL stopped it with PostgreSQL: Rasa's SQL
  tracker store calls sys.exit() on any ValueError (UnicodeEncodeError and
  psycopg2's "cannot contain NUL" are ValueErrors). A sender over 255 characters
  (the column's size) was kept in memory only with PostgreSQL, and so lost;
- a missing sender wrote into the shared conversation "default", mixing
  strangers' health conversations; it is now a 400;
- a 100 KB message took seconds of NLU for text the screening never reads
  (screening.extraction reads the first 5,000 characters);
- on a failure the stock connector logged the message text at ERROR level (and
  structlog put it in the traceback's locals); this one logs no text. A message
  that starts with "/" but is not a button payload Rasa accepts (unknown intent,
  broken JSON, text after it) made Rasa warn with the whole text at the default
  level; such a message is now passed on without its leading slashes, as the plain
  text it is (FAQ buttons, "/faq/<topic>", are passed on unchanged). That also
  lets the urgent-sign check read it: text that starts with "/" was skipped as a
  button payload;
- lone surrogates in the message are replaced by U+FFFD (they cannot be encoded
  as UTF-8, so nothing could store or send them); everything else in the text is
  passed on unchanged, emoji, right-to-left text, control characters and markup
  included;
- with ?stream=true, a failure left the response open for ever;
- a reply's picture (channels/images.py) comes as a message of its own before
  the question it illustrates, {"recipient_id": ..., "image": "/images/...",
  "alt_text": "..."}; `image` is an absolute URL when PUBLIC_BASE_URL is set.
"""

import asyncio
import json
import logging
import re
import unicodedata
import warnings
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple, Union

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import QueueOutputChannel, RestInput
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from channels.env import read_env
from channels.images import PictureFirstOutput, PicturesBlueprint, absolute_url, picture_for
from channels.saved_turns import handle_and_store
from persistence.tracker_store import ConversationNotSaved

logger = logging.getLogger(__name__)

# A chat message, not a document: the screening reads the first 5,000 characters
# (screening.extraction.MAX_CHARS), so a longer one is refused instead of being
# read in part. 5,000 characters is about a page of text.
MAX_MESSAGE_CHARS = 5_000
# The whole body, metadata included. 5,000 emoji written as JSON escapes
# ("\ud83d\ude00") are 60 KB; 256 KiB leaves room for metadata.
MAX_BODY_BYTES = 256 * 1024
# The size of the sender_id column of Rasa's SQL tracker store.
MAX_SENDER_CHARS = 255
MAX_INPUT_CHANNEL_CHARS = 64
# The error detail of an empty message, written so that a chat client can show it.
EMPTY_MESSAGE_REPLY = (
    "I didn't get a message. You can ask me about back dimples, "
    "or check a dimple at the bottom of a baby's spine."
)

_SURROGATES_RE = re.compile("[\ud800-\udfff]")
_PAYLOAD_RE = YAMLStoryReader._regex_message_pattern()


class BadRequest(Exception):
    """Bad input: answered with `status` and a JSON error, nothing processed."""

    def __init__(self, status: int, error: Text, detail: Text, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.detail = detail
        self.extra = extra

    def response(self) -> HTTPResponse:
        return response.json(
            {"error": self.error, "detail": self.detail, **self.extra}, status=self.status
        )


def _reject_constant(name: Text) -> None:
    raise ValueError(f"{name} is not JSON")


def parse_body(content_type: Optional[Text], body: Optional[bytes]) -> Dict[Text, Any]:
    """The request body as a JSON object, or BadRequest."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json" and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise BadRequest(
            415,
            "unsupported_media",
            "send the message as JSON, with Content-Type: application/json",
        )
    body = body or b""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(
            413,
            "body_too_large",
            f"the request body is over {MAX_BODY_BYTES} bytes",
            max_bytes=MAX_BODY_BYTES,
        )
    try:
        data = json.loads(body.decode("utf-8-sig"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest(400, "invalid_json", "the body is not valid UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise BadRequest(
            400,
            "invalid_body",
            'the body must be a JSON object: {"sender": "...", "message": "..."}',
        )
    return data


def _has_control_or_surrogate(text: Text) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def replace_surrogates(text: Text) -> Text:
    """Lone surrogates (valid escaped JSON, but not Unicode text) become U+FFFD."""
    return _SURROGATES_RE.sub("\ufffd", text)


def is_valid_sender(value: Any) -> bool:
    """A conversation id every tracker store can keep (see validate_sender)."""
    try:
        validate_sender(value)
    except BadRequest:
        return False
    return True


def validate_sender(value: Any) -> Text:
    if value is None:
        raise BadRequest(
            400, "invalid_sender", "sender is required: a string that names the conversation"
        )
    if not isinstance(value, str):
        raise BadRequest(400, "invalid_sender", "sender must be a string")
    if not value.strip():
        raise BadRequest(400, "invalid_sender", "sender must not be empty")
    if len(value) > MAX_SENDER_CHARS:
        raise BadRequest(
            400,
            "invalid_sender",
            f"sender must be at most {MAX_SENDER_CHARS} characters",
            max_chars=MAX_SENDER_CHARS,
        )
    if _has_control_or_surrogate(value):
        raise BadRequest(
            400, "invalid_sender", "sender must not contain control characters or lone surrogates"
        )
    return value


def clean_message(value: Any) -> Text:
    """The message text to pass on: lone surrogates replaced, nothing else changed."""
    if value is None:
        raise BadRequest(400, "invalid_message", "message is required: the text the person wrote")
    if not isinstance(value, str):
        raise BadRequest(400, "invalid_message", "message must be a string")
    text = replace_surrogates(value)
    if len(text) > MAX_MESSAGE_CHARS:
        raise BadRequest(
            413,
            "message_too_long",
            f"the message is over {MAX_MESSAGE_CHARS} characters; please send a shorter one",
            max_chars=MAX_MESSAGE_CHARS,
        )
    if not text.strip():
        raise BadRequest(400, "empty_message", EMPTY_MESSAGE_REPLY)
    return text


def validate_metadata(value: Any) -> Optional[Dict[Text, Any]]:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadRequest(400, "invalid_metadata", "metadata must be a JSON object")
    return value


def validate_input_channel(value: Any, default: Text) -> Text:
    if value is None or value == "":
        return default
    if (
        not isinstance(value, str)
        or len(value) > MAX_INPUT_CHANNEL_CHARS
        or not value.strip()
        or _has_control_or_surrogate(value)
    ):
        raise BadRequest(
            400,
            "invalid_input_channel",
            f"input_channel must be a plain string of at most {MAX_INPUT_CHANNEL_CHARS} characters",
        )
    return value


def is_accepted_payload(text: Text, domain: Any) -> bool:
    """True if Rasa reads `text` as a button payload ("/intent{...}") without a warning.

    Rasa's own parser is used, so this cannot drift from what Rasa does. Its
    warnings quote the whole message; they are caught here (a few microseconds
    of synchronous code, so no other request runs meanwhile) and never shown.
    """
    stripped = text.strip()
    if not stripped.startswith(INTENT_MESSAGE_PREFIX) or not _PAYLOAD_RE.match(stripped):
        return False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            parsed = YAMLStoryReader.unpack_regex_message(Message({TEXT: stripped}), domain)
        except Exception:  # any doubt: not a payload
            return False
    return not caught and parsed.get(INTENT) is not None


def is_retrieval_button(text: Text, domain: Any) -> bool:
    """True for the payload of an FAQ button, such as "/faq/what_are_back_dimples".

    Rasa's payload parser does not know retrieval intents (it warns, quoting the
    payload, and the classifiers read it as text, which they are trained to
    answer); the payload must reach them unchanged.
    """
    name = text.strip()[len(INTENT_MESSAGE_PREFIX) :]
    base, _, key = name.partition("/")
    return (
        bool(key)
        and base in getattr(domain, "retrieval_intents", ())
        and (f"utter_{name}" in (getattr(domain, "responses", None) or {}))
    )


def as_text(text: Text, domain: Any) -> Text:
    """A message starting with "/" that is not an accepted payload, without the slashes."""
    stripped = text.lstrip()
    if (
        stripped.startswith(INTENT_MESSAGE_PREFIX)
        and not is_accepted_payload(text, domain)
        and not is_retrieval_button(text, domain)
    ):
        return stripped.lstrip(INTENT_MESSAGE_PREFIX)
    return text


class PicturesFirst(PictureFirstOutput):
    """A reply's picture as a message of its own before its text and buttons (Rasa
    puts it after them), as an absolute URL when PUBLIC_BASE_URL is set (else the
    path on this server), with its description in words as `alt_text`."""

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        picture = picture_for(image)
        if picture is None:
            await super().send_image_url(recipient_id, image, **kwargs)
            return
        reply = self._message(recipient_id, image=absolute_url(read_env("PUBLIC_BASE_URL"), image))
        reply["alt_text"] = picture.alt
        await self._persist_message(reply)


class PicturesFirstCollector(PicturesFirst, CollectingOutputChannel):
    pass


class PicturesFirstQueue(PicturesFirst, QueueOutputChannel):
    pass


class SafeRestInput(RestInput):
    """REST webhook at /webhooks/rest/webhook that answers bad input with a 4xx."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @staticmethod
    async def on_message_wrapper(
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: Text,
        queue: asyncio.Queue,
        sender_id: Text,
        input_channel: Text,
        metadata: Optional[Dict[Text, Any]],
    ) -> None:
        # The stock wrapper puts "DONE" only on success: a failure left the
        # streamed response open for ever.
        try:
            # A stream cannot change its status once started: the replies are held
            # until the turn is stored, or replaced by "not saved, send it again".
            await handle_and_store(
                on_new_message,
                UserMessage(
                    text,
                    PicturesFirstQueue(queue),
                    sender_id,
                    input_channel=input_channel,
                    metadata=metadata,
                ),
            )
        except Exception as error:
            _log_failure(error, stream=True)
        finally:
            await queue.put("DONE")

    def read_request(self, request: Request) -> Tuple[Text, Text, Optional[Dict], Text]:
        """(sender, text, metadata, input_channel) of a valid request, or BadRequest."""
        data = parse_body(request.headers.get("content-type"), request.body)
        sender = validate_sender(data.get("sender"))
        text = clean_message(data.get("message"))
        metadata = validate_metadata(data.get("metadata"))
        input_channel = validate_input_channel(data.get("input_channel"), self.name())
        return sender, text, metadata, input_channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = PicturesBlueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            try:
                sender, text, metadata, input_channel = self.read_request(request)
                agent = getattr(request.app.ctx, "agent", None)
                if agent is None or not agent.is_ready():
                    raise BadRequest(503, "not_ready", "no model is loaded yet; try again soon")
                text = as_text(text, agent.domain)
                if not text.strip():  # it was only slashes
                    raise BadRequest(400, "empty_message", EMPTY_MESSAGE_REPLY)
            except BadRequest as bad:
                logger.debug("REST: refused a request (%s, %s).", bad.status, bad.error)
                return bad.response()

            if bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(on_new_message, text, sender, input_channel, metadata),
                    content_type="text/event-stream",
                )

            collector = PicturesFirstCollector()
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender,
                        input_channel=input_channel,
                        metadata=metadata,
                    )
                )
            except asyncio.CancelledError:
                logger.error(
                    "REST: handling a message was cancelled (time-out or the client went away)."
                )
                raise
            except ConversationNotSaved as error:
                logger.error("REST: a message could not be stored (%s); answered 503.", error)
                return response.json(
                    {
                        "error": "not_saved",
                        "detail": "the message could not be saved, so it was not processed; "
                        "please send it again in a minute or two",
                    },
                    status=503,
                    headers={"Retry-After": "30"},
                )
            except Exception as error:
                _log_failure(error)
                return response.json(
                    {
                        "error": "internal_error",
                        "detail": "the message could not be processed and may not have "
                        "been kept; please send it again",
                    },
                    status=500,
                )
            return response.json(collector.messages)

        return webhook


def _log_failure(error: BaseException, stream: bool = False) -> None:
    # The exception's type and where it happened, never its message or the
    # frames' locals: either can hold what the person wrote.
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}")
        tb = tb.tb_next
    logger.error(
        "REST: failed to handle a message%s: %s at %s",
        " (streamed)" if stream else "",
        type(error).__name__,
        " <- ".join(reversed(frames[-6:])) or "?",
    )
