"""Turn one user message into screening slot values.

Plain Python (no Rasa imports). Combines, in order of trust:
1. findings the message names itself ("there's a little skin tag") - these always
   count, whatever question is open, so nobody is asked about a sign twice;
2. values sent by buttons (entities such as subject or dimple_pattern);
3. a bare reply to the question that is open ("nope", "not sure", or the
   affirm / deny / dont_know intent of a button or typed answer).
"""

from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from screening.extraction import Extraction
from screening.findings import (
    EMERGENCY,
    FINDINGS,
    GROUP_SLOTS,
    MORE_FINISH,
    MORE_SLOT,
    MORE_STOP,
    PATTERN_HIGH_MIDLINE,
    PATTERN_OFF_SIDE,
    PATTERN_ONE_MIDLINE,
    PATTERN_SEVERAL_MIDLINE,
    PATTERN_UNSURE,
    PATTERNS,
    SUBJECTS,
    WHICH_SLOT,
    Answer,
    GroupAnswer,
)
from screening.questions import drilled_group, open_signs, signs_of
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

# What the answer to "where is it?" already tells about the position red flags.
PATTERN_IMPLIES = {
    PATTERN_ONE_MIDLINE: {"multiple": Answer.NO, "off_midline": Answer.NO},
    PATTERN_HIGH_MIDLINE: {"high": Answer.YES, "multiple": Answer.NO, "off_midline": Answer.NO},
    PATTERN_SEVERAL_MIDLINE: {"multiple": Answer.YES},
    PATTERN_OFF_SIDE: {"off_midline": Answer.YES, "multiple": Answer.NO},
}
# Only the button "Low, in the middle" says "low": typed words such as "one in the
# middle" do not rule out "higher up" (the extractor reads "low down" itself).
BUTTON_PATTERN_IMPLIES = {PATTERN_ONE_MIDLINE: {"high": Answer.NO}}

# A drill-down button ("Which ones?") names the sign it stands for.
SIGN_ENTITY = "sign"


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
    button_pattern = entity_values.get("dimple_pattern")
    pattern = button_pattern or (extraction.pattern if about_own_case else None)
    if pattern in PATTERNS:
        updates["dimple_pattern"] = pattern
    picked = entity_values.get(SIGN_ENTITY)
    if picked in FINDINGS:
        updates[str(picked)] = Answer.YES.value
    more = entity_values.get(MORE_SLOT)
    if requested_slot == MORE_SLOT and more is None:
        if typed and extraction.offer:
            # Its own words first: the classifier reads "continue" as stop.
            more = extraction.offer
        elif intent == "stop":
            # "Stop here" typed at the offer: stop with the advice, not without it.
            more = MORE_STOP
        elif extraction.answer == Answer.YES:
            more = MORE_FINISH
    if more in (MORE_FINISH, MORE_STOP):
        updates[MORE_SLOT] = more

    intent_reply = INTENT_ANSWERS.get(intent or "")
    if typed and intent_reply in (Answer.NO, Answer.YES):
        # A typed "no" or "yes" counts only when the extractor reads it: the
        # classifier also says deny for words it has not learned ("nonexistent":
        # 0.89), and a red flag wrongly ruled out is the worst error; it says affirm
        # for "finish" (0.66), which sent a parent to urgent care from the urgent
        # signs' question. An unclear reply is asked again instead.
        intent_reply = None
    reply = extraction.answer or intent_reply
    if intent in NOT_AN_ANSWER_INTENTS:
        reply = None
    if requested_slot in GROUP_SLOTS:
        updates.update(_group_reply(requested_slot, reply, current, updates, extraction.rest_none))
    elif requested_slot == WHICH_SLOT:
        updates.update(_which_reply(reply, current, updates, extraction.rest_none))
    elif requested_slot and requested_slot not in updates and reply is not None:
        if requested_slot in FINDINGS:
            updates[requested_slot] = reply.value
        elif requested_slot == "age_months" and reply == Answer.UNSURE:
            updates["age_months"] = AGE_UNKNOWN
        elif requested_slot == "dimple_pattern" and reply == Answer.UNSURE:
            updates["dimple_pattern"] = PATTERN_UNSURE

    pattern = updates.get("dimple_pattern")
    implied = dict(PATTERN_IMPLIES.get(pattern, {})) if pattern is not None else {}
    if pattern is not None and pattern == button_pattern and not typed:
        implied.update(BUTTON_PATTERN_IMPLIES.get(pattern, {}))
    for name, answer in implied.items():
        if name not in updates and current.get(name) is None:
            updates[name] = answer.value
    return updates


def _rest_ruled_out(
    signs: Tuple[str, ...], current: Mapping[str, Any], updates: Mapping[str, Any]
) -> Dict[str, Any]:
    """ "..., nothing else": every open sign of the list the message did not name is a no."""
    return {s: Answer.NO.value for s in open_signs(current, signs) if s not in updates}


def _group_reply(
    group_slot: str,
    reply: Optional[Answer],
    current: Mapping[str, Any],
    updates: Mapping[str, Any],
    rest_none: bool = False,
) -> Dict[str, Any]:
    """The answer to a group question ("Do you see any of these?").

    A message that names a sign of the group answers that sign only; the rest stay
    open and the group is asked again, unless it says "nothing else". A bare no rules
    out every open sign.
    """
    signs = signs_of(group_slot)
    named = any(sign in updates for sign in signs)
    if rest_none and (named or reply not in (Answer.YES, Answer.UNSURE)):
        rest = _rest_ruled_out(signs, current, updates)
        return rest if named else {group_slot: GroupAnswer.NONE.value, **rest}
    if named or reply is None:
        return {}
    still_open = open_signs(current, signs)
    if reply == Answer.NO:
        return {group_slot: GroupAnswer.NONE.value, **{s: Answer.NO.value for s in still_open}}
    if reply == Answer.UNSURE:
        return {group_slot: GroupAnswer.UNSURE.value}
    if len(still_open) == 1 and group_slot != "signs_urgent":
        # A list of one: "yes" names it.
        return {still_open[0]: Answer.YES.value}
    return {group_slot: GroupAnswer.SOME.value}


def _which_reply(
    reply: Optional[Answer],
    current: Mapping[str, Any],
    updates: Mapping[str, Any],
    rest_none: bool = False,
) -> Dict[str, Any]:
    """The answer to "Which ones?" after "Yes, one or more"."""
    group_slot = drilled_group(current)
    if group_slot is None:
        return {}
    signs = signs_of(group_slot)
    if any(updates.get(sign) == Answer.YES.value for sign in signs):
        # Picked: the group is asked again for its other signs ("Any of these as well?"),
        # unless the message said there is nothing else.
        rest = _rest_ruled_out(signs, current, updates) if rest_none else {}
        return {group_slot: None, **rest}
    if reply in (Answer.UNSURE, Answer.NO):
        # "Not sure which" - or a "no" after "yes": each sign is asked on its own.
        return {group_slot: GroupAnswer.UNSURE.value}
    return {}
