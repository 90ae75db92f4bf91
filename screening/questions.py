"""Which screening questions still need asking. Plain Python, no Rasa imports.

The red flags are asked by groups (findings.SIGN_GROUPS): one question lists the
group's open signs, "None of these" rules them all out, "Yes, one or more" asks
"Which ones?", and "Not sure" asks each open sign on its own, so nothing is ruled
out by a guess. Once the advice is settled (no urgent sign, a referral sign known)
the person may stop there or finish the summary.
"""

from typing import Any, List, Mapping, Optional, Tuple

from screening.findings import (
    EMERGENCY,
    FINDINGS,
    GROUP_SLOTS,
    MORE_SLOT,
    MORE_STOP,
    PATTERN_TWO_SIDES,
    REFERRAL_FINDINGS,
    SIGN_GROUPS,
    URGENT_FINDINGS,
    WHICH_SLOT,
    Answer,
    GroupAnswer,
)

OPENING_QUESTIONS = ("subject", "dimple_pattern")
# Every slot the screening keeps; age_months is no longer asked (the "who" buttons
# carry the age band) but an age said in words is kept for the summary.
SCREENING_SLOTS = (
    "subject",
    "age_months",
    "dimple_pattern",
    *FINDINGS,
    EMERGENCY,
    *GROUP_SLOTS,
    MORE_SLOT,
)
# Set on the Rasa side (components/action_server_down.py) when the action server
# failed mid-screening; action_start_screening then carries on instead of starting over.
INTERRUPTED_SLOT = "screening_interrupted"


def open_signs(slots: Mapping[str, Any], signs: Tuple[str, ...]) -> Tuple[str, ...]:
    """The signs of a group not answered yet, in the group's order."""
    return tuple(sign for sign in signs if slots.get(sign) is None)


def signs_of(group_slot: str) -> Tuple[str, ...]:
    return dict(SIGN_GROUPS)[group_slot]


def drilled_group(slots: Mapping[str, Any]) -> Optional[str]:
    """The group answered "Yes, one or more" whose "Which ones?" is open, if any."""
    for group_slot, signs in SIGN_GROUPS:
        if slots.get(group_slot) == GroupAnswer.SOME.value and open_signs(slots, signs):
            return group_slot
    return None


def urgent_group_yes(slots: Mapping[str, Any]) -> bool:
    """ "Yes" to the urgent group: urgent advice at once, before asking which sign."""
    return slots.get("signs_urgent") == GroupAnswer.SOME.value


def advice_settled(slots: Mapping[str, Any]) -> bool:
    """Every urgent sign ruled out and a referral sign known (yes or not sure):
    the outcome is "see a doctor" whatever the other answers are."""
    return all(slots.get(name) == Answer.NO.value for name in URGENT_FINDINGS) and any(
        slots.get(name) in (Answer.YES.value, Answer.UNSURE.value) for name in REFERRAL_FINDINGS
    )


def _group_questions(slots: Mapping[str, Any], group_slot: str) -> List[str]:
    """The questions one group still needs (filled ones included, the form skips them)."""
    signs = signs_of(group_slot)
    still_open = open_signs(slots, signs)
    if not still_open:
        return []
    answer = slots.get(group_slot)
    if answer == GroupAnswer.UNSURE.value:
        return [group_slot, *still_open]
    if answer == GroupAnswer.SOME.value:
        return [group_slot, WHICH_SLOT]
    return [group_slot]


def remaining_groups(slots: Mapping[str, Any]) -> List[str]:
    """The referral groups that still have open signs (each at least one question)."""
    return [slot for slot, signs in SIGN_GROUPS[1:] if open_signs(slots, signs)]


def questions_to_ask(slots: Mapping[str, Any]) -> List[str]:
    """The slots the screening form needs, in order; [] ends the screening.

    The form asks the first one that is empty. Filled slots are kept in the list,
    so the order is stable however the answers arrived.
    """
    if (
        slots.get(EMERGENCY) == Answer.YES.value
        or any(slots.get(name) == Answer.YES.value for name in URGENT_FINDINGS)
        or urgent_group_yes(slots)
    ):
        # Urgent advice cannot wait for the remaining questions.
        return []

    needed = list(OPENING_QUESTIONS)
    reported_a_sign = any(
        slots.get(name) in (Answer.YES.value, Answer.UNSURE.value) for name in FINDINGS
    )
    if slots.get("dimple_pattern") == PATTERN_TWO_SIDES and not reported_a_sign:
        # Dimples of Venus/Apollo: harmless, so the red-flag questions do not apply.
        return needed

    needed += _group_questions(slots, "signs_urgent")
    if advice_settled(slots) and remaining_groups(slots):
        needed.append(MORE_SLOT)
        if slots.get(MORE_SLOT) == MORE_STOP:
            return needed
    for group_slot in GROUP_SLOTS[1:]:
        needed += _group_questions(slots, group_slot)
    return needed
