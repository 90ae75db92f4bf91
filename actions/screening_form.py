"""validate_screening_form: decides which question the screening form asks next."""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from screening.advice import noted_aside
from screening.questions import SCREENING_SLOTS, questions_to_ask
from screening.routing import POSSIBLE_URGENT_INTENT


class _NoSkippedValidationNotice(logging.Filter):
    """rasa_sdk warns at every turn, for every slot the turn set, that the form has no
    `validate_<slot>` method. The answers are read and checked by action_extract_findings
    (screening/slot_updates.py) by design, so those warnings only filled the action
    server's log (four per screening); other warnings of rasa_sdk.forms still show."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Skipping validation for `")


logging.getLogger("rasa_sdk.forms").addFilter(_NoSkippedValidationNotice())


class ValidateScreeningForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_screening_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == POSSIBLE_URGENT_INTENT:
            # A sign that may be urgent comes before the next question, even when the
            # same message also answered one ("no hair, but she's favouring a leg"):
            # handing the turn back lets the rules ask about it (data/rules/screening.yml).
            # The answers it gave are kept: action_extract_findings has set them.
            return [ActionExecutionRejected(self.form_name())]
        events: List[EventType] = await super().run(dispatcher, tracker, domain)
        text = tracker.latest_message.get("text") or ""
        requested = tracker.get_slot(REQUESTED_SLOT)
        asked_next = [e.get("value") for e in events if e.get("name") == REQUESTED_SLOT]
        if text and not text.startswith("/") and asked_next == [requested]:
            # The same question comes again: say back what the typed answer did tell.
            # (Rasa drops the messages of the action that extracts the slots.)
            aside = noted_aside(tracker.slots_to_validate(), requested)
            if aside:
                dispatcher.utter_message(text=aside)
        return events

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        return questions_to_ask({name: tracker.get_slot(name) for name in SCREENING_SLOTS})

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[Dict[Text, Any]]:
        # rasa_sdk leaves the choice to Rasa when the list happens to equal the
        # domain's; always choosing here keeps one source of truth for the order.
        needed = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = (name for name in needed if tracker.slots.get(name) is None)
        next_slot: Dict[Text, Any] = SlotSet(REQUESTED_SLOT, next(missing, None))
        return next_slot
