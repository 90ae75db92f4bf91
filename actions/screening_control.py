"""Starting and restarting the screening."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from screening.advice import noted
from screening.questions import INTERRUPTED_SLOT, SCREENING_SLOTS

OUTCOME_SLOTS = ("screening_result", "red_flags")


def _set_since_last_message(tracker: Tracker) -> Dict[Text, Any]:
    """Slot values set after the latest user message (what that message said)."""
    values: Dict[Text, Any] = {}
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            values.setdefault(event.get("name"), event.get("value"))
    return values


def _had_a_screening(tracker: Tracker) -> bool:
    return any(
        event.get("event") == "active_loop" and event.get("name") == "screening_form"
        for event in tracker.events
    )


class ActionStartScreening(Action):
    """Begins a screening; a new one forgets the answers of an earlier one
    (finished or stopped).

    What the message that starts it says ("she has a tuft of hair") is kept, and
    so are signs mentioned earlier in a conversation that had no screening yet.
    A screening cut off because this server was down carries on instead, with
    the answers given so far. When the message described the dimple, one short
    line says back what was understood; the form then asks only what is open.

    It always returns at least one event: that is how
    components/action_server_down.py tells a success from a failed call.
    """

    def name(self) -> Text:
        return "action_start_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        interrupted = bool(tracker.get_slot(INTERRUPTED_SLOT))
        starting_over = not interrupted and (
            _had_a_screening(tracker) or tracker.get_slot("screening_result") is not None
        )
        events: List[Dict[Text, Any]] = [SlotSet(INTERRUPTED_SLOT, None)]
        said_now = _set_since_last_message(tracker)
        if starting_over:
            names = SCREENING_SLOTS + OUTCOME_SLOTS
            events += [SlotSet(name, said_now.get(name)) for name in names]
        line = noted({name: said_now.get(name) for name in SCREENING_SLOTS})
        if line:
            dispatcher.utter_message(text=line)
        return events
