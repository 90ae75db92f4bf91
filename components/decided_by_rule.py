"""The memoization policy is not asked when a rule has already decided the next action.

Rasa asks every policy of config.yml for every action the bot takes, then keeps the
best prediction (rasa/core/policies/ensemble.py, `_pick_best_policy`): a "no user" or
end-to-end prediction overrules every prediction of the other kind; among the rest, the
highest confidence wins, and on a tie the higher priority. The memoization policy's
predictions are never of those two kinds, have a confidence of at most 1.0, a lower
priority than the rule policy's, and add no events. So when the rule policy's
prediction is of one of those kinds, or has confidence 1.0, the memoization policy's
prediction is thrown away; working it out (the dialogue states of the whole session,
then a lookup) took about 0.45 ms of CPU, two or three times a message, and in the
bench's conversations it was thrown away every time.

The rule policy's prediction is remembered on the tracker it was made for (its number
of events and its last event object, as components/tracker_states.py remembers
applied events), and the memoization policy, asked next for the same tracker, returns its
"nothing remembered" prediction at once when that prediction is decisive. Anything
else asks the memoization policy as before: no rule prediction for this very tracker
(Dask may run the policies in another order), a rule confidence below 1.0, priorities
in another order, or a last action that was rejected (the ensemble then zeroes that
action in every prediction, the rule's too). tests/test_decided_by_rule.py compares the
bot's choice with and without this at every point of the training stories and rules.
"""

from typing import Any, Dict, Optional, Text, Tuple

from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected
from rasa.shared.core.trackers import DialogueStateTracker

RULE_PREDICTION = "_rule_prediction_memo"

_rasa_rule_predict = RulePolicy.predict_action_probabilities
_rasa_memo_predict = MemoizationPolicy.predict_action_probabilities


def _state_of(tracker: DialogueStateTracker) -> Tuple[int, Any]:
    events = tracker.events
    return len(events), events[-1] if events else None


# The two wrappers keep Rasa's signatures, annotations included, and leave `self`
# without one: Rasa's graph validation reads the parameters a policy's run function
# needs from its type hints when a model is trained.


def _rule_predict(
    self,
    tracker: DialogueStateTracker,
    domain: Domain,
    rule_only_data: Optional[Dict[Text, Any]] = None,
    **kwargs: Any,
) -> PolicyPrediction:
    prediction = _rasa_rule_predict(self, tracker, domain, rule_only_data=rule_only_data, **kwargs)
    tracker.__dict__[RULE_PREDICTION] = (_state_of(tracker), prediction)
    return prediction


def _last_action_was_rejected(tracker: DialogueStateTracker) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecutionRejected):
            return True
        if isinstance(event, ActionExecuted):
            return False
    return False


def decisive_rule_prediction(
    tracker: DialogueStateTracker, memoization: MemoizationPolicy
) -> Optional[PolicyPrediction]:
    """The rule policy's prediction for this very tracker, if no memoization
    prediction could win against it."""
    remembered = tracker.__dict__.get(RULE_PREDICTION)
    if remembered is None:
        return None
    (length, last), prediction = remembered
    now_length, now_last = _state_of(tracker)
    if length != now_length or last is not now_last:  # the very same events, by identity
        return None
    if _last_action_was_rejected(tracker):
        # The ensemble then zeroes that action in every prediction, the rule's too.
        return None
    # A "no user" or end-to-end prediction overrules every prediction of the other
    # kind, and the memoization policy's are never of either kind.
    overrules = prediction.is_no_user_prediction or prediction.is_end_to_end_prediction
    outranks = (
        prediction.max_confidence >= 1.0 and prediction.policy_priority > memoization.priority
    )
    return prediction if overrules or outranks else None


def _memo_predict(
    self,
    tracker: DialogueStateTracker,
    domain: Domain,
    rule_only_data: Optional[Dict[Text, Any]] = None,
    **kwargs: Any,
) -> PolicyPrediction:
    if decisive_rule_prediction(tracker, self) is not None:
        return self._prediction(self._default_predictions(domain))
    return _rasa_memo_predict(self, tracker, domain, rule_only_data=rule_only_data, **kwargs)


def apply() -> None:
    RulePolicy.predict_action_probabilities = _rule_predict
    MemoizationPolicy.predict_action_probabilities = _memo_predict
