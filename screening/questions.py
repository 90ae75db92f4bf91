"""Which screening questions still need asking. Plain Python, no Rasa imports."""

from typing import Any, List, Mapping

from screening.findings import (
    EMERGENCY,
    FINDINGS,
    PATTERN_TWO_SIDES,
    URGENT_FINDINGS,
    Answer,
)

OPENING_QUESTIONS = ("subject", "age_months", "dimple_pattern")
SCREENING_SLOTS = OPENING_QUESTIONS + FINDINGS + (EMERGENCY,)
# Set on the Rasa side (components/action_server_down.py) when the action server
# failed mid-screening; action_start_screening then carries on instead of starting over.
INTERRUPTED_SLOT = "screening_interrupted"


def questions_to_ask(slots: Mapping[str, Any]) -> List[str]:
    """The slots the screening form needs, in order; [] ends the screening.

    Slots already filled are kept in the list (the form skips them), so the order
    is stable however the answers arrived.
    """
    if slots.get(EMERGENCY) == Answer.YES.value or any(
        slots.get(name) == Answer.YES.value for name in URGENT_FINDINGS
    ):
        # Urgent advice cannot wait for the remaining questions.
        return []

    needed = ["subject"]
    if slots.get("subject") in ("baby", "child"):
        needed.append("age_months")
    needed.append("dimple_pattern")

    reported_a_sign = any(
        slots.get(name) in (Answer.YES.value, Answer.UNSURE.value) for name in FINDINGS
    )
    if slots.get("dimple_pattern") == PATTERN_TWO_SIDES and not reported_a_sign:
        # Dimples of Venus/Apollo: harmless, so the red-flag questions do not apply.
        return needed
    return needed + list(FINDINGS)
