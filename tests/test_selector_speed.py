"""components/selector_speed.py: the FAQ answer selector's prediction for one typed
message, built and run directly, gives Rasa's own answers, rankings and scores."""

import re
from pathlib import Path
from typing import Any, Dict, List

import numpy
import pytest
import scipy.sparse  # type: ignore[import-untyped]
from rasa.engine.exceptions import GraphComponentException
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from components import selector_speed  # importing the package applies the speedup
from tests.test_rasa_speedups import served_agent  # noqa: F401  (the module fixture)

ROOT = Path(__file__).resolve().parent.parent
SELECTOR = "run_ResponseSelector6"
CLASSIFIER = "run_LogisticRegressionClassifier5"
FEATURIZED = "run_CountVectorsFeaturizer4"  # the last featurizer: the selector's input
# The same graph on the same inputs gives the same numbers (they come out bit for bit
# equal here), but TensorFlow does not promise bit-equal sums across thread schedules;
# a millionth is far below any step of the FAQ thresholds (0.5, margins of 0.1).
TOLERANCE = 1e-6

ODD_TEXTS = [
    "",
    " ",
    "a",
    "?",
    "12345 678",
    "ünïcödé dimplé 日本語 🙂",
    "<b>back</b> <script>alert(1)</script> dimples",
    "zyxwvut qwertyuiop",  # words never seen
    "what are back dimples " * 60,  # very long
    "WHAT ARE BACK DIMPLES???",
    "/faq",  # a payload-looking text that is not one the domain knows
]


def training_texts() -> List[str]:
    """Every third text of data/nlu/ and of the held-out messages (written unlike them):
    about 500 texts of every intent and FAQ topic, in a third of the time all would take
    (the fast path is the same code for every text; the suite keeps under its time)."""
    from rasa.shared.nlu.training_data.loading import load_data

    from scripts.heldout_nlu import load_heldout

    data = load_data(str(ROOT / "data" / "nlu"))
    texts = sorted({example.get("text") for example in data.training_examples})
    assert len(texts) > 200  # the project's NLU data, not an empty read
    heldout = sorted({text for text, _ in load_heldout()} - set(texts))
    assert len(heldout) > 100
    return texts[::3] + heldout[::3]


def _run(agent: Any, text: str, target: str) -> Message:
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor
    tracker = DialogueStateTracker("selector-test", processor.model_metadata.domain.slots)
    inputs = {
        PLACEHOLDER_MESSAGE: [UserMessage(text, sender_id="selector-test")],
        PLACEHOLDER_TRACKER: tracker,
    }
    return processor.graph_runner.run(inputs, [target])[target][0]


def _selector(agent: Any) -> ResponseSelector:
    return agent.processor.graph_runner._instantiated_nodes[SELECTOR]._component


def _parse(agent: Any, text: str, fast: bool) -> Dict[str, Any]:
    """The whole NLU graph's parse, with the speedup or with Rasa's own functions."""
    saved = ResponseSelector._predict, LogisticRegressionClassifier._create_X
    if not fast:
        ResponseSelector._predict = selector_speed._rasa_predict_message
        LogisticRegressionClassifier._create_X = selector_speed._rasa_create_x
    try:
        return _run(agent, text, agent.processor.model_metadata.nlu_target).as_dict(
            only_output_properties=True
        )
    finally:
        ResponseSelector._predict, LogisticRegressionClassifier._create_X = saved


def test_the_speedup_is_in_place_once_the_components_are_imported():
    assert ResponseSelector._predict is selector_speed._predict
    assert LogisticRegressionClassifier._create_X is selector_speed._create_x


def _assert_same_selection(ours: Dict[str, Any], rasas: Dict[str, Any], text: str) -> None:
    if "response_selector" not in rasas:  # a payload, read by RegexMessageHandler
        assert ours == rasas, text
        return
    selected, expected = ours["response_selector"], rasas["response_selector"]
    assert selected.keys() == expected.keys(), text
    for key in expected:
        if key == "all_retrieval_intents":
            assert selected[key] == expected[key], text
            continue
        response, rasa_response = selected[key]["response"], expected[key]["response"]
        for field in ("intent_response_key", "utter_action", "responses"):
            assert response[field] == rasa_response[field], text
        assert response["confidence"] == pytest.approx(rasa_response["confidence"], abs=TOLERANCE)
        ranking, rasa_ranking = selected[key]["ranking"], expected[key]["ranking"]
        assert [r["intent_response_key"] for r in ranking] == [
            r["intent_response_key"] for r in rasa_ranking
        ], text
        assert [r["confidence"] for r in ranking] == pytest.approx(
            [r["confidence"] for r in rasa_ranking], abs=TOLERANCE
        ), text
    # The intents (the classifier's own, then the fallback, the FAQ topic gate and the
    # urgent signs) are not the selector's: the fast features give them exactly.
    assert ours["intent"] == rasas["intent"], text
    assert ours["intent_ranking"] == rasas["intent_ranking"], text
    assert ours.get("entities") == rasas.get("entities"), text


@pytest.mark.server
def test_every_training_example_and_odd_text_gets_rasas_selection(served_agent):  # noqa: F811
    """The texts of data/nlu/ and the odd ones, parsed by the whole NLU graph with the
    fast prediction and with Rasa's: the same answer, ranking and confidences."""
    texts = training_texts() + ODD_TEXTS
    faq_answers = set()
    for text in texts:
        try:
            rasas = _parse(served_agent, text, fast=False)
        except GraphComponentException as error:
            # Rasa's own graph fails on some texts (the empty one, before the selector
            # runs; the channels refuse those): the same failure either way.
            with pytest.raises(GraphComponentException, match=re.escape(str(error))):
                _parse(served_agent, text, fast=True)
            continue
        ours = _parse(served_agent, text, fast=True)
        _assert_same_selection(ours, rasas, text)
        faq = ours.get("response_selector", {}).get("faq")
        if faq:
            faq_answers.add(faq["response"]["intent_response_key"])
    assert len(faq_answers) > 5  # the texts reach many of the FAQ answers


@pytest.mark.server
def test_the_batch_and_the_scores_are_rasas_own(served_agent):  # noqa: F811
    """For every text: the batch built directly is, array for array, the one Rasa's
    data generator makes of Rasa's model data, and the graph called directly gives the
    scores of Rasa's `_rasa_predict` on Rasa's batch. A text the fast path does not
    take (none here but the empty ones) is left to Rasa."""
    from rasa.utils.train_utils import create_data_generators

    selector = _selector(served_agent)
    featurizers = selector.component_config.get("featurizers")
    taken = 0
    for text in training_texts() + ODD_TEXTS:
        message = _run(served_agent, text, FEATURIZED)
        batch = selector_speed.single_message_batch(message, featurizers)
        model_data = selector._create_model_data([message], training=False)
        if batch is None:
            continue
        taken += 1
        generator, _ = create_data_generators(model_data, 1, epochs=1, shuffle=False)
        assert len(generator) == 1
        rasa_batch = generator[0][0]
        assert len(batch) == len(rasa_batch), text
        for ours, rasas in zip(batch, rasa_batch, strict=True):
            assert ours.dtype == rasas.dtype and ours.shape == rasas.shape, text
            assert numpy.array_equal(ours, rasas), text
        outputs = selector_speed.predict_batch(selector.model, batch)
        assert outputs is not None, text
        rasa_outputs = selector.model._rasa_predict(rasa_batch)
        assert outputs.keys() == rasa_outputs.keys()
        numpy.testing.assert_allclose(
            outputs["i_scores"], rasa_outputs["i_scores"], rtol=0, atol=TOLERANCE
        )
    assert taken > 200  # the fast path is the one real messages take


@pytest.mark.server
def test_the_intent_classifier_gets_rasas_own_matrix(served_agent):  # noqa: F811
    """For every text, the classifier's input matrix is Rasa's, entry for entry (same
    format, types, indices and values), and so are its probabilities."""
    classifier = served_agent.processor.graph_runner._instantiated_nodes[CLASSIFIER]._component
    direct = 0
    for text in training_texts() + ODD_TEXTS:
        message = _run(served_agent, text, FEATURIZED)
        direct += selector_speed.single_row_matrix(message) is not None
        ours = selector_speed._create_x(classifier, [message])
        rasas = selector_speed._rasa_create_x(classifier, [message])
        assert type(ours) is type(rasas) and ours.shape == rasas.shape, text
        assert ours.format == rasas.format and ours.dtype == rasas.dtype, text
        fields = ("row", "col") if ours.format == "coo" else ("indptr", "indices")
        for field in (*fields, "data"):
            assert getattr(ours, field).dtype == getattr(rasas, field).dtype, text
            assert numpy.array_equal(getattr(ours, field), getattr(rasas, field)), text
        if ours.shape[1] == classifier.clf.n_features_in_:  # not the empty text
            assert numpy.array_equal(
                classifier.clf.predict_proba(ours), classifier.clf.predict_proba(rasas)
            ), text
    assert direct > 200  # the matrix built directly is the one real messages get


def _message(*features: Features) -> Message:
    message = Message(data={"text": "back dimples"})
    for feature in features:
        message.add_features(feature)
    return message


def test_texts_the_fast_path_does_not_know_go_to_rasa():
    """Dense features, matrices not in COO form, or a missing feature type: no batch."""
    sequence = scipy.sparse.coo_matrix(numpy.ones((2, 3)))
    sentence = scipy.sparse.coo_matrix(numpy.ones((1, 3)))
    both = [
        Features(sequence, "sequence", "text", "a"),
        Features(sentence, "sentence", "text", "a"),
    ]
    assert selector_speed.single_message_batch(_message(*both), []) is not None
    dense = Features(numpy.ones((1, 4)), "sentence", "text", "b")
    assert selector_speed.single_message_batch(_message(*both, dense), []) is None
    csr = Features(sentence.tocsr(), "sentence", "text", "a")
    assert selector_speed.single_message_batch(_message(both[0], csr), []) is None
    assert selector_speed.single_message_batch(_message(both[0]), []) is None
    # Only the featurizers the selector was given count.
    assert selector_speed.single_message_batch(_message(*both, dense), ["a"]) is not None
