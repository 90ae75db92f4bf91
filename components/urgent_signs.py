"""An NLU component that makes sure an urgent sign is never answered as chit-chat.

A trained classifier can read "my baby's dimple is oozing, what does that mean?"
as an FAQ question. This component runs the project's rule-based extractor on
every message after the classifiers; when the person states an urgent sign in
their own case (not as a question, not negated), it sets the intent to
`report_urgent_sign`, which the rules answer with urgent advice wherever the
conversation is. The classifier's ranking is kept for debugging.
"""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from screening.extraction import extract, is_urgent

URGENT_INTENT = "report_urgent_sign"


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
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
            if not is_urgent(extract(text)):
                continue
            previous = message.get(INTENT) or {}
            if previous.get(INTENT_NAME_KEY) == URGENT_INTENT:
                continue
            message.set(
                INTENT,
                {INTENT_NAME_KEY: URGENT_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0},
                add_to_output=True,
            )
        return messages
