"""Which questions the screening asks, for the situations a user meets."""

import pytest

from screening.findings import FINDINGS, REFERRAL_FINDINGS, URGENT_FINDINGS
from screening.questions import advice_settled, questions_to_ask

MARKS = ("hair_tuft", "skin_tag", "lump", "discoloration")
# After "Low, in the middle": high, multiple and off_midline are answered.
LOW_MIDDLE = {
    "subject": "baby",
    "dimple_pattern": "one_midline",
    "high": "no",
    "multiple": "no",
    "off_midline": "no",
}
URGENT_NO = {name: "no" for name in URGENT_FINDINGS}


def _open(slots, needed):
    """The questions still to be asked, in order."""
    return [name for name in needed if slots.get(name) is None]


def _next(slots):
    return next(iter(_open(slots, questions_to_ask(slots))), None)


def test_who_then_where_then_the_groups_and_no_age_question():
    assert _open({}, questions_to_ask({})) == [
        "subject",
        "dimple_pattern",
        "signs_urgent",
        "signs_marks",
        "signs_dimple",
        "signs_crease",
        "signs_position",
    ]
    assert "age_months" not in questions_to_ask({"subject": "baby"})


def test_an_ordinary_dimple_needs_six_questions():
    slots = dict(LOW_MIDDLE)
    assert _open(slots, questions_to_ask(slots)) == [
        "signs_urgent",
        "signs_marks",
        "signs_dimple",
        "signs_crease",
    ]


@pytest.mark.parametrize("sign", ["drainage", "infection", "neuro_symptoms", "emergency"])
def test_an_urgent_sign_ends_the_questions_at_once(sign):
    assert questions_to_ask({"subject": "baby", sign: "yes"}) == []


def test_yes_to_the_urgent_list_ends_the_questions_at_once():
    assert questions_to_ask({**LOW_MIDDLE, "signs_urgent": "some"}) == []


def test_side_dimples_need_no_red_flag_questions():
    slots = {"subject": "self", "dimple_pattern": "two_sides"}
    assert _open(slots, questions_to_ask(slots)) == []


def test_a_group_whose_signs_are_all_answered_is_skipped():
    slots = {**LOW_MIDDLE, **URGENT_NO, **{n: "no" for n in MARKS}}
    assert _next(slots) == "signs_dimple"


def test_not_sure_asks_each_open_sign_of_the_group_on_its_own():
    slots = {**LOW_MIDDLE, **URGENT_NO, "signs_marks": "unsure", "skin_tag": "no"}
    assert _open(slots, questions_to_ask(slots))[:3] == ["hair_tuft", "lump", "discoloration"]


def test_yes_asks_which_then_the_group_again():
    slots = {**LOW_MIDDLE, "signs_urgent": "none", **URGENT_NO, "signs_marks": "some"}
    assert _next(slots) == "signs_which"


def test_once_settled_the_offer_comes_before_the_other_groups():
    slots = {**LOW_MIDDLE, **URGENT_NO, "hair_tuft": "yes"}
    assert _next(slots) == "screening_more"
    assert _next({**slots, "screening_more": "stop"}) is None
    assert _next({**slots, "screening_more": "finish"}) == "signs_marks"


@pytest.mark.parametrize("sign", REFERRAL_FINDINGS)
@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_the_advice_is_settled_by_any_referral_sign_once_urgent_signs_are_ruled_out(sign, answer):
    assert advice_settled({**URGENT_NO, sign: answer})
    # an urgent sign not yet ruled out (not asked, or not sure) keeps the questions going
    assert not advice_settled({sign: answer})
    assert not advice_settled({**URGENT_NO, "infection": "unsure", sign: answer})


def test_no_offer_when_nothing_is_left_to_ask():
    slots = {**LOW_MIDDLE, **{n: "no" for n in FINDINGS}, "cleft_abnormal": "yes"}
    assert _next(slots) is None


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
    assert remaining[0] == "signs_urgent"


def test_not_sure_where_leaves_the_position_signs_to_be_asked():
    slots = {"subject": "baby", "dimple_pattern": "unsure"}
    assert _open(slots, questions_to_ask(slots))[-1] == "signs_position"
