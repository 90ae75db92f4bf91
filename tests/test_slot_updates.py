"""How one message becomes screening slot values (the logic of action_extract_findings)."""

import pytest

from screening.extraction import extract
from screening.slot_updates import AGE_UNKNOWN, slot_updates


def updates(text="", intent=None, entities=(), requested=None, current=None):
    return slot_updates(
        extract(text), intent, list(entities), requested, current or {}, typed=bool(text)
    )


@pytest.mark.parametrize(
    "text, intent, requested, expected",
    [
        # a tap on a button answers the open question
        ("/affirm", "affirm", "hair_tuft", {"hair_tuft": "yes"}),
        ("/deny", "deny", "lump", {"lump": "no"}),
        ("/dont_know", "dont_know", "deep", {"deep": "unsure"}),
        # typed replies, read by the extractor even if the intent is wrong
        ("nope", "affirm", "skin_tag", {"skin_tag": "no"}),
        ("not sure", "deny", "large", {"large": "unsure"}),
        # a finding named in the reply wins over the reply's yes/no
        (
            "no, but there is a little skin tag",
            "deny",
            "hair_tuft",
            {"hair_tuft": "no", "skin_tag": "yes"},
        ),
        # "no, stop" is a request to stop, not an answer
        ("no stop", "stop", "hair_tuft", {}),
        # "don't know" to the age question: unknown age, not asked again
        ("/dont_know", "dont_know", "age_months", {"age_months": AGE_UNKNOWN}),
        ("/dont_know", "dont_know", "dimple_pattern", {"dimple_pattern": "unsure"}),
        # no open question: a bare "yes" sets nothing
        ("yes", "affirm", None, {}),
    ],
)
def test_replies_to_the_open_question(text, intent, requested, expected):
    got = updates(text if not text.startswith("/") else "", intent, requested=requested)
    assert got == expected


def test_button_entities_fill_subject_age_and_position():
    got = updates(entities=[{"entity": "subject", "value": "baby"}], requested="subject")
    assert got == {"subject": "baby"}
    got = updates(entities=[{"entity": "age_months", "value": 0.5}], requested="age_months")
    assert got == {"age_months": 0.5}


@pytest.mark.parametrize(
    "pattern, implied",
    [
        ("one_midline", {"multiple": "no", "off_midline": "no"}),
        ("several_midline", {"multiple": "yes"}),
        ("off_side", {"off_midline": "yes", "multiple": "no"}),
        ("two_sides", {}),
        ("unsure", {}),
    ],
)
def test_the_position_answers_two_red_flag_questions(pattern, implied):
    got = updates(
        entities=[{"entity": "dimple_pattern", "value": pattern}], requested="dimple_pattern"
    )
    assert got == {"dimple_pattern": pattern, **implied}


def test_the_position_never_overwrites_an_earlier_answer():
    got = updates(
        entities=[{"entity": "dimple_pattern", "value": "one_midline"}],
        current={"off_midline": "unsure"},
    )
    assert got == {"dimple_pattern": "one_midline", "multiple": "no"}


def test_an_opening_message_fills_everything_it_says():
    got = updates(
        "My 3 week old has a dimple above her bum crack with a little tuft of hair. "
        "Should I worry?",
        "start_screening",
    )
    assert got["subject"] == "baby" and got["hair_tuft"] == "yes"
    assert 0.5 < got["age_months"] < 1


def test_nonsense_age_from_a_payload_is_ignored():
    assert updates(entities=[{"entity": "age_months", "value": "abc"}]) == {}
    assert updates(entities=[{"entity": "age_months", "value": -3}]) == {}


@pytest.mark.parametrize(
    "text",
    [
        "why are they called dimples of venus",
        "why are my back dimples less visible now",
        "do babies have dimples of venus at 3 months old?",
    ],
)
def test_a_knowledge_question_does_not_answer_who_how_old_or_where(text):
    # Read as the person's own case, "dimples of Venus" meant two side dimples, and a
    # later screening of a baby reassured without a single question.
    got = updates(text, "faq")
    assert not {"subject", "age_months", "dimple_pattern"} & set(got), got


def test_the_same_words_about_ones_own_baby_still_count():
    got = updates(
        "my 3 month old baby has two dimples, one each side of the spine", "start_screening"
    )
    assert got["subject"] == "baby" and got["dimple_pattern"] == "two_sides"


@pytest.mark.parametrize("text", ["nonexistent", "looks normal", "qwerty"])
def test_a_typed_reply_the_extractor_cannot_read_is_never_taken_as_no(text):
    # The classifier says deny for "nonexistent" (0.89): that must not rule out a red flag.
    assert updates(text, "deny", requested="hair_tuft") == {}


def test_a_deny_button_and_a_plain_typed_no_still_answer_no():
    assert updates("", "deny", requested="hair_tuft") == {"hair_tuft": "no"}
    assert updates("nope, nothing like that", "deny", requested="hair_tuft") == {"hair_tuft": "no"}
