"""Ask "Did you mean ...?" when the FAQ topic of a question is uncertain.

The NLU component components/faq_topic_gate.py turns an uncertain FAQ question
into the intent `faq_unclear`; the topic ranking of that message is read here
and understanding.choice picks the buttons.
"""

from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from understanding.choice import clarify_buttons, faq_options

SOMETHING_ELSE = {"title": "Something else", "payload": "/something_else"}


def _topic_ranking(tracker: Tracker) -> List[Tuple[str, float]]:
    selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
    return [
        (item.get("intent_response_key", "").split("/", 1)[-1], item.get("confidence") or 0.0)
        for item in selector.get("ranking") or []
    ]


class ActionAskFaqTopic(Action):
    def name(self) -> Text:
        return "action_ask_faq_topic"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        buttons = clarify_buttons(faq_options(_topic_ranking(tracker)))
        if len(buttons) < 2:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        dispatcher.utter_message(response="utter_ask_faq_topic", buttons=[*buttons, SOMETHING_ELSE])
        return []
