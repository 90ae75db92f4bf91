"""The action server goes down and comes back: the assistant keeps answering.

First the decision table of components/action_server_down.py, then the real
thing: a Rasa server whose action server is stopped mid-screening and started
again on the same port.
"""

import uuid

import pytest

from components.action_server_down import (
    FAQ,
    UNAVAILABLE,
    URGENT_OFFLINE,
    failed_actions,
    next_action,
)
from screening.routing import CONFIRM_QUESTION as CONFIRM
from scripts.conversation import texts
from tests.test_screening_e2e import SIMPLE_BABY, Conversation

CUSTOM = {
    "action_start_screening",
    "action_screening_outcome",
    "screening_form",
    "action_ask_faq_topic",
}
LISTEN, DEACTIVATE = "action_listen", "action_deactivate_loop"


def act(name):
    return ("action", name)


EVENT = ("other", "")

# steps of the current turn, intent, active loop -> next action (None: not this policy's turn)
TABLE = [
    # Successful custom actions are followed by their events.
    ([act("action_start_screening"), EVENT], "start_screening", None, None),
    ([act("screening_form"), EVENT, EVENT], "deny", "screening_form", None),
    ([], "greet", None, None),
    ([act("utter_greet")], "greet", None, None),
    # A failed start: say so and list the urgent signs, then listen.
    ([act("action_start_screening")], "start_screening", None, UNAVAILABLE),
    ([act("action_start_screening"), act(UNAVAILABLE), EVENT], "start_screening", None, LISTEN),
    # A failed form: close it first, then say so.
    ([act("screening_form")], "deny", "screening_form", DEACTIVATE),
    ([act("screening_form"), act(DEACTIVATE), EVENT, EVENT], "deny", None, UNAVAILABLE),
    # An FAQ question when the form failed is still answered.
    ([act("screening_form"), act(DEACTIVATE), EVENT], "faq", None, FAQ),
    ([act("screening_form"), act(DEACTIVATE), EVENT, act(FAQ), EVENT], "faq", None, UNAVAILABLE),
    # "Did you mean ...?" needs the action server: ask to rephrase, never guess a topic.
    ([act("action_ask_faq_topic")], "faq_unclear", None, "utter_default"),
    ([act("action_ask_faq_topic"), act("utter_default")], "faq_unclear", None, LISTEN),
    # ... and mid-screening, say too that the check cannot run now.
    ([act("screening_form"), act(DEACTIVATE), EVENT], "faq_unclear", None, "utter_default"),
    (
        [act("screening_form"), act(DEACTIVATE), EVENT, act("utter_default")],
        "faq_unclear",
        None,
        UNAVAILABLE,
    ),
    # An urgent sign gets urgent advice from the Rasa side.
    ([act("action_screening_outcome")], "report_urgent_sign", None, URGENT_OFFLINE),
    (
        [act("action_screening_outcome"), act(URGENT_OFFLINE), EVENT],
        "report_urgent_sign",
        None,
        LISTEN,
    ),
    ([act("screening_form")], "report_urgent_sign", "screening_form", DEACTIVATE),
    ([act("screening_form"), act(DEACTIVATE), EVENT], "report_urgent_sign", None, URGENT_OFFLINE),
    # A possible urgent sign: the confirming question is a response, asked from the Rasa side.
    ([act("screening_form")], "possible_urgent_sign", "screening_form", DEACTIVATE),
    ([act("screening_form"), act(DEACTIVATE), EVENT], "possible_urgent_sign", None, CONFIRM),
    (
        [act("screening_form"), act(DEACTIVATE), EVENT, act(CONFIRM)],
        "possible_urgent_sign",
        None,
        LISTEN,
    ),
    # The outcome failed after a completed form.
    ([act("screening_form"), EVENT, act("action_screening_outcome")], "deny", None, UNAVAILABLE),
]


@pytest.mark.parametrize("steps, intent, loop, expected", TABLE)
def test_what_follows_a_failed_action(steps, intent, loop, expected):
    assert next_action(steps, CUSTOM, intent, loop) == expected


def test_only_custom_actions_count_as_failed():
    # A Rasa-side action with no events (action_listen, an utterance) is no failure.
    assert failed_actions([act("action_listen"), act("utter_greet")], CUSTOM) == []
    assert failed_actions([act("screening_form"), act("utter_faq")], CUSTOM) == ["screening_form"]


# --- the real stack -------------------------------------------------------------

UNAVAILABLE_TEXT = "can't run the dimple check right now"
HARMLESS_TEXT = "Back dimples are completely harmless"


@pytest.fixture
def outage(rasa_server, actions):
    """The session's server and action server; the test stops the action server. It runs
    again after the test, on the same port."""
    yield rasa_server, actions
    if not actions.alive():
        actions.start()


@pytest.mark.server
def test_the_assistant_keeps_answering_while_the_action_server_is_down(outage):
    server, actions = outage
    chat = Conversation(server, "outage")
    chat.say("/start_screening")
    chat.say('/inform{"subject": "baby"}')
    chat.say("she's 2 weeks old")  # an age in words is kept, though no longer asked
    assert chat.slots()["requested_slot"] == "dimple_pattern"

    actions.stop()

    # Mid-screening: an FAQ question is still answered, then the outage is explained.
    reply = chat.say("are back dimples harmful?")
    assert HARMLESS_TEXT in reply
    assert UNAVAILABLE_TEXT in reply and "fluid or pus" in reply and "emergency number" in reply
    assert chat.active_loop() is None
    kept = chat.slots()
    assert kept["subject"] == "baby" and kept["age_months"] == 0.5  # nothing lost

    # Starting the check again during the outage says the same, every time.
    assert UNAVAILABLE_TEXT in chat.say("/start_screening")
    # FAQ outside the screening works as usual, with no outage message.
    reply = chat.say("are back dimples harmful?")
    assert HARMLESS_TEXT in reply and UNAVAILABLE_TEXT not in reply

    # An urgent sign still gets urgent advice.
    urgent = Conversation(server, "outage-urgent")
    reply = urgent.say("my newborn's dimple is leaking pus")
    assert "medical care today" in reply and "emergency number" in reply

    # The action server comes back on the same address: no restart of Rasa needed.
    actions.start()

    reply = chat.say("/start_screening")
    assert UNAVAILABLE_TEXT not in reply
    assert chat.slots()["requested_slot"] == "dimple_pattern"  # carries on, not from the start
    advice = chat.answer_until_done(SIMPLE_BABY)
    assert chat.outcome() == ("reassure", [])
    assert "not a diagnosis" in advice
    assert "subject" not in chat.asked[chat.asked.index("dimple_pattern") :]

    reply = urgent.say("my newborn's dimple is leaking pus")
    assert urgent.outcome()[0] == "urgent" and "today" in reply


@pytest.mark.server
def test_a_new_conversation_during_the_outage_is_told_what_to_watch_for(outage):
    server, actions = outage
    actions.stop()  # nothing listens at the action endpoint: as if it never started
    sender = f"outage-new-{uuid.uuid4().hex[:8]}"
    reply = texts(server.send(sender, "I'd like to check a dimple on my baby's back"))
    assert UNAVAILABLE_TEXT in reply and "fluid or pus" in reply
    assert texts(server.send(sender, "hi")), "no reply to a greeting"
