"""Turn one user message into screening slot values.

Plain Python (no Rasa imports). Combines, in order of trust:
1. findings the message names itself ("there's a little skin tag") - these always
   count, whatever question is open, so nobody is asked about a sign twice;
2. values sent by buttons (entities such as subject or dimple_pattern);
3. a bare reply to the question that is open ("nope", "not sure", or the
   affirm / deny / dont_know intent of a button or typed answer).
"""

from typing import Any, Dict, Iterable, Mapping, Optional

from screening.extraction import Extraction
from screening.findings import (
    EMERGENCY,
    FINDINGS,
    PATTERN_OFF_SIDE,
    PATTERN_ONE_MIDLINE,
    PATTERN_SEVERAL_MIDLINE,
    PATTERN_UNSURE,
    PATTERNS,
    SUBJECTS,
    Answer,
)
from screening.routing import POSSIBLE_URGENT_INTENT

INTENT_ANSWERS = {"affirm": Answer.YES, "deny": Answer.NO, "dont_know": Answer.UNSURE}
# "No, stop" is a request, not an answer to the open question. Nor is a possible
# urgent sign ("yes, and she's started favouring one leg"): the assistant asks
# about it first (screening/routing.py).
NOT_AN_ANSWER_INTENTS = {"stop", "goodbye", "restart_screening", POSSIBLE_URGENT_INTENT}

# Knowledge questions ("why are they called dimples of Venus?") are about back
# dimples in general, not the person's own case: their words must not answer who
# has the dimple, how old they are or where it is. (They did: "dimples of Venus"
# read as two side dimples, and a later screening of a baby reassured at once.)
KNOWLEDGE_INTENTS = {"faq"}

# The value stored in age_months when the person does not know the age.
AGE_UNKNOWN = -1.0

# What the answer to "where is it?" already tells about two red-flag questions.
PATTERN_IMPLIES = {
    PATTERN_ONE_MIDLINE: {"multiple": Answer.NO, "off_midline": Answer.NO},
    PATTERN_SEVERAL_MIDLINE: {"multiple": Answer.YES},
    PATTERN_OFF_SIDE: {"off_midline": Answer.YES, "multiple": Answer.NO},
}


def _number(value: Any) -> Optional[float]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 12 * 120 else None


def slot_updates(
    extraction: Extraction,
    intent: Optional[str],
    entities: Iterable[Mapping[str, Any]],
    requested_slot: Optional[str],
    current: Mapping[str, Any],
    typed: bool = False,
) -> Dict[str, Any]:
    """The slots to set after this message (name -> value).

    `current` holds the slot values before the message; a value is only
    implied (never overwritten) from the dimple's position. `typed`: the person
    wrote the message (it is not a button's payload).
    """
    updates: Dict[str, Any] = {}

    for name, answer in extraction.findings.items():
        if name in FINDINGS or name == EMERGENCY:
            updates[name] = Answer(answer).value

    entity_values = {e.get("entity"): e.get("value") for e in entities if isinstance(e, Mapping)}
    about_own_case = intent not in KNOWLEDGE_INTENTS
    subject = entity_values.get("subject") or (extraction.subject if about_own_case else None)
    if subject in SUBJECTS:
        updates["subject"] = subject
    age = _number(entity_values.get("age_months"))
    if age is None and about_own_case:
        age = extraction.age_months
    if age is not None:
        updates["age_months"] = float(age)
    pattern = entity_values.get("dimple_pattern") or (
        extraction.pattern if about_own_case else None
    )
    if pattern in PATTERNS:
        updates["dimple_pattern"] = pattern

    intent_reply = INTENT_ANSWERS.get(intent or "")
    if typed and intent_reply == Answer.NO:
        # A typed "no" counts only when the extractor reads a "no" in it: the
        # classifier also says deny for words it has not learned ("nonexistent":
        # 0.89), and a red flag wrongly ruled out is the worst error. An unclear
        # reply is asked again instead.
        intent_reply = None
    reply = extraction.answer or intent_reply
    if intent in NOT_AN_ANSWER_INTENTS:
        reply = None
    if requested_slot and requested_slot not in updates and reply is not None:
        if requested_slot in FINDINGS:
            updates[requested_slot] = reply.value
        elif requested_slot == "age_months" and reply == Answer.UNSURE:
            updates["age_months"] = AGE_UNKNOWN
        elif requested_slot == "dimple_pattern" and reply == Answer.UNSURE:
            updates["dimple_pattern"] = PATTERN_UNSURE

    pattern = updates.get("dimple_pattern")
    implied = PATTERN_IMPLIES.get(pattern, {}) if pattern is not None else {}
    for name, answer in implied.items():
        if name not in updates and current.get(name) is None:
            updates[name] = answer.value
    return updates
