"""An NLU component that lets the extractor, not the classifier, decide about a person's case.

It runs the project's negation-aware extractor on every message after the
classifiers and applies screening/routing.py (plain Python, tested by tables):

- an urgent sign stated about the person's own case -> `report_urgent_sign`,
  which the rules answer with urgent advice wherever the conversation is;
- an urgent report the classifier guessed but the extractor reads as denied,
  asked about or only read about -> the classifier's next guess (so "it isn't
  weeping and the skin isn't red" is never told to get care today);
- an urgent report guessed in words the extractor does not know ->
  `possible_urgent_sign`, which the rules answer with one confirming question;
- a description of the person's own dimple -> `start_screening`.

The classifier's ranking is kept for debugging.
"""

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.faq_topic_gate import classifier_ranking
from screening.extraction import extract
from screening.routing import URGENT_INTENT, route

__all__ = ["URGENT_INTENT", "UrgentSignIntentOverride"]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class UrgentSignIntentOverride(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "UrgentSignIntentOverride":
        # Build the extractor's matchers now (about a second), not on a user's first message.
        extract("warm up")
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text: Optional[Text] = message.get(TEXT)
            if not text or text.startswith("/"):
                continue
            previous = message.get(INTENT) or {}
            ranking = classifier_ranking(message)
            intent = route(previous.get(INTENT_NAME_KEY), ranking, extract(text))
            if intent is None:
                continue
            message.set(
                INTENT,
                {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0},
                add_to_output=True,
            )
        return messages
