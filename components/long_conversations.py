"""Long conversations cost no more per message than short ones.

Rasa 3.6 reads back, replays and turns into dialogue states every event of the
current session for each message: measured over one conversation of 400
messages, Rasa's CPU per message rose from 57 ms (turns 0-49) to 388 ms (turns
350-399), in equal parts reading the tracker and the policies' state history
(docs/performance.md). A Telegram or Slack chat kept open, or a web chat left
in a tab, gets slower with every message, and slows the server for everyone.

Rasa already bounds that work by the session: the SQL tracker store reads only
the events since the latest `SessionStarted`, and the policies replay only
those. So when a session has grown past `SESSION_MAX_EVENTS` events, the next
message first opens a new session that carries every slot over, exactly the
events Rasa's own `action_session_start` writes with `carry_over_slots` on. Nothing
is deleted: the earlier sessions stay in the store (and in `GET
/conversations/<id>/tracker`, which reads all sessions).

It happens only at a quiet point, where nothing that follows depends on the
turns before: no form active and no slot requested, and the bot's latest action
was not a question (by this project's naming, `utter_ask_*` and `action_ask_*`,
which is what the rules that start with a bot action follow, such as the
urgent-sign and the deletion confirmations). The session's time-out
(domain.yml `session_config`) still starts an empty session as before.
"""

import os
from typing import Any, List, Optional, Reversible

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

ENV_VAR = "SESSION_MAX_EVENTS"
# About 20-40 messages: a whole screening (up to ~150 events) fits in one session.
DEFAULT_MAX_EVENTS = 200
QUESTION_PREFIXES = ("utter_ask_", "action_ask_")


def max_session_events() -> int:
    """The limit from the environment; 0 or less turns compaction off."""
    try:
        return int(os.environ.get(ENV_VAR, DEFAULT_MAX_EVENTS))
    except ValueError:
        return DEFAULT_MAX_EVENTS


def events_in_session(events: Reversible[Event]) -> int:
    """How many events the current session holds (after its `SessionStarted`)."""
    count = 0
    for event in reversed(events):
        if isinstance(event, SessionStarted):
            break
        count += 1
    return count


def last_bot_action(events: Reversible[Event]) -> Optional[str]:
    """The latest action other than listening, or None."""
    for event in reversed(events):
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name
    return None


def is_quiet_point(
    active_loop: Optional[str], requested_slot: Any, bot_action: Optional[str]
) -> bool:
    """Whether a new session can start here without changing what the bot does next."""
    if active_loop or requested_slot is not None:
        return False
    return not (bot_action or "").startswith(QUESTION_PREFIXES)


def should_start_new_session(tracker: DialogueStateTracker, limit: int) -> bool:
    if limit <= 0 or events_in_session(tracker.events) <= limit:
        return False
    return is_quiet_point(
        tracker.active_loop_name,
        tracker.get_slot(REQUESTED_SLOT),
        last_bot_action(tracker.events),
    )


def carried_over_session(tracker: DialogueStateTracker) -> List[Event]:
    """The events of `action_session_start` with every slot carried over."""
    # Made in this order on purpose: the SQL store reads a session back as the events
    # stamped at or after its `SessionStarted`, so a slot event made before it would be
    # left out of the next read.
    events: List[Event] = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted()]
    events += [
        SlotSet(name, slot.value)
        for name, slot in tracker.slots.items()
        if slot.value != slot.initial_value
    ]
    events.append(ActionExecuted(ACTION_LISTEN_NAME))
    return events


def apply() -> None:
    """Start the new session where Rasa checks for an expired one."""
    from rasa.core.processor import MessageProcessor

    rasa_update = MessageProcessor._update_tracker_session
    if getattr(rasa_update, "bounds_sessions", False):
        return
    limit = max_session_events()

    async def _update_tracker_session(
        self: MessageProcessor,
        tracker: DialogueStateTracker,
        output_channel: Any,
        metadata: Optional[dict] = None,
    ) -> None:
        await rasa_update(self, tracker, output_channel, metadata)
        if should_start_new_session(tracker, limit):
            for event in carried_over_session(tracker):
                tracker.update(event, self.domain)

    _update_tracker_session.bounds_sessions = True  # type: ignore[attr-defined]
    MessageProcessor._update_tracker_session = _update_tracker_session
