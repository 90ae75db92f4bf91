"""Each custom action, run with rasa_sdk's Tracker and CollectingDispatcher."""

import asyncio
import logging
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.extract_findings import ActionExtractFindings
from actions.screening_control import ActionStartScreening
from actions.screening_form import ValidateScreeningForm
from actions.screening_outcome import ActionScreeningOutcome
from actions.screening_questions import (
    ActionAskScreeningMore,
    ActionAskSignsDimple,
    ActionAskSignsMarks,
    ActionAskSignsWhich,
)
from screening.findings import FINDINGS
from scripts.processes import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
ALL_NO = {name: "no" for name in FINDINGS}
URGENT_NO = {"drainage": "no", "infection": "no", "neuro_symptoms": "no"}


def tracker(
    slots: Optional[Dict[str, Any]] = None,
    text: str = "",
    intent: str = "inform",
    entities: Optional[List[Dict[str, Any]]] = None,
    active_loop: Optional[str] = None,
    events: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    return Tracker(
        sender_id="test",
        slots={"requested_slot": None, **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run(action, track: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, DOMAIN))
    return events, dispatcher.messages


def slot_events(events) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# --- action_extract_findings -------------------------------------------------


def test_extract_findings_reads_free_text_with_negation():
    events, messages = run(
        ActionExtractFindings(),
        tracker(
            {"requested_slot": "hair_tuft"},
            "no hair or marks, but there's a little skin tag",
            "deny",
            active_loop="screening_form",
        ),
    )
    assert slot_events(events) == {"hair_tuft": "no", "discoloration": "no", "skin_tag": "yes"}
    assert messages == []


def test_extract_findings_answers_the_open_question_from_a_button():
    events, _ = run(
        ActionExtractFindings(),
        tracker({"requested_slot": "lump"}, "/affirm", "affirm", active_loop="screening_form"),
    )
    assert slot_events(events) == {"lump": "yes"}


def test_extract_findings_ignores_yes_when_no_screening_is_running():
    events, _ = run(ActionExtractFindings(), tracker({"requested_slot": "lump"}, "yes", "affirm"))
    assert slot_events(events) == {}


def test_extract_findings_records_urgent_signs_outside_the_screening():
    events, _ = run(
        ActionExtractFindings(), tracker(text="my baby's dimple is oozing pus", intent="faq")
    )
    assert slot_events(events)["drainage"] == "yes"


# --- validate_screening_form --------------------------------------------------


def _next_question(slots):
    events = asyncio.run(
        ValidateScreeningForm().run(
            CollectingDispatcher(), tracker(slots, active_loop="screening_form"), DOMAIN
        )
    )
    requested = [e["value"] for e in events if e.get("name") == "requested_slot"]
    return requested[-1]


def _validate_typed(text: str, found: Dict[str, Any]):
    """The form's validation after a typed answer to the urgent signs that found `found`."""
    slots = {"subject": "baby", "dimple_pattern": "one_midline"}
    candidates = [{"event": "slot", "name": n, "value": v} for n, v in found.items()]
    track = tracker(
        {**slots, **found, "requested_slot": "signs_urgent"},
        text,
        "inform",
        active_loop="screening_form",
        events=[{"event": "user", "text": text}, *candidates],
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateScreeningForm().run(dispatcher, track, DOMAIN))
    return [m["text"] for m in dispatcher.messages]


def test_a_typed_answer_to_another_question_is_said_back_before_it_comes_again():
    # "a lil dent" tells that the dimple is shallow (its bottom can be seen), not
    # whether an urgent sign is there: the urgent signs are asked again, after saying
    # back what was read. (Rasa drops messages of the action that extracts slots.)
    assert _validate_typed("a lil dent", {"deep": "no"}) == ["I've noted: you can see its bottom."]
    # the open question answered: the next question follows, nothing said back
    assert _validate_typed("none of those", {"signs_urgent": "none", **URGENT_NO}) == []


def test_the_form_does_not_fill_the_log_with_skipped_validations(caplog):
    """rasa_sdk's "Skipping validation for `slot`" warning (the slots are checked by the
    extraction, by design) is not logged; the form still works."""
    caplog.set_level(logging.INFO, logger="rasa_sdk.forms")
    # the "who" button answered: rasa_sdk would warn that `subject` has no validate_subject
    track = tracker(
        {"subject": "baby", "requested_slot": "subject"},
        '/inform{"subject": "baby"}',
        active_loop="screening_form",
        events=[
            {"event": "user", "text": "/inform"},
            {"event": "slot", "name": "subject", "value": "baby"},
        ],
    )
    events, _ = run(ValidateScreeningForm(), track)
    assert [e["value"] for e in events if e.get("name") == "requested_slot"] == ["dimple_pattern"]
    assert not [r for r in caplog.records if "Skipping validation" in r.getMessage()]
    # other warnings of the same logger still show
    logging.getLogger("rasa_sdk.forms").warning("another warning")
    assert [r.getMessage() for r in caplog.records] == ["another warning"]


def test_form_asks_where_after_who_and_never_the_age():
    assert _next_question({"subject": "baby"}) == "dimple_pattern"
    assert _next_question({"subject": "self"}) == "dimple_pattern"


def test_form_asks_the_urgent_list_after_where():
    assert _next_question({"subject": "baby", "dimple_pattern": "one_midline"}) == "signs_urgent"


def test_form_ends_at_once_on_an_urgent_sign():
    assert _next_question({"subject": "baby", "infection": "yes"}) is None


def test_form_ends_after_side_dimples():
    assert _next_question({"subject": "self", "dimple_pattern": "two_sides"}) is None


# --- action_screening_outcome --------------------------------------------------


@pytest.mark.parametrize(
    "slots, result, red_flags, words",
    [
        (
            {**ALL_NO, "subject": "baby", "age_months": 0.5, "dimple_pattern": "one_midline"},
            "reassure",
            [],
            "simple sacral dimple",
        ),
        ({**ALL_NO, "hair_tuft": "yes", "subject": "baby"}, "refer", ["hair_tuft"], "tuft of hair"),
        ({**ALL_NO, "deep": "unsure"}, "refer", ["unsure"], "You were not sure about"),
        ({"drainage": "yes"}, "urgent", ["drainage", "unsure"], "medical care today"),
    ],
)
def test_outcome_sets_the_contract_slots_and_explains(slots, result, red_flags, words):
    events, messages = run(ActionScreeningOutcome(), tracker(slots, active_loop="screening_form"))
    got = slot_events(events)
    assert (got["screening_result"], got["red_flags"]) == (result, red_flags)
    text = "\n".join(m["text"] for m in messages)
    assert words in text and "not a diagnosis" in text
    assert ActiveLoop(None) in events


def test_outcome_after_yes_to_the_urgent_list_is_urgent_at_once():
    events, messages = run(
        ActionScreeningOutcome(), tracker({"signs_urgent": "some"}, active_loop="screening_form")
    )
    assert slot_events(events)["screening_result"] == "urgent"
    assert "medical care today" in "\n".join(m["text"] for m in messages)


# One dimple low in the middle, no urgent sign, a tuft of hair: the advice (see a doctor)
# is settled, and the other groups are still open.
SETTLED_BY_HAIR = {
    "dimple_pattern": "one_midline",
    "high": "no",
    "multiple": "no",
    "off_midline": "no",
    "drainage": "no",
    "infection": "no",
    "neuro_symptoms": "no",
    "hair_tuft": "yes",
}


def test_outcome_after_stop_here_marks_what_was_not_asked():
    slots = {"subject": "baby", **SETTLED_BY_HAIR, "screening_more": "stop"}
    events, messages = run(ActionScreeningOutcome(), tracker(slots, active_loop="screening_form"))
    got = slot_events(events)
    # Not asked counts as not ruled out (docs/screening.md): the result is refer either way.
    assert (got["screening_result"], got["red_flags"]) == ("refer", ["hair_tuft", "unsure"])
    text = "\n".join(m["text"] for m in messages)
    assert "Skin tag or growth: not asked" in text and "Tuft of hair: yes" in text
    assert "You were not sure about" not in text


# --- the grouped questions --------------------------------------------------------


def test_a_group_question_lists_only_its_open_signs_with_three_buttons():
    _, messages = run(ActionAskSignsMarks(), tracker({"skin_tag": "no"}))
    (message,) = messages
    assert "hair" in message["text"] and "lump" in message["text"]
    assert "skin tag" not in message["text"].lower()
    titles = [b["title"] for b in message["buttons"]]
    assert titles == ["None of these", "Yes, one or more", "Not sure"]


def test_a_group_question_with_one_open_sign_asks_about_that_one():
    _, messages = run(ActionAskSignsDimple(), tracker({"deep": "no"}))
    (message,) = messages
    assert message["text"].startswith("Now the dimple itself. Is this true?")
    assert "wider" in message["text"] and "bottom" not in message["text"]
    _, messages = run(ActionAskSignsDimple(), tracker({}))
    assert "Is either of these true?" in messages[0]["text"]


def test_the_dimple_question_comes_with_its_picture_in_one_message():
    _, messages = run(ActionAskSignsDimple(), tracker({}))
    (message,) = messages
    assert message["image"] == "/images/dimple-depth-size.png" and message["buttons"]


def test_which_ones_offers_a_button_per_open_sign_and_not_sure_which():
    _, messages = run(ActionAskSignsWhich(), tracker({"signs_marks": "some", "lump": "no"}))
    (message,) = messages
    assert [b["title"] for b in message["buttons"]] == [
        "Hair",
        "Skin tag",
        "Birthmark or patch",
        "Not sure which",
    ]
    assert message["buttons"][0]["payload"] == '/inform{"sign": "hair_tuft"}'


def test_the_offer_says_why_and_counts_the_questions_left():
    slots = dict(SETTLED_BY_HAIR)
    _, messages = run(ActionAskScreeningMore(), tracker(slots))
    (message,) = messages
    assert "enough to recommend a doctor's visit" in message["text"]
    assert "tuft of hair" in message["text"]
    assert [b["title"] for b in message["buttons"]] == [
        "Finish the summary for the doctor (3 more short questions)",
        "Stop here",
    ]


CONFIRMED = [
    {"event": "action", "name": "utter_ask_urgent_confirmation"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "yes"},
]


@pytest.mark.parametrize(
    "intent, result", [("affirm", "urgent"), ("dont_know", "urgent"), ("deny", "refer")]
)
def test_outcome_after_the_confirming_question(intent, result):
    events, _ = run(ActionScreeningOutcome(), tracker({}, "yes", intent, events=CONFIRMED))
    assert slot_events(events)["screening_result"] == result


def test_a_reply_to_the_confirming_question_does_not_answer_the_open_question():
    events, _ = run(
        ActionExtractFindings(),
        tracker(
            {"requested_slot": "lump"},
            "yes",
            "affirm",
            active_loop="screening_form",
            events=CONFIRMED,
        ),
    )
    assert slot_events(events) == {}


def test_form_hands_a_possible_urgent_sign_back_to_the_rules():
    events, _ = run(
        ValidateScreeningForm(),
        tracker(
            {"requested_slot": "hair_tuft"},
            "she's not herself",
            "possible_urgent_sign",
            active_loop="screening_form",
        ),
    )
    assert events == [
        {
            "event": "action_execution_rejected",
            "name": "screening_form",
            "policy": None,
            "confidence": None,
            "timestamp": None,
        }
    ]


def test_outcome_for_an_urgent_intent_without_a_known_sign_is_still_urgent():
    events, _ = run(
        ActionScreeningOutcome(), tracker({}, "something is coming out of it", "report_urgent_sign")
    )
    assert slot_events(events)["screening_result"] == "urgent"


# --- action_start_screening -----------------------------------------------------


def test_start_keeps_what_a_first_message_said():
    events, messages = run(
        ActionStartScreening(),
        tracker(
            {"hair_tuft": "yes"},
            "my baby has a tuft of hair by her dimple",
            "start_screening",
            events=[
                {"event": "user", "text": "..."},
                {"event": "slot", "name": "hair_tuft", "value": "yes"},
            ],
        ),
    )
    # Nothing is reset; the one event is the sign of success the Rasa side looks for.
    assert events == [SlotSet("screening_interrupted", None)]
    # ... and what the message said is said back in one line.
    assert [m["text"] for m in messages] == ["I've noted: some hair near it."]


def test_start_by_button_says_nothing_back():
    _, messages = run(
        ActionStartScreening(),
        tracker(
            {},
            "/start_screening",
            "start_screening",
            events=[{"event": "user", "text": "/start_screening"}],
        ),
    )
    assert messages == []


def test_starting_again_forgets_the_last_screening_but_not_this_message():
    history: List[Dict[str, Any]] = [
        {"event": "active_loop", "name": "screening_form"},
        {"event": "slot", "name": "lump", "value": "yes"},
        {"event": "user", "text": "check my son's dimple again"},
        {"event": "slot", "name": "subject", "value": "child"},
    ]
    events, _ = run(
        ActionStartScreening(),
        tracker(
            {"lump": "yes", "subject": "child", "screening_result": "refer"},
            "check my son's dimple again",
            "start_screening",
            events=history,
        ),
    )
    got = slot_events(events)
    assert got["lump"] is None and got["screening_result"] is None and got["red_flags"] is None
    assert got["subject"] == "child"
    assert SlotSet("subject", "child") in events


def test_a_screening_cut_off_by_an_outage_carries_on_with_its_answers():
    history: List[Dict[str, Any]] = [
        {"event": "active_loop", "name": "screening_form"},
        {"event": "slot", "name": "hair_tuft", "value": "yes"},
        {"event": "slot", "name": "screening_interrupted", "value": True},
        {"event": "user", "text": "check a dimple"},
    ]
    events, _ = run(
        ActionStartScreening(),
        tracker(
            {"hair_tuft": "yes", "subject": "baby", "screening_interrupted": True},
            "check a dimple",
            "start_screening",
            events=history,
        ),
    )
    assert events == [SlotSet("screening_interrupted", None)]  # no answer reset
