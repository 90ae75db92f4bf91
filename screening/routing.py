"""Which way a message goes: the extractor, not the classifier, decides about the person's case.

Plain Python (no Rasa imports), used by the NLU component components/urgent_signs.py,
the screening actions and the action-server-down policy, and tested by tables.

The intent classifier is good at telling a question from a request, but it reads
words, not meaning: "it isn't weeping and the skin isn't red" looks to it like an
urgent report. The negation-aware extractor (screening/extraction.py) knows what
is stated, denied, asked about or only read about. So:

- urgent advice comes only from an urgent sign the extractor finds stated about
  the person's own case, or from a "yes" / "not sure" to the confirming question;
- when the classifier suspects an urgent report and the extractor neither finds
  the sign nor finds it denied or asked about (wording it does not know, such as
  "she's started favouring one leg"), the assistant asks once, with buttons,
  whether it is happening now: nothing urgent is dropped on a guess;
- a message that describes the person's own dimple starts the screening, even
  when the classifier took it for a knowledge question.
"""

from typing import Optional, Sequence, Tuple

from screening.extraction import Extraction, is_urgent
from screening.findings import (
    EMERGENCY,
    FINDINGS,
    PATTERN_TWO_SIDES,
    URGENT_FINDINGS,
    Answer,
)

URGENT_INTENT = "report_urgent_sign"
# Set only by components/urgent_signs.py, never trained: "maybe urgent, ask".
POSSIBLE_URGENT_INTENT = "possible_urgent_sign"
START_INTENT = "start_screening"
FALLBACK_INTENT = "nlu_fallback"
# The confirming question ("Is this happening now: ...?"), a response of the domain,
# so that it is asked from the Rasa side even when the action server is down.
CONFIRM_QUESTION = "utter_ask_urgent_confirmation"
# Replies to the confirming question that mean "give urgent advice": yes, not sure,
# another report of a possible urgent sign, or a description of the dimple that
# does not say no (not ruled out, so treated like "not sure").
ESCALATING_REPLIES = frozenset(
    {"affirm", "dont_know", URGENT_INTENT, POSSIBLE_URGENT_INTENT, START_INTENT}
)

URGENT_SIGNS: Tuple[str, ...] = (*URGENT_FINDINGS, EMERGENCY)
# What a description of the person's own dimple may replace. Replies (yes / no /
# not sure), requests (stop, delete, start over) and courtesies keep their meaning.
DESCRIPTION_MAY_REPLACE = frozenset(
    {"faq", "inform", "out_of_scope", "greet", "dont_know", FALLBACK_INTENT}
)
# Signs that make two side dimples worth a screening; without one of them, "my
# back dimples are deep" is about dimples of Venus, which the FAQ answers.
_SIGNS_ON_SIDE_DIMPLES = ("hair_tuft", "skin_tag", "lump", "discoloration")

Ranking = Sequence[Tuple[str, float]]


def urgent_sign_known(extraction: Extraction) -> bool:
    """The extractor read an urgent sign in the message: stated, denied, unsure or asked about."""
    named = set(extraction.findings) | set(extraction.asked_about) | set(extraction.mentioned)
    return any(name in named for name in URGENT_SIGNS)


def suspects_urgent(intent: Optional[str], ranking: Ranking) -> bool:
    """The classifier's guess is an urgent report (also when it was too unsure to say so)."""
    if intent == URGENT_INTENT:
        return True
    # The fallback classifier puts itself first in the ranking; the guess comes next.
    guesses = (name for name, _ in ranking if name != FALLBACK_INTENT)
    return intent == FALLBACK_INTENT and next(guesses, None) == URGENT_INTENT


def describes_own_dimple(extraction: Extraction) -> bool:
    """The message says something about the person's own (or their child's) dimple.

    Any finding the extractor reads as stated - present, absent or not sure - or
    where the dimple is. Findings that were only asked or read about are in
    `asked_about`, not in `findings`, so a question about dimples in general does
    not count.
    """
    findings = {name: answer for name, answer in extraction.findings.items() if name in FINDINGS}
    if extraction.pattern == PATTERN_TWO_SIDES:
        return any(
            findings.get(name) in (Answer.YES, Answer.UNSURE) for name in _SIGNS_ON_SIDE_DIMPLES
        )
    return bool(findings) or extraction.pattern is not None


def _best_other_intent(ranking: Ranking, intent: Optional[str]) -> str:
    """The classifier's next guess once an urgent report is ruled out."""
    if intent == FALLBACK_INTENT:
        return FALLBACK_INTENT  # it was unsure of everything: still unsure
    others = (name for name, _ in ranking if name not in (URGENT_INTENT, FALLBACK_INTENT))
    return next(others, FALLBACK_INTENT)


def route(intent: Optional[str], ranking: Ranking, extraction: Extraction) -> Optional[str]:
    """The intent the dialogue should act on instead of the classifier's; None keeps it.

    `ranking`: the classifier's intents with confidences, best first.
    """
    if is_urgent(extraction):
        return URGENT_INTENT if intent != URGENT_INTENT else None
    chosen = intent
    if suspects_urgent(intent, ranking):
        if not urgent_sign_known(extraction):
            # Wording the extractor does not know. A description of the dimple starts
            # the screening instead, whose first red-flag questions ask about each
            # urgent sign in turn; anything else gets the confirming question.
            describes = describes_own_dimple(extraction)
            return START_INTENT if describes else POSSIBLE_URGENT_INTENT
        # Denied, asked about, read about or only "not sure": the classifier's next guess.
        chosen = _best_other_intent(ranking, intent)
    if chosen in DESCRIPTION_MAY_REPLACE and describes_own_dimple(extraction):
        chosen = START_INTENT
    return chosen if chosen != intent else None


def previous_bot_action(events: Sequence[Tuple[str, str]]) -> Optional[str]:
    """The last action before the person's latest message (not action_listen).

    `events`: the conversation as (kind, name) pairs, kind "user", "action" or
    anything else, oldest first.
    """
    seen_user = False
    for kind, name in reversed(events):
        if kind == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and kind == "action" and name != "action_listen":
            return name
    return None


def confirmation_escalates(previous_action: Optional[str], intent: Optional[str]) -> bool:
    """A reply to the confirming question that calls for urgent advice."""
    return previous_action == CONFIRM_QUESTION and intent in ESCALATING_REPLIES


def urgent_reported(previous_action: Optional[str], intent: Optional[str]) -> bool:
    """Urgent advice is due for this message, even if no finding pins the sign down."""
    return intent == URGENT_INTENT or confirmation_escalates(previous_action, intent)


__all__ = [
    "CONFIRM_QUESTION",
    "POSSIBLE_URGENT_INTENT",
    "URGENT_INTENT",
    "confirmation_escalates",
    "describes_own_dimple",
    "previous_bot_action",
    "route",
    "urgent_reported",
    "urgent_sign_known",
]
