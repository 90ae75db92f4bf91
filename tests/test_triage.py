"""Triage decision, tested over every combination of answers."""

from typing import Dict, Tuple

import pytest

from screening.findings import (
    EMERGENCY,
    FINDINGS,
    PATTERN_ONE_MIDLINE,
    PATTERN_TWO_SIDES,
    REFERRAL_FINDINGS,
    UNSURE_FLAG,
    URGENT_FINDINGS,
    Answer,
)
from screening.triage import REASSURE, REFER, URGENT, triage

YES, NO, UNSURE = Answer.YES.value, Answer.NO.value, Answer.UNSURE.value
ALL_NO = {name: NO for name in FINDINGS}


def test_every_combination_of_yes_no_unsure():
    """3^13 = 1,594,323 combinations; each checked against the written criteria.

    The combinations are walked depth-first, one finding at a time, so that what the
    criteria expect (the signs present, in FINDINGS order, whether any is urgent, whether
    any answer is "not sure") is built up along the way instead of worked out again for
    each combination: the time goes to triage() itself.
    """
    answers: Dict[str, str] = {}
    urgent = set(URGENT_FINDINGS)
    checked = 0

    def walk(depth: int, present: Tuple[str, ...], any_urgent: bool, unsure: bool) -> None:
        nonlocal checked
        if depth == len(FINDINGS):
            outcome = triage(answers, PATTERN_ONE_MIDLINE)
            expected = URGENT if any_urgent else REFER if present or unsure else REASSURE
            red_flags = (*present, UNSURE_FLAG) if unsure else present
            got = (outcome.result, outcome.present, outcome.red_flags)
            if got != (expected, present, red_flags):
                raise AssertionError(f"{answers}: {outcome}")
            checked += 1
            return
        name = FINDINGS[depth]
        answers[name] = YES
        walk(depth + 1, (*present, name), any_urgent or name in urgent, unsure)
        answers[name] = NO
        walk(depth + 1, present, any_urgent, unsure)
        answers[name] = UNSURE
        walk(depth + 1, present, any_urgent, True)

    walk(0, (), False, False)
    assert checked == 3**13


@pytest.mark.parametrize("name", FINDINGS)
def test_a_single_red_flag_is_never_reassured(name):
    outcome = triage({**ALL_NO, name: YES})
    expected = URGENT if name in URGENT_FINDINGS else REFER
    assert (outcome.result, outcome.red_flags) == (expected, (name,))


@pytest.mark.parametrize("name", FINDINGS)
def test_one_unasked_question_is_not_ruled_out(name):
    answers = {n: v for n, v in ALL_NO.items() if n != name}
    outcome = triage(answers)
    assert outcome.result == REFER
    assert outcome.red_flags == (UNSURE_FLAG,)
    assert outcome.not_ruled_out == (name,)


@pytest.mark.parametrize(
    "answers, pattern, result, red_flags",
    [
        # a simple dimple: single, midline, small, low, shallow, nothing else
        (ALL_NO, PATTERN_ONE_MIDLINE, REASSURE, ()),
        # "no hair or marks, but there's a little skin tag"
        ({**ALL_NO, "skin_tag": YES}, PATTERN_ONE_MIDLINE, REFER, ("skin_tag",)),
        # several markers together: still refer, all of them listed
        (
            {**ALL_NO, "hair_tuft": YES, "deep": YES, "high": YES},
            None,
            REFER,
            ("hair_tuft", "deep", "high"),
        ),
        # "I can't tell how deep it is"
        ({**ALL_NO, "deep": UNSURE}, None, REFER, (UNSURE_FLAG,)),
        # pus with a tuft of hair: urgent, and the hair is listed too
        ({**ALL_NO, "drainage": YES, "hair_tuft": YES}, None, URGENT, ("drainage", "hair_tuft")),
        # urgent even when the other questions were never asked
        ({"infection": YES}, None, URGENT, ("infection", UNSURE_FLAG)),
        # two side dimples, nothing else: back dimples
        ({}, PATTERN_TWO_SIDES, REASSURE, ()),
        # two side dimples but a tuft of hair mentioned: not reassured
        ({"hair_tuft": YES}, PATTERN_TWO_SIDES, REFER, ("hair_tuft", UNSURE_FLAG)),
        # a value we do not know is not a "no"
        ({**ALL_NO, "lump": "maybe?"}, None, REFER, (UNSURE_FLAG,)),
    ],
)
def test_named_cases(answers, pattern, result, red_flags):
    outcome = triage(answers, pattern)
    assert (outcome.result, outcome.red_flags) == (result, red_flags)


def test_emergency_signs_are_urgent_and_call_for_the_emergency_number():
    outcome = triage({**ALL_NO, EMERGENCY: YES})
    assert outcome.result == URGENT and outcome.emergency
    assert "neuro_symptoms" in outcome.red_flags


def test_an_urgent_sign_we_could_not_pin_down_is_still_urgent():
    outcome = triage({}, urgent_reported=True)
    assert outcome.result == URGENT


def test_back_dimples_are_flagged_only_without_other_findings():
    assert triage({}, PATTERN_TWO_SIDES).back_dimples
    assert not triage({"lump": YES}, PATTERN_TWO_SIDES).back_dimples
    assert not triage(ALL_NO, PATTERN_ONE_MIDLINE).back_dimples


def test_referral_and_urgent_lists_cover_every_finding_once():
    assert set(URGENT_FINDINGS) | set(REFERRAL_FINDINGS) == set(FINDINGS)
    assert len(FINDINGS) == len(set(FINDINGS)) == 13
