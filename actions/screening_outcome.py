"""action_screening_outcome: the advice that ends a screening, with its reasons."""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from screening.advice import advice_messages
from screening.asking import not_asked
from screening.findings import EMERGENCY, FINDINGS
from screening.questions import SCREENING_SLOTS, urgent_group_yes
from screening.routing import previous_bot_action, urgent_reported
from screening.triage import triage

logger = logging.getLogger(__name__)


class ActionScreeningOutcome(Action):
    def name(self) -> Text:
        return "action_screening_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        answers = {name: tracker.get_slot(name) for name in (*FINDINGS, EMERGENCY)}
        pattern = tracker.get_slot("dimple_pattern")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        events = [(event.get("event"), event.get("name")) for event in tracker.events]
        slots = {name: tracker.get_slot(name) for name in SCREENING_SLOTS}
        # "Yes" to the urgent signs' list is urgent before anyone asks which one.
        urgent = urgent_reported(previous_bot_action(events), intent) or urgent_group_yes(slots)
        outcome = triage(answers, pattern, urgent_reported=urgent)
        # Logged without any message text: the outcome and flags are what debugging needs.
        logger.info("screening outcome %s flags=%s", outcome.result, ",".join(outcome.red_flags))
        for text in advice_messages(
            outcome,
            answers,
            subject=tracker.get_slot("subject"),
            age_months=tracker.get_slot("age_months"),
            pattern=pattern,
            not_asked=not_asked(slots),
        ):
            dispatcher.utter_message(text=text)
        # An urgent sign reported mid-screening ends the screening here (the
        # rules expect the loop to be closed after this action in every case).
        return [
            SlotSet("screening_result", outcome.result),
            SlotSet("red_flags", list(outcome.red_flags)),
            SlotSet("requested_slot", None),
            ActiveLoop(None),
        ]
