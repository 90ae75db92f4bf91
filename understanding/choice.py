"""Decide what a parsed message leads to, from the model's rankings alone.

- An FAQ topic is answered only when the response selector is sure of it: its
  confidence is high and clearly above the next topic. Otherwise the bot asks
  "Did you mean ...?" with the likeliest topics: a wrong answer given with
  confidence is worse than a question.
- A message the intent classifier could not place (Rasa's nlu_fallback) whose
  best guess was an FAQ question gets the same "Did you mean ...?" when the
  topic ranking has something to offer.
- Flows with consequences (deleting the conversation, stopping a screening)
  start only on a confident request that no other intent comes close to; a
  doubtful one is treated as not understood, so the person is asked again.

The thresholds were set from the held-out messages (docs/nlu-pipeline.md).
"""

from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

FAQ_INTENT = "faq"
FALLBACK_INTENT = "nlu_fallback"
# What an FAQ question with an uncertain topic becomes: the bot asks "Did you mean ...?".
UNCLEAR_FAQ_INTENT = "faq_unclear"

# Answer a topic only at or above this confidence, and this far above the next.
ANSWER_MIN_CONFIDENCE = 0.65
ANSWER_MIN_MARGIN = 0.30
# Offer a topic in "Did you mean ...?" only from this confidence.
OPTION_MIN_CONFIDENCE = 0.08
MAX_OPTIONS = 3
# Below this the topic ranking says nothing useful: ask to rephrase instead.
CLARIFY_MIN_CONFIDENCE = 0.20

# Intents whose flows have consequences: (minimum confidence, minimum margin).
CONSEQUENTIAL = {
    "delete_conversation": (0.80, 0.50),
    "stop": (0.65, 0.40),
}

# The question each "Did you mean" button sends: a training example of its
# topic (tests check it), since Rasa 3.6 does not parse /faq/<topic> payloads.
TOPIC_QUESTIONS: Dict[str, str] = {
    "what_are_back_dimples": "What are back dimples?",
    "name_origin": "Why are they called dimples of Venus?",
    "medical_term": "What is the medical term for back dimples?",
    "cause": "What causes back dimples?",
    "location": "Where are back dimples located?",
    "exercise": "Can exercise give you back dimples?",
    "genetics": "Are back dimples genetic?",
    "who_has_them": "Does everyone have back dimples?",
    "visibility": "Do back dimples fade with age?",
    "acquire_later": "Can you get back dimples later in life?",
    "harmless": "Are back dimples harmless?",
    "sacral_dimple": "What is a sacral dimple?",
    "difference": "Back dimple or sacral dimple?",
    "spina_bifida_occulta": "What is spina bifida occulta?",
    "tethered_cord": "What is a tethered spinal cord?",
    "warning_signs": "What are the warning signs with a sacral dimple?",
    "tests": "What tests are done for a sacral dimple?",
    "when_to_see_doctor": "When should I see a doctor?",
}

Ranking = Sequence[Tuple[str, float]]


@dataclass(frozen=True)
class Decision:
    """What the message leads to: keep the model's reading, ask which topic
    (`options`, likeliest first) or treat it as not understood."""

    outcome: str  # "keep", "clarify" or "not_understood"
    options: Tuple[str, ...] = ()


KEEP = Decision("keep")
NOT_UNDERSTOOD = Decision("not_understood")


def _top_two(ranking: Ranking) -> Tuple[float, float]:
    confidences = sorted((confidence for _, confidence in ranking), reverse=True)
    first = confidences[0] if confidences else 0.0
    second = confidences[1] if len(confidences) > 1 else 0.0
    return first, second


def faq_options(topic_ranking: Ranking) -> Tuple[str, ...]:
    """The two or three likeliest topics worth offering, likeliest first."""
    ranked = sorted(topic_ranking, key=lambda item: item[1], reverse=True)
    options = [
        topic
        for topic, confidence in ranked[:MAX_OPTIONS]
        if topic in TOPIC_QUESTIONS and confidence >= OPTION_MIN_CONFIDENCE
    ]
    # Always two choices at least, so the question is a real choice.
    for topic, _ in ranked:
        if len(options) >= 2:
            break
        if topic in TOPIC_QUESTIONS and topic not in options:
            options.append(topic)
    return tuple(options)


def topic_is_sure(topic_ranking: Ranking) -> bool:
    first, second = _top_two(topic_ranking)
    return first >= ANSWER_MIN_CONFIDENCE and first - second >= ANSWER_MIN_MARGIN


def decide(intent_ranking: Ranking, topic_ranking: Ranking) -> Decision:
    """intent_ranking: (intent, confidence), best first, as Rasa ranks them
    (nlu_fallback first when the classifier was unsure). topic_ranking:
    (FAQ topic, confidence) from the response selector."""
    if not intent_ranking:
        return KEEP
    top_intent, top_confidence = intent_ranking[0]
    if top_intent == FAQ_INTENT:
        if topic_is_sure(topic_ranking):
            return KEEP
        return Decision("clarify", faq_options(topic_ranking))
    if top_intent == FALLBACK_INTENT:
        guesses = [name for name, _ in intent_ranking[1:]]
        if guesses and guesses[0] == FAQ_INTENT:
            first, _ = _top_two(topic_ranking)
            if first >= CLARIFY_MIN_CONFIDENCE:
                return Decision("clarify", faq_options(topic_ranking))
        return KEEP
    if top_intent in CONSEQUENTIAL:
        min_confidence, min_margin = CONSEQUENTIAL[top_intent]
        second = intent_ranking[1][1] if len(intent_ranking) > 1 else 0.0
        if top_confidence < min_confidence or top_confidence - second < min_margin:
            return NOT_UNDERSTOOD
    return KEEP


def clarify_buttons(options: Sequence[str]) -> List[Dict[str, str]]:
    """Buttons for "Did you mean ...?": each sends its topic's question as text."""
    return [
        {"title": TOPIC_QUESTIONS[topic], "payload": TOPIC_QUESTIONS[topic]}
        for topic in options
        if topic in TOPIC_QUESTIONS
    ]
