"""An NLU component that stops the assistant from guessing.

After the classifiers and Rasa's FallbackClassifier, it asks
understanding.choice.decide what the message leads to:
- an FAQ question whose topic is uncertain becomes the intent `faq_unclear`,
  which the rules answer with "Did you mean ...?" (actions/faq_clarify.py);
- a doubtful request to delete the conversation or stop becomes `nlu_fallback`,
  so the person is asked again instead.
The response selector's ranking stays in the parse for the action to read.
It runs before the urgent-sign override, which keeps the last word.
"""

from typing import Any, Dict, List, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from understanding.choice import FALLBACK_INTENT, FAQ_INTENT, UNCLEAR_FAQ_INTENT, decide


def topic_ranking(message: Message) -> List[Tuple[str, float]]:
    selector = (message.get("response_selector") or {}).get(FAQ_INTENT) or {}
    return [
        (item.get("intent_response_key", "").split("/", 1)[-1], item.get("confidence") or 0.0)
        for item in selector.get("ranking") or []
    ]


def classifier_ranking(message: Message) -> List[Tuple[Any, float]]:
    """The intents with their confidences as the classifiers ranked them, best first."""
    return [
        (item.get(INTENT_NAME_KEY), item.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        for item in message.get(INTENT_RANKING_KEY) or []
    ]


def intent_ranking(message: Message) -> List[Tuple[str, float]]:
    intent = message.get(INTENT) or {}
    ranking = classifier_ranking(message)
    top = (intent.get(INTENT_NAME_KEY), intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    if not ranking or ranking[0][0] != top[0]:
        ranking = [top] + [item for item in ranking if item[0] != top[0]]
    return ranking


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class FaqTopicGate(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FaqTopicGate":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not message.get(INTENT):
                continue
            decision = decide(intent_ranking(message), topic_ranking(message))
            if decision.outcome == "keep":
                continue
            name = UNCLEAR_FAQ_INTENT if decision.outcome == "clarify" else FALLBACK_INTENT
            confidence = message.get(INTENT).get(PREDICTED_CONFIDENCE_KEY)
            message.set(
                INTENT,
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence},
                add_to_output=True,
            )
        return messages
