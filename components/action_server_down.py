"""A dialogue policy for when the action server does not answer.

The screening's decisions run on the action server. When it is down, Rasa logs
the failed custom action, drops its events and carries on, so by default the
person gets silence. This policy notices the failure in the conversation itself
and answers from the Rasa side: it closes the screening form (the answers so far
stay in the tracker), still answers an FAQ question or an urgent sign, says the
check cannot run right now and lists the signs that need care today.

It needs no health check and keeps no state: the next message tries the action
server again, so the assistant recovers by itself as soon as it is back.

How a failure is recognised: every custom action and form of this project
returns at least one event when it succeeds, and Rasa logs a failed one as
`ActionExecuted` with nothing after it. (So test stories must show an event
after each custom action, as real conversations have: `rasa test core` replays
a story without running its actions.) The decision is `next_action` below,
plain Python, tested by a table.

A hung action server (it accepts the connection and never answers) is a failure
too, but Rasa 3.6 waits 5 minutes for it (`DEFAULT_REQUEST_TIMEOUT`, with no
setting). When this policy is loaded it bounds that wait to ACTION_SERVER_TIMEOUT
seconds (environment; default 3, far above the milliseconds our actions take), so
a hung action server is answered like a stopped one, urgent advice included.
"""

import os
from typing import Any, Collection, Dict, List, Mapping, Optional, Sequence, Text, Tuple

import aiohttp
import rasa.core.actions.action
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_DEACTIVATE_LOOP_NAME, ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, LoopInterrupted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.environment import number_setting
from screening.questions import INTERRUPTED_SLOT
from screening.routing import (
    CONFIRM_QUESTION,
    POSSIBLE_URGENT_INTENT,
    URGENT_INTENT,
    previous_bot_action,
    urgent_reported,
)
from understanding.choice import UNCLEAR_FAQ_INTENT

UNAVAILABLE = "utter_screening_unavailable"
URGENT_OFFLINE = "utter_urgent_offline"
FAQ = "utter_faq"
FAQ_INTENT = "faq"
# "Did you mean ...?" is built by a custom action; without it, ask to rephrase
# rather than answer a topic the model was unsure of.
ASK_FAQ_TOPIC = "action_ask_faq_topic"
REPHRASE = "utter_default"

ENV_ACTION_TIMEOUT = "ACTION_SERVER_TIMEOUT"
DEFAULT_ACTION_TIMEOUT = 3.0

# One step of the current turn: ("action", name) or ("other", "").
Step = Tuple[Text, Text]


def failed_actions(steps: Sequence[Step], custom: Collection[Text]) -> List[Text]:
    """Custom actions of this turn that were logged with no events after them."""
    failed = []
    for index, (kind, name) in enumerate(steps):
        if kind != "action" or name not in custom:
            continue
        following = steps[index + 1] if index + 1 < len(steps) else None
        if following is None or following[0] == "action":
            failed.append(name)
    return failed


def next_action(
    steps: Sequence[Step],
    custom: Collection[Text],
    intent: Optional[Text],
    active_loop: Optional[Text],
) -> Optional[Text]:
    """What to do next in a turn where a custom action failed; None when none failed.

    `steps` are the events since the person's latest message, in order. `intent`
    is the one to act on: `report_urgent_sign` also for a "yes" or "not sure" to
    the confirming question (see `_intent_to_act_on`).
    """
    failed = failed_actions(steps, custom)
    if not failed:
        return None
    done = {name for kind, name in steps if kind == "action"}
    if active_loop:
        return ACTION_DEACTIVATE_LOOP_NAME
    if intent == URGENT_INTENT:
        return URGENT_OFFLINE if URGENT_OFFLINE not in done else ACTION_LISTEN_NAME
    if intent == POSSIBLE_URGENT_INTENT:
        # The confirming question is a response: Rasa can ask it on its own.
        return CONFIRM_QUESTION if CONFIRM_QUESTION not in done else ACTION_LISTEN_NAME
    if intent == FAQ_INTENT and FAQ not in done:
        return FAQ
    if intent == UNCLEAR_FAQ_INTENT:
        if REPHRASE not in done:
            return REPHRASE
        if set(failed) <= {ASK_FAQ_TOPIC}:
            return ACTION_LISTEN_NAME  # only the question failed: no check was under way
    if UNAVAILABLE not in done:
        return UNAVAILABLE
    return ACTION_LISTEN_NAME


def action_timeout(environ: Mapping[Text, Text]) -> float:
    """Seconds to wait for the action server: ACTION_SERVER_TIMEOUT, or the default."""
    return number_setting(
        environ,
        ENV_ACTION_TIMEOUT,
        DEFAULT_ACTION_TIMEOUT,
        float,
        lambda seconds: 0 < seconds <= 300,
        "a number of seconds between 0 and 300",
    )


def bound_action_server_wait(environ: Mapping[Text, Text] = os.environ) -> float:
    """Make Rasa give up on a custom action call after `action_timeout` seconds."""
    seconds = action_timeout(environ)
    # RemoteAction.run reads this module attribute on every call and passes it to
    # aiohttp. Connect and read time-outs, not a total one: they raise
    # ServerTimeoutError, a ClientConnectionError, which Rasa handles as it does a
    # refused connection. A total time-out raises asyncio.TimeoutError, which
    # Rasa's slot extraction does not catch: the whole turn failed with a 500.
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = aiohttp.ClientTimeout(
        total=None, sock_connect=seconds, sock_read=seconds
    )
    return seconds


def _is_policy_event(event: Any) -> bool:
    """Events that policies add before the next action: not an action's output."""
    # (action_start_screening clears the slot; only this policy sets it to True.)
    return isinstance(event, LoopInterrupted) or (
        isinstance(event, SlotSet) and event.key == INTERRUPTED_SLOT and event.value is True
    )


def _intent_to_act_on(tracker: DialogueStateTracker) -> Optional[Text]:
    """The latest intent; a reply that confirms an urgent sign counts as reporting one."""
    intent = tracker.latest_message.intent.get("name") if tracker.latest_message else None
    events = [
        ("user", "")
        if isinstance(event, UserUttered)
        else ("action", event.action_name or "")
        if isinstance(event, ActionExecuted)
        else ("other", "")
        for event in tracker.events
    ]
    return URGENT_INTENT if urgent_reported(previous_bot_action(events), intent) else intent


def _steps_of_this_turn(tracker: DialogueStateTracker) -> List[Step]:
    steps: List[Step] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if _is_policy_event(event):
            continue
        if isinstance(event, ActionExecuted):
            steps.append(("action", event.action_name or ""))
        else:
            steps.append(("other", ""))
    steps.reverse()
    return steps


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ActionServerDownPolicy(Policy):
    """Answers from the Rasa side in a turn where a custom action failed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_action_server_wait()

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Above RulePolicy (4): in a turn with a failed action, this policy decides.
        return {"priority": 7}

    def train(self, training_trackers: List[Any], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        # Responses (utter_*, including the retrieval action utter_faq) run in Rasa.
        custom = {name for name in domain.user_actions if not name.startswith("utter_")}
        custom |= set(domain.form_names)
        steps = _steps_of_this_turn(tracker)
        # Only a turn with a failed action needs the intent (and a walk over the events).
        intent = _intent_to_act_on(tracker) if failed_actions(steps, custom) else None
        action = next_action(steps, custom, intent, tracker.active_loop_name)
        probabilities = self._default_predictions(domain)
        if action is None:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        events = [SlotSet(INTERRUPTED_SLOT, True)] if action == ACTION_DEACTIVATE_LOOP_NAME else []
        # "No user prediction": the same class as the loop's own predictions,
        # which would otherwise win over any policy in this situation.
        return self._prediction(probabilities, events=events, is_no_user_prediction=True)
