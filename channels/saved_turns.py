"""A turn's replies reach the person only once the turn is stored.

Rasa sends each reply the moment an action produces it, and stores the turn at
the end. If the database then fails, the person has been answered for a
message the assistant does not remember: the next answer would contradict the
last one. The web chat, Slack and Telegram connectors therefore hand Rasa a
`HeldOutput` that keeps the replies, and send them after the turn was stored.
When the database fails (`ConversationNotSaved`, persistence/tracker_store.py)
they send `not_saved_reply` instead: the message was not kept, send it again
shortly. The REST channel answers 503 (channels/rest.py).

Safety: the held replies may have held urgent advice. The reply to a message
that was not kept gives urgent advice itself when the message states an urgent
sign (the same check as components/urgent_signs.py), and otherwise lists the
signs that need care today, as the answer does when the action server is down.
"""

import logging
from typing import Any, Awaitable, Callable, Dict, List, Text, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage

from persistence.tracker_store import ConversationNotSaved
from screening.extraction import extract, is_urgent

logger = logging.getLogger(__name__)

NOT_SAVED = (
    "Sorry, I couldn't save your message just now, so I haven't acted on it. "
    "Please send it again in a minute or two. What you told me before is kept."
)
NOT_SAVED_URGENT = (
    "What you describe can be a sign of an infection or a problem with the nerves. "
    "Please get medical care today: call your doctor or nurse line now, or go to urgent "
    "care or an emergency department. If someone is not breathing normally, will not "
    "wake up or is having a seizure (fit), call your local emergency number now."
)
NOT_SAVED_SIGNS = (
    "While you wait, please get medical care today if you see any of these:\n"
    "\u2022 fluid or pus coming from the dimple\n"
    "\u2022 redness, warmth or swelling around it, or a fever\n"
    "\u2022 new weakness in the legs, or new problems with peeing or pooing\n"
    "If someone is not breathing normally, will not wake up or is having a seizure (fit), "
    "call your local emergency number now."
)


def not_saved_reply(text: Any) -> Text:
    """What to tell a person whose message could not be stored."""
    urgent = isinstance(text, str) and not text.startswith("/") and is_urgent(extract(text))
    return f"{NOT_SAVED}\n\n{NOT_SAVED_URGENT if urgent else NOT_SAVED_SIGNS}"


class HeldOutput(OutputChannel):
    """Keeps a turn's replies until `release()` sends them on the real channel."""

    def __init__(self, channel: OutputChannel) -> None:
        self.channel = channel
        self.held: List[Tuple[Text, Dict[Text, Any]]] = []

    def name(self) -> Text:  # channel-specific responses are chosen by this name
        return self.channel.name()

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.held.append((recipient_id, message))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        # Called directly by code that answers without Rasa's dispatcher (the base
        # class would raise NotImplementedError and the reply would be lost).
        self.held.append((recipient_id, {"text": text}))

    async def release(self) -> None:
        for recipient_id, message in self.held:
            await self.channel.send_response(recipient_id, message)
        self.held = []


async def handle_and_store(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
) -> bool:
    """Hand the message to Rasa; send its replies once stored. False if not stored."""
    channel = message.output_channel
    held = HeldOutput(channel)
    message.output_channel = held
    try:
        await on_new_message(message)
    except ConversationNotSaved as error:
        # No sender id or text: both can identify a person.
        logger.error(
            "%s: a message could not be stored (%s); the person was told to send it again.",
            message.input_channel,
            error,
        )
        await channel.send_text_message(message.sender_id, not_saved_reply(message.text))
        return False
    await held.release()
    return True
