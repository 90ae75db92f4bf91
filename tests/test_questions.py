"""Which questions the screening asks, for the situations a user meets."""

import pytest

from screening.findings import FINDINGS, URGENT_FINDINGS
from screening.questions import questions_to_ask


def _open(slots, needed):
    """The questions still to be asked, in order."""
    return [name for name in needed if slots.get(name) is None]


def test_a_baby_gets_age_and_position_then_every_red_flag():
    slots = {"subject": "baby"}
    assert _open(slots, questions_to_ask(slots)) == ["age_months", "dimple_pattern", *FINDINGS]


def test_an_adult_is_not_asked_their_age():
    slots = {"subject": "self"}
    assert "age_months" not in questions_to_ask(slots)


def test_urgent_questions_come_first():
    needed = questions_to_ask({"subject": "baby", "age_months": 1, "dimple_pattern": "one_midline"})
    red_flag_order = [n for n in needed if n in FINDINGS]
    assert red_flag_order[: len(URGENT_FINDINGS)] == list(URGENT_FINDINGS)


@pytest.mark.parametrize("sign", ["drainage", "infection", "neuro_symptoms", "emergency"])
def test_an_urgent_sign_ends_the_questions_at_once(sign):
    assert questions_to_ask({"subject": "baby", sign: "yes"}) == []


def test_side_dimples_need_no_red_flag_questions():
    slots = {"subject": "self", "dimple_pattern": "two_sides"}
    assert _open(slots, questions_to_ask(slots)) == []


@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_side_dimples_with_a_reported_sign_still_get_every_question(answer):
    slots = {"subject": "self", "dimple_pattern": "two_sides", "hair_tuft": answer}
    assert _open(slots, questions_to_ask(slots)) == [n for n in FINDINGS if n != "hair_tuft"]


def test_answers_given_earlier_are_not_asked_again():
    slots = {
        "subject": "baby",
        "age_months": 0.5,
        "dimple_pattern": "one_midline",
        "multiple": "no",
        "off_midline": "no",
        "skin_tag": "yes",
        "hair_tuft": "no",
    }
    remaining = _open(slots, questions_to_ask(slots))
    assert "skin_tag" not in remaining and "hair_tuft" not in remaining
    assert remaining[0] == "drainage"
