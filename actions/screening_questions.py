"""The grouped screening questions, asked by the screening form.

Rasa asks a form's requested slot with `action_ask_<slot>`; these render only the
signs still open (screening/asking.py decides the words and buttons).
"""

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from screening.asking import Question, group_question, settled_offer, which_question
from screening.findings import GROUP_SLOTS, MORE_SLOT, WHICH_SLOT
from screening.questions import SCREENING_SLOTS


class _AskQuestion(Action, ABC):
    # Abstract, so that rasa_sdk registers only the subclasses, each with its slot.
    @property
    @abstractmethod
    def slot(self) -> Text: ...

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def question(self, slots: Dict[Text, Any]) -> Question:
        return group_question(self.slot, slots)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        slots = {name: tracker.get_slot(name) for name in SCREENING_SLOTS}
        question = self.question(slots)
        # One message: text, buttons and picture (if any) together, as a response sends.
        dispatcher.utter_message(text=question.text, buttons=question.buttons, image=question.image)
        # At least one event: components/action_server_down.py tells success by it.
        return [SlotSet("requested_slot", self.slot)]


class ActionAskSignsUrgent(_AskQuestion):
    slot = GROUP_SLOTS[0]


class ActionAskSignsMarks(_AskQuestion):
    slot = GROUP_SLOTS[1]


class ActionAskSignsDimple(_AskQuestion):
    slot = GROUP_SLOTS[2]


class ActionAskSignsCrease(_AskQuestion):
    slot = GROUP_SLOTS[3]


class ActionAskSignsPosition(_AskQuestion):
    slot = GROUP_SLOTS[4]


class ActionAskSignsWhich(_AskQuestion):
    slot = WHICH_SLOT

    def question(self, slots: Dict[Text, Any]) -> Question:
        return which_question(slots)


class ActionAskScreeningMore(_AskQuestion):
    slot = MORE_SLOT

    def question(self, slots: Dict[Text, Any]) -> Question:
        return settled_offer(slots)
