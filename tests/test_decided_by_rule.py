"""components/decided_by_rule.py: the memoization policy is not asked when the rule
policy's prediction wins anyway; the bot's choice must be the same.

Every prediction point of every tracker Rasa builds from the project's stories and
rules, and each of them after a rejected action, is predicted twice with the served
model, with and without the shortcut: the same action, the same winning policy,
confidence and events."""

import asyncio
from typing import Any, Dict, List, Tuple

import pytest
from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

import components  # noqa: F401  (applies the fixes, as loading the model does)
from components import decided_by_rule
from scripts.processes import ROOT

pytestmark = pytest.mark.server  # loads the trained model


@pytest.fixture(scope="module")
def agent(model_path: Any) -> Any:
    from rasa.core.agent import load_agent

    loaded = asyncio.run(load_agent(model_path=str(model_path)))
    assert loaded.processor is not None
    return loaded


def training_trackers(domain: Any) -> List[DialogueStateTracker]:
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")]
    )
    return TrainingDataGenerator(
        importer.get_stories(), domain, augmentation_factor=0, remove_duplicates=True
    ).generate()


def prediction_points(tracker: DialogueStateTracker) -> List[List[Any]]:
    """The events of the tracker as it was before each action the bot took."""
    events = list(tracker.events)
    return [
        events[:index]
        for index, event in enumerate(events)
        if isinstance(event, ActionExecuted) and index > 0
    ]


def summary(prediction: PolicyPrediction, domain: Any) -> Tuple[Any, ...]:
    return (
        domain.action_names_or_texts[prediction.max_confidence_index],
        prediction.policy_name,
        prediction.max_confidence,
        prediction.is_no_user_prediction,
        prediction.is_end_to_end_prediction,
        [{**event.as_dict(), "timestamp": None} for event in prediction.events],
    )


def test_the_shortcut_is_in_place_once_the_components_are_imported():
    assert RulePolicy.predict_action_probabilities is decided_by_rule._rule_predict
    assert MemoizationPolicy.predict_action_probabilities is decided_by_rule._memo_predict


def test_the_bot_chooses_the_same_action_at_every_point_of_the_training_stories(agent):
    processor = agent.processor
    domain = processor.domain
    points = [p for t in training_trackers(domain) for p in prediction_points(t)]
    assert len(points) > 200  # the stories and rules of data/ (sanity check of the loading)
    skipped: Dict[str, int] = {"asked": 0, "not asked": 0}

    def counting_memo(self: Any, tracker: Any, domain: Any, **kwargs: Any) -> Any:
        decisive = decided_by_rule.decisive_rule_prediction(tracker, self) is not None
        skipped["not asked" if decisive else "asked"] += 1
        return decided_by_rule._memo_predict(self, tracker, domain, **kwargs)

    # The model's graph nodes hold the function they call from when it was loaded.
    nodes = {
        node._component_class: node
        for node in processor.graph_runner._instantiated_nodes.values()
        if node._fn_name == "predict_action_probabilities"
    }
    rule, memoization = nodes[RulePolicy], nodes[MemoizationPolicy]
    assert rule._fn is decided_by_rule._rule_predict  # as served
    assert memoization._fn is decided_by_rule._memo_predict

    def predict_all(shortcut: bool) -> List[Tuple[Any, ...]]:
        if shortcut:
            memoization._fn = counting_memo
        else:
            rule._fn = decided_by_rule._rasa_rule_predict
            memoization._fn = decided_by_rule._rasa_memo_predict
        try:
            # A new tracker for each prediction: predicting changes a tracker (its
            # follow-up action is used up).
            return [
                summary(
                    processor._predict_next_with_tracker(
                        DialogueStateTracker.from_events("point", point, domain.slots)
                    ),
                    domain,
                )
                for point in points
            ]
        finally:
            rule._fn, memoization._fn = decided_by_rule._rule_predict, decided_by_rule._memo_predict

    # And each point again after the action Rasa chose there was rejected (a form that
    # cannot go on, say): the ensemble zeroes that action in every prediction.
    chosen = predict_all(False)
    points += [
        [*point, ActionExecutionRejected(action)]
        for point, (action, *_) in zip(points, chosen, strict=True)
        if action != "action_listen"
    ]
    with_shortcut, without = predict_all(True), predict_all(False)
    for point, ours, rasas in zip(points, with_shortcut, without, strict=True):
        assert ours == rasas, [e.as_dict() for e in point][-4:]
    # Both branches were taken: the test compared real shortcuts and real lookups.
    assert skipped["not asked"] > 0 and skipped["asked"] > 0, skipped


class _Memoization:
    priority = 3  # MemoizationPolicy's default


@pytest.mark.parametrize(
    "confidence, priority, no_user, end_to_end, rejected, decisive",
    [
        (1.0, 6, False, False, False, True),  # a rule applies: memoization cannot win
        (0.3, 6, False, False, False, False),  # the rule policy's fallback: it can
        (1.0, 2, False, False, False, False),  # a rule policy ranked below memoization
        (0.0, 6, True, False, False, True),  # "no user" overrules memoization's kind
        (0.0, 6, False, True, False, True),  # so does end-to-end
        (1.0, 6, False, False, True, False),  # the last action was rejected: zeroed
    ],
)
def test_when_the_rule_prediction_is_decisive(
    confidence, priority, no_user, end_to_end, rejected, decisive
):
    events: List[Any] = [ActionExecuted("action_listen")]
    if rejected:
        events.append(ActionExecutionRejected("screening_form"))
    tracker = DialogueStateTracker.from_events("table", events)
    prediction = PolicyPrediction(
        [0.0, confidence],
        "RulePolicy",
        priority,
        is_no_user_prediction=no_user,
        is_end_to_end_prediction=end_to_end,
    )
    tracker.__dict__[decided_by_rule.RULE_PREDICTION] = (
        decided_by_rule._state_of(tracker),
        prediction,
    )
    found = decided_by_rule.decisive_rule_prediction(tracker, _Memoization())
    assert (found is prediction) is decisive
    # A remembered prediction for another state of the tracker is never used.
    tracker.update(ActionExecuted("action_listen"))
    assert decided_by_rule.decisive_rule_prediction(tracker, _Memoization()) is None
