"""action_extract_findings: read every user message for screening answers.

Rasa's action_extract_slots calls this after each user message because the
screening slots use a `custom` mapping naming it (see domain.yml).
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from screening.extraction import extract
from screening.questions import SCREENING_SLOTS
from screening.routing import CONFIRM_QUESTION, previous_bot_action
from screening.slot_updates import slot_updates

# Build the extractor's matchers when the action server starts (about a second),
# not on the first user's message.
extract("warm up")


class ActionExtractFindings(Action):
    def name(self) -> Text:
        return "action_extract_findings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        if text.startswith("/"):
            # A button payload such as /affirm or /inform{...}: the intent and
            # entities say it all, and the payload is not something the user wrote.
            text = ""
        requested = tracker.get_slot("requested_slot") if tracker.active_loop_name else None
        events = [(event.get("event"), event.get("name")) for event in tracker.events]
        if requested and previous_bot_action(events) == CONFIRM_QUESTION:
            # "Yes" / "no" here answer "is this happening now?", not the form's open question.
            requested = None
        updates = slot_updates(
            extract(text),
            intent=(message.get("intent") or {}).get("name"),
            entities=message.get("entities") or [],
            requested_slot=requested,
            current={name: tracker.get_slot(name) for name in SCREENING_SLOTS},
            typed=bool(text),
        )
        return [SlotSet(name, value) for name, value in updates.items()]
