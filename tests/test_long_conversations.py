"""Long conversations are split into sessions at quiet points (components/long_conversations.py),
so a message costs the same at turn 400 as at turn 10, and nothing of the conversation is lost
or changes meaning.

The decision is table-tested; the whole is run over HTTP against the session's PostgreSQL server
(tests/conftest.py starts it with a small SESSION_MAX_EVENTS, so a short test crosses several
session bounds) and read back straight from the database.
"""

from typing import List, Optional

import psycopg2
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from components.long_conversations import (
    carried_over_session,
    events_in_session,
    is_quiet_point,
    last_bot_action,
    should_start_new_session,
)
from scripts.conversation import texts
from tests.stores import POSTGRES_URL

# What conftest.py gives the PostgreSQL server (SESSION_MAX_EVENTS).
SERVER_LIMIT = 40


@pytest.mark.parametrize(
    "active_loop, requested_slot, bot_action, quiet",
    [
        (None, None, "utter_faq", True),
        (None, None, "action_screening_outcome", True),
        (None, None, None, True),  # nothing said yet
        ("screening_form", "hair_tuft", "screening_form", False),  # mid-screening
        ("screening_form", None, "screening_form", False),
        (None, "deep", "utter_faq", False),  # a question is still open
        (None, None, "utter_ask_urgent_confirmation", False),  # "Is this happening now?"
        (None, None, "utter_ask_delete_conversation", False),  # "Delete it all?"
        (None, None, "action_ask_faq_topic", False),  # "Did you mean ...?"
    ],
)
def test_a_new_session_starts_only_where_nothing_depends_on_the_turns_before(
    active_loop: Optional[str],
    requested_slot: Optional[str],
    bot_action: Optional[str],
    quiet: bool,
):
    assert is_quiet_point(active_loop, requested_slot, bot_action) is quiet


def _tracker(turns: int, extra: Optional[List] = None) -> DialogueStateTracker:
    events: List = [ActionExecuted("action_session_start"), SessionStarted()]
    events.append(ActionExecuted("action_listen"))
    for index in range(turns):
        events += [
            UserUttered(f"question {index}"),
            ActionExecuted("utter_faq"),
            ActionExecuted("action_listen"),
        ]
    return DialogueStateTracker.from_events("someone", events + (extra or []))


DOMAIN = Domain.from_dict(
    {
        "slots": {
            "hair_tuft": {"type": "any", "mappings": [{"type": "custom"}]},
            "subject": {"type": "any", "mappings": [{"type": "custom"}]},
        },
        "forms": {"screening_form": {"required_slots": ["hair_tuft"]}},
    }
)


def test_the_limit_counts_only_the_current_session():
    tracker = _tracker(10)  # session start (2), then 1 + 3 per turn
    assert events_in_session(tracker.events) == 31  # those after SessionStarted
    assert not should_start_new_session(tracker, limit=31)
    assert should_start_new_session(tracker, limit=30)
    assert not should_start_new_session(tracker, limit=0)  # 0 turns it off

    for event in carried_over_session(tracker):
        tracker.update(event)
    assert events_in_session(tracker.events) == 1  # only action_listen
    assert not should_start_new_session(tracker, limit=30)


def test_no_new_session_inside_the_screening_however_long_it_is():
    tracker = _tracker(20, [ActiveLoop("screening_form"), SlotSet("requested_slot", "hair_tuft")])
    assert last_bot_action(tracker.events) == "utter_faq"
    assert not should_start_new_session(tracker, limit=10)


def test_every_slot_is_carried_over_into_the_new_session():
    tracker = _tracker(3)
    tracker.update(SlotSet("hair_tuft", "yes"), DOMAIN)
    tracker.update(SlotSet("subject", "baby"), DOMAIN)
    for event in carried_over_session(tracker):
        tracker.update(event, DOMAIN)
    assert isinstance(tracker.events[-1], ActionExecuted)
    assert tracker.events[-1].action_name == "action_listen"
    assert tracker.get_slot("hair_tuft") == "yes" and tracker.get_slot("subject") == "baby"
    # The SQL store reads a session back as the events stamped at or after its start.
    started = [e for e in tracker.events if isinstance(e, SessionStarted)][-1].timestamp
    new_session = [e for e in tracker.events if e.timestamp >= started]
    assert [e.key for e in new_session if isinstance(e, SlotSet)] == ["hair_tuft", "subject"]
    # Replayed from its events alone, as the next message reads it from the store.
    again = DialogueStateTracker.from_events("someone", list(tracker.events), DOMAIN.slots)
    assert again.get_slot("hair_tuft") == "yes" and again.get_slot("subject") == "baby"


# --------------------------------------------------------------------------- over HTTP


def _rows(sender: str) -> List[str]:
    with psycopg2.connect(POSTGRES_URL) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT type_name FROM events WHERE sender_id = %s ORDER BY id", (sender,))
        return [row[0] for row in cursor.fetchall()]


def _sessions(rows: List[str]) -> List[int]:
    """The number of events of each session, in order."""
    sizes: List[int] = []
    for type_name in rows:
        if type_name == "session_started" or not sizes:
            sizes.append(0)
        sizes[-1] += 1
    return sizes


QUESTIONS = [
    "what are back dimples",
    "are back dimples genetic",
    "can exercise give me back dimples",
    "what is a sacral dimple",
]


@pytest.mark.server
def test_a_long_conversation_keeps_every_message_its_answers_and_its_answers_so_far(
    postgres_server,
):
    server = postgres_server
    sender = f"long-{__import__('uuid').uuid4().hex[:8]}"
    sent = 0

    def say(text: str) -> str:
        nonlocal sent
        sent += 1
        return texts(server.send(sender, text))

    # A sign mentioned, then the questions stopped: the answer is kept as a slot.
    say("my newborn has a dimple with a small tuft of hair above it")
    say("stop")
    assert server.slots(sender)["hair_tuft"] == "yes"

    first_answers = {question: say(question) for question in QUESTIONS}
    for _ in range(4):
        for question in QUESTIONS:
            assert say(question) == first_answers[question], question

    rows = _rows(sender)
    sizes = _sessions(rows)
    assert len(sizes) >= 3, sizes  # the conversation crossed the limit several times
    # No session grows much past the limit: one turn's events at most.
    assert max(sizes) <= SERVER_LIMIT + 25, sizes
    # Every message stored exactly once, whatever session it fell in.
    assert rows.count("user") == sent
    # The answer given before the split is still known after it.
    assert server.slots(sender)["hair_tuft"] == "yes"

    # A question across the limit: the reply to it is read as its answer.
    assert "delete this conversation" in say("please delete my conversation")
    assert "deleted this conversation" in say("/affirm")
    assert _rows(sender) == []  # every session of it
