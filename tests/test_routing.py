"""Which way a message goes (screening/routing.py): the extractor decides about the
person's own case, the classifier's guess only where the extractor knows nothing.

Messages are read by the real extractor; the classifier's intent and ranking are
given, as the NLU pipeline would hand them over.
"""

import pytest

from screening.advice import noted
from screening.extraction import extract
from screening.routing import (
    CONFIRM_QUESTION,
    POSSIBLE_URGENT_INTENT,
    START_INTENT,
    URGENT_INTENT,
    confirmation_escalates,
    previous_bot_action,
    route,
    urgent_reported,
)

URGENT_FIRST = [(URGENT_INTENT, 0.7), ("faq", 0.2), ("inform", 0.1)]
FALLBACK_URGENT = [("nlu_fallback", 0.5), (URGENT_INTENT, 0.4), ("faq", 0.3)]


def routed(text, intent, ranking=()):
    """The intent the dialogue acts on."""
    return route(intent, list(ranking), extract(text)) or intent


@pytest.mark.parametrize(
    "text, intent, ranking, expected",
    [
        # an urgent sign stated about the person's own case: urgent, whatever the guess
        ("my baby's dimple is oozing pus, what does that mean?", "faq", [], URGENT_INTENT),
        ("oh and now the skin round it is hot and puffy", "inform", [], URGENT_INTENT),
        ("he's had a temperature since last night", "out_of_scope", [], URGENT_INTENT),
        ("my son has been limping since this morning", URGENT_INTENT, URGENT_FIRST, URGENT_INTENT),
        # the classifier guessed urgent, the extractor reads the sign denied: next guess
        (
            "it isn't weeping and the skin isn't red, but I can see some hair",
            URGENT_INTENT,
            URGENT_FIRST,
            START_INTENT,
        ),
        ("nothing is leaking from it", URGENT_INTENT, URGENT_FIRST, START_INTENT),
        # ... or asked about, or read about: the FAQ
        ("can a dimple that leaks be dangerous?", URGENT_INTENT, URGENT_FIRST, "faq"),
        ("I read that red swollen dimples can be infected", URGENT_INTENT, URGENT_FIRST, "faq"),
        ("what should I do if it starts oozing?", URGENT_INTENT, URGENT_FIRST, "faq"),
        # the classifier was too unsure: stays unsure
        ("what happens if a dimple gets infected", "nlu_fallback", FALLBACK_URGENT, "nlu_fallback"),
        # wording the extractor does not know: ask first
        ("this is a made-up wording zzz", URGENT_INTENT, URGENT_FIRST, POSSIBLE_URGENT_INTENT),
        ("this is a made-up wording zzz", "nlu_fallback", FALLBACK_URGENT, POSSIBLE_URGENT_INTENT),
        # ... unless the message describes the dimple: the screening asks about each
        # urgent sign first
        (
            "there's a soft lump under the skin just above it",
            URGENT_INTENT,
            URGENT_FIRST,
            START_INTENT,
        ),
        # a description of the person's own dimple starts the screening
        ("we think the dimple is deep but we're not sure", "dont_know", [], START_INTENT),
        (
            "my daughter has a dimple with a few hairs in it, low down in the middle",
            "faq",
            [],
            START_INTENT,
        ),
        ("it's tiny and you can see the bottom", "inform", [], START_INTENT),
        ("hi, the dent above his bum crack is quite deep", "greet", [], START_INTENT),
        # a general question about dimples keeps its FAQ answer
        ("can hairy dimples mean spina bifida?", "faq", [], "faq"),
        ("are deep sacral dimples a worry?", "faq", [], "faq"),
        ("why do I have back dimples", "faq", [], "faq"),
        ("my back dimples look deeper since I started squats, why?", "faq", [], "faq"),
        # replies and requests keep their meaning, even with a finding in them
        ("no, there's no hair", "deny", [], "deny"),
        ("yes a little hair", "affirm", [], "affirm"),
        ("stop, it has no hair anyway", "stop", [], "stop"),
    ],
)
def test_route(text, intent, ranking, expected):
    assert routed(text, intent, ranking) == expected


USER, ACTION, OTHER = "user", "action", "slot"


@pytest.mark.parametrize(
    "events, expected",
    [
        ([(ACTION, CONFIRM_QUESTION), (ACTION, "action_listen"), (USER, "")], CONFIRM_QUESTION),
        # this turn's own actions do not count
        (
            [
                (ACTION, "utter_faq"),
                (ACTION, "action_listen"),
                (USER, ""),
                (ACTION, "action_extract_slots"),
                (OTHER, ""),
            ],
            "utter_faq",
        ),
        ([(USER, ""), (ACTION, "action_listen"), (USER, "")], None),
        ([(USER, "")], None),
        ([], None),
    ],
)
def test_previous_bot_action(events, expected):
    assert previous_bot_action(events) == expected


@pytest.mark.parametrize(
    "previous, intent, escalates",
    [
        (CONFIRM_QUESTION, "affirm", True),
        (CONFIRM_QUESTION, "dont_know", True),  # not sure: not ruled out
        (CONFIRM_QUESTION, POSSIBLE_URGENT_INTENT, True),
        (CONFIRM_QUESTION, START_INTENT, True),  # a description that does not say no
        (CONFIRM_QUESTION, "deny", False),
        (CONFIRM_QUESTION, "faq", False),
        ("utter_ask_delete_conversation", "affirm", False),
        (None, "affirm", False),
    ],
)
def test_which_replies_to_the_confirming_question_escalate(previous, intent, escalates):
    assert confirmation_escalates(previous, intent) is escalates
    assert urgent_reported(previous, intent) is escalates


def test_a_stated_urgent_sign_is_urgent_whatever_came_before():
    assert urgent_reported(None, URGENT_INTENT)
    assert urgent_reported("utter_faq", URGENT_INTENT)


@pytest.mark.parametrize(
    "values, line",
    [
        (
            {
                "hair_tuft": "yes",
                "high": "no",
                "dimple_pattern": "one_midline",
                "multiple": "no",
                "off_midline": "no",
            },
            "I've noted: one dimple, in the middle; some hair near it; it's low down.",
        ),
        (
            {"subject": "baby", "age_months": 0.75, "deep": "yes"},
            "I've noted: your baby, 3 weeks old; it's deep.",
        ),
        ({"large": "unsure", "skin_tag": "no"}, "I've noted: no skin tag; not sure how big it is."),
        ({}, None),
        ({"subject": None, "hair_tuft": None}, None),
    ],
)
def test_the_noted_line_says_back_what_a_description_told(values, line):
    assert noted(values) == line
