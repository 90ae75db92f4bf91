"""Table tests of understanding.choice: answer, ask "did you mean ...?" or ask again."""

import pytest
import yaml

from scripts.processes import ROOT
from understanding.choice import (
    TOPIC_QUESTIONS,
    Decision,
    clarify_buttons,
    decide,
    faq_options,
)

SURE = [("genetics", 0.91), ("who_has_them", 0.04), ("cause", 0.02)]
CLOSE = [("genetics", 0.48), ("who_has_them", 0.41), ("cause", 0.06), ("location", 0.01)]
LOW = [("visibility", 0.38), ("acquire_later", 0.22), ("harmless", 0.12), ("cause", 0.09)]
FLAT = [("cause", 0.10), ("location", 0.09), ("exercise", 0.08), ("tests", 0.07)]


@pytest.mark.parametrize(
    "intents, topics, expected",
    [
        # A sure FAQ topic is answered.
        ([("faq", 0.97), ("start_screening", 0.02)], SURE, Decision("keep")),
        # The top two topics close: ask, likeliest first.
        ([("faq", 0.95)], CLOSE, Decision("clarify", ("genetics", "who_has_them"))),
        # A low topic confidence: ask with the three likeliest that are worth offering.
        ([("faq", 0.90)], LOW, Decision("clarify", ("visibility", "acquire_later", "harmless"))),
        # nlu_fallback whose best guess was an FAQ question, with a topic to offer: ask.
        (
            [("nlu_fallback", 0.5), ("faq", 0.45), ("deny", 0.3)],
            LOW,
            Decision("clarify", ("visibility", "acquire_later", "harmless")),
        ),
        # nlu_fallback with no topic worth offering: ask to rephrase, as before.
        ([("nlu_fallback", 0.5), ("faq", 0.45)], FLAT, Decision("keep")),
        # nlu_fallback whose best guess was no FAQ question: unchanged.
        ([("nlu_fallback", 0.5), ("greet", 0.4)], SURE, Decision("keep")),
        # Deletion only on a confident, unambiguous request.
        ([("delete_conversation", 0.97), ("faq", 0.01)], SURE, Decision("keep")),
        ([("delete_conversation", 0.62), ("faq", 0.30)], SURE, Decision("not_understood")),
        ([("delete_conversation", 0.85), ("faq", 0.40)], SURE, Decision("not_understood")),
        ([("stop", 0.95), ("deny", 0.03)], SURE, Decision("keep")),
        ([("stop", 0.55), ("deny", 0.30)], SURE, Decision("not_understood")),
        # Other intents are left as the classifier read them.
        ([("greet", 0.55), ("goodbye", 0.40)], SURE, Decision("keep")),
        ([], [], Decision("keep")),
    ],
)
def test_decide(intents, topics, expected):
    assert decide(intents, topics) == expected


def test_at_least_two_options_even_when_only_one_is_likely():
    options = faq_options([("tests", 0.55), ("tethered_cord", 0.05), ("cause", 0.03)])
    assert options == ("tests", "tethered_cord")


def test_unknown_topics_are_never_offered():
    assert faq_options([("retired_topic", 0.9), ("cause", 0.05), ("tests", 0.04)]) == (
        "cause",
        "tests",
    )


def test_every_button_sends_a_training_question_of_its_own_topic():
    """Rasa 3.6 does not parse /faq/<topic>: the text itself must be read as that topic."""
    faq = yaml.safe_load((ROOT / "data" / "nlu" / "faq.yml").read_text())["nlu"]
    topic_of = {
        line.strip()[2:].strip().lower(): block["intent"].split("/", 1)[1]
        for block in faq
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    }
    for topic, question in TOPIC_QUESTIONS.items():
        assert topic_of.get(question.lower()) == topic, question
    cause, tests = "What causes back dimples?", "What tests are done for a sacral dimple?"
    assert clarify_buttons(["cause", "tests"]) == [
        {"title": cause, "payload": cause},
        {"title": tests, "payload": tests},
    ]
