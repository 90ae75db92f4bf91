"""Sacral-dimple triage: findings in, outcome and reasons out.

Plain Python (no Rasa imports) so that every combination of findings can be
table-tested. The rules follow docs/clinical-criteria.md:

- urgent   any urgent sign present (drainage, infection signs, new nerve or
           bladder/bowel signs) or an emergency sign;
- refer    any other red flag present, or any red-flag question answered
           "not sure" or never answered: an uncertain sign is not ruled out;
- reassure every red flag answered "no" (a simple dimple), or two dimples one
           on each side of the spine (back dimples) with nothing else found.
"""

from dataclasses import dataclass
from typing import List, Mapping, Optional, Tuple

from screening.findings import (
    EMERGENCY,
    FINDINGS,
    PATTERN_TWO_SIDES,
    UNSURE_FLAG,
    URGENT_FINDINGS,
    Answer,
)

URGENT = "urgent"
REFER = "refer"
REASSURE = "reassure"


@dataclass(frozen=True)
class Outcome:
    result: str  # URGENT, REFER or REASSURE (the `screening_result` slot)
    red_flags: Tuple[str, ...]  # the `red_flags` slot: findings that led there
    present: Tuple[str, ...]  # findings answered yes, in FINDINGS order
    not_ruled_out: Tuple[str, ...]  # findings answered "not sure" or never answered
    emergency: bool = False  # call the emergency number now
    back_dimples: bool = False  # two side dimples: dimples of Venus/Apollo


_ANSWERS = {answer.value: answer for answer in Answer}
_YES, _NO = Answer.YES.value, Answer.NO.value


def _answer(value: Optional[object]) -> Optional[Answer]:
    if value is None:
        return None
    # An unexpected value (another type, a list, a dict) is not a "no": keep it as not
    # ruled out.
    if not isinstance(value, str):
        return Answer.UNSURE
    return _ANSWERS.get(value, Answer.UNSURE)


def triage(
    answers: Mapping[str, object],
    pattern: Optional[str] = None,
    urgent_reported: bool = False,
) -> Outcome:
    """Decide the advice from the answers given so far.

    `answers` maps finding names (findings.FINDINGS, plus findings.EMERGENCY) to
    an Answer or its string value; a missing finding was not asked.
    `urgent_reported`: the person described an urgent sign in words we could not
    pin to a finding; it is urgent all the same.
    """
    # One pass over the findings, each answer read once: tests/test_triage.py checks
    # every one of the 3^13 combinations of answers, so this function's cost is that
    # test's.
    present_list: List[str] = []
    unsure: List[str] = []  # answered "not sure" (or an unexpected value)
    unsure_or_unasked: List[str] = []
    for name in FINDINGS:
        value = answers.get(name)
        # What _answer() decides, with plain comparisons (a call and an Answer per
        # finding were two thirds of the time): Answer members are str too.
        if isinstance(value, str) and value == _YES:
            present_list.append(name)
        elif value is None:
            unsure_or_unasked.append(name)
        elif not (isinstance(value, str) and value == _NO):
            unsure_or_unasked.append(name)
            unsure.append(name)
    present = tuple(present_list)
    emergency_answer = _answer(answers.get(EMERGENCY))
    emergency = emergency_answer == Answer.YES
    # "Not sure if he is breathing normally": an emergency sign that is not ruled
    # out gets the urgent advice, which ends with when to call the emergency number.
    emergency_unsure = emergency_answer == Answer.UNSURE

    if emergency and "neuro_symptoms" not in present:
        # The contract has no separate value for emergency signs; the nearest is
        # neuro_symptoms (seizure, unresponsive, floppy).
        present = tuple(n for n in FINDINGS if n in present or n == "neuro_symptoms")
    back_dimples = pattern == PATTERN_TWO_SIDES and not present

    # Side dimples are not a sacral dimple: the red-flag questions do not apply
    # unless the person reported a sign themselves (then `present` is not empty).
    not_ruled_out = tuple(unsure if back_dimples else unsure_or_unasked)

    red_flags = present + ((UNSURE_FLAG,) if not_ruled_out or emergency_unsure else ())

    if (
        emergency
        or emergency_unsure
        or urgent_reported
        or any(n in URGENT_FINDINGS for n in present)
    ):
        result = URGENT
    elif red_flags:
        result = REFER
    else:
        result = REASSURE
    return Outcome(
        result=result,
        red_flags=red_flags,
        present=present,
        not_ruled_out=not_ruled_out,
        emergency=emergency,
        back_dimples=back_dimples and result == REASSURE,
    )
