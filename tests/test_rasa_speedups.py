"""components/rasa_speedups.py: Rasa's own verdict on action server replies, skops'
own module names, the FAQ selector's own weights."""

import os
from typing import Any, Callable, Dict, List, Tuple

import numpy
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from components import (
    rasa_speedups,  # importing the package applies the fix, as loading the model does
)

ACTION = RemoteAction("action_start_screening", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_the_fix_is_in_place_once_the_components_are_imported():
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result


@pytest.mark.parametrize(
    "reply",
    [
        {"events": [], "responses": []},
        {
            "events": [{"event": "slot", "name": "screening_interrupted", "value": None}],
            "responses": [{"text": "Who has the dimple?", "buttons": []}],
        },
    ],
)
def test_a_valid_reply_is_accepted(reply):
    assert ACTION._validate_action_result(reply) is True


@pytest.mark.parametrize(
    "reply",
    [
        {"events": [{"event": "slot", "name": 3}]},
        {"events": "not a list"},
        {"events": [{"no_event_key": 1}]},
    ],
)
def test_an_invalid_reply_still_gets_rasas_error(reply):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        ACTION._validate_action_result(reply)


def _reply_cases() -> List[Any]:
    """Replies with every event type the schema knows, as valid and as broken events."""
    names = [
        branch["properties"]["event"]["const"]
        for branch in rasa_speedups._schema["properties"]["events"]["items"]["oneOf"]
    ]
    events: List[Any] = [{"event": name} for name in names]
    events += [{"event": name, "timestamp": "late"} for name in names]  # not a number
    events += [
        {"event": "slot", "name": "deep", "value": "yes"},
        {"event": "slot", "name": 3, "value": "yes"},
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "user", "text": 5},
        {"event": "bot", "text": "Hello", "data": {"buttons": []}},
        {"event": "active_loop", "name": None},
        {"event": "followup", "name": "utter_greet"},
        {"event": "no_such_event"},
        {"event": ["user"]},
        {"name": "missing the event key"},
        "not an object",
        None,
    ]
    replies: List[Any] = [{"events": [event]} for event in events]
    replies += [
        {"events": events[:3], "responses": [{"text": "a"}]},
        {"events": [], "responses": ["not an object"]},
        {"events": None},
        {"responses": []},
        [],
        "text",
    ]
    return replies


@pytest.mark.parametrize("reply", _reply_cases())
def test_the_verdict_per_event_type_is_the_whole_schemas(reply):
    from jsonschema.validators import validator_for

    schema = rasa_speedups._schema
    assert rasa_speedups.reply_is_valid(reply) == validator_for(schema)(schema).is_valid(reply)


# --- skops.io on import: the same module for every ufunc, found faster ----------------


def _ufuncs(module: Any) -> List[Tuple[Any, str]]:
    return [
        (getattr(module, name), getattr(module, name).__name__)
        for name in sorted(dir(module))
        if isinstance(getattr(module, name), numpy.ufunc)
    ]


def test_skops_is_quickened_once_the_components_are_imported():
    import skops.io._utils  # type: ignore[import-untyped]

    assert getattr(skops.io._utils.whichmodule, "quick", False)


def test_the_quick_whichmodule_names_the_module_skops_itself_names():
    import scipy.special  # type: ignore[import-untyped]
    import skops.io._utils

    skops_own = skops.io._utils.whichmodule.__closure__[0].cell_contents  # the wrapped one
    assert skops_own.__module__ == "skops.io._utils"
    quick = rasa_speedups.quick_whichmodule(skops_own)
    # skops asks about every ufunc of both (753 in all); a sample of each, as each
    # search of skops' own takes milliseconds here.
    sample = _ufuncs(numpy)[::6] + _ufuncs(scipy.special)[::12]
    nowhere = type("Nowhere", (), {})()  # in no module: "__main__"
    nowhere.__module__ = None
    cases = [*sample, (nowhere, "nowhere"), (len, "len"), (os.path.join, "path.join")]
    assert len(cases) > 30
    for obj, name in cases:
        assert quick(obj, name) == skops_own(obj, name), name


# --- the FAQ selector's weights: created eagerly, then every one read from the model ----


@pytest.mark.server
def test_the_eagerly_built_answer_selector_holds_the_trained_weights(model_path, tmp_path):
    """Rasa's load creates the weights by a training step, then reads the trained ones
    from the model file. Created eagerly instead, they must match the file one to one
    (every value in it has its weight, every weight its value) and hold its values."""
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.nlu.selectors.response_selector import ResponseSelector
    from rasa.utils.tensorflow.models import RasaModel

    assert RasaModel.load.__func__ is rasa_speedups._load_model
    storage, metadata = LocalModelStorage.from_model_archive(tmp_path, model_path)
    node = next(n for n in metadata.predict_schema.nodes.values() if n.uses is ResponseSelector)
    config = {**ResponseSelector.get_default_config(), **node.config}
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    model = ResponseSelector.load(config, storage, node.resource, context).model
    assert model is not None
    loaded = model.get_weights()

    with storage.read_from(node.resource) as directory:
        model.load_weights(directory / "ResponseSelector.tf_model").assert_consumed()
    from_file = model.get_weights()
    assert len(loaded) == len(from_file) > 10
    for ours, trained in zip(loaded, from_file, strict=True):
        assert numpy.array_equal(ours, trained)
    # Predictions run as a graph, built at load time, as with Rasa's own load.
    assert not model.run_eagerly and model._tf_predict_step is not None


# --- the model's graphs run without Dask: the same results ---------------------------


@pytest.fixture(scope="module")
def served_agent(model_path: Any) -> Any:
    """The model loaded as `rasa run` loads it, once for this module's graph tests."""
    import asyncio

    from rasa.core.agent import load_agent

    agent = asyncio.run(load_agent(model_path=str(model_path)))
    assert agent.processor is not None
    return agent


@pytest.mark.server
def test_the_graphs_run_in_order_give_what_dask_gives(served_agent):
    """The NLU graph on a few messages and the policy graph on a conversation, once
    through Dask (Rasa's own run) and once in dependency order: the same intents,
    confidences, FAQ topics, entities and next actions."""
    from rasa.core.channels.channel import UserMessage
    from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    assert DaskGraphRunner.run is rasa_speedups._run_in_order
    runner = served_agent.processor.graph_runner
    metadata = served_agent.processor.model_metadata
    # Nodes with hooks (training) go through Dask: none here.
    assert not any(node._hooks for node in runner._instantiated_nodes.values())

    empty = DialogueStateTracker("graph-test", metadata.domain.slots)

    def parse(run: Callable, text: str) -> Dict[str, Any]:
        message = UserMessage(text, sender_id="graph-test")
        inputs = {PLACEHOLDER_MESSAGE: [message], PLACEHOLDER_TRACKER: empty}
        results = run(runner, inputs, [metadata.nlu_target])
        return results[metadata.nlu_target][0].as_dict(only_output_properties=True)

    texts = [
        "hello there",
        "what are back dimples",
        "there is a tuft of hair over the dimple",
        "my baby has a dimple with fluid coming out",
        "/start_screening",
    ]
    for text in texts:
        ours, dask = parse(rasa_speedups._run_in_order, text), parse(rasa_speedups._dask_run, text)
        assert ours == dask
        assert ours["intent"]["name"]

    domain = metadata.domain
    parsed = parse(rasa_speedups._run_in_order, "what are back dimples")
    tracker = DialogueStateTracker.from_events(
        "graph-test",
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("what are back dimples", parsed["intent"], [], parsed),
        ],
        domain.slots,
    )

    def predict(run: Callable) -> Tuple[str, List[float]]:
        results = run(runner, {PLACEHOLDER_TRACKER: tracker}, [metadata.core_target])
        prediction = results[metadata.core_target]
        return prediction.policy_name, prediction.probabilities

    predicted = predict(rasa_speedups._run_in_order)
    assert predicted == predict(rasa_speedups._dask_run)
    assert predicted[0]  # some policy predicted


# --- button payloads read without the NLU graph: the same parse ----------------------


@pytest.mark.server
def test_a_payload_is_parsed_as_the_whole_graph_parses_it(served_agent):
    """Every intent as a button payload, with entities, confidences, broken and unknown
    ones, FAQ buttons and plain text: the parse is the graph's, key for key."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = served_agent.processor
    payloads = [f"/{intent}" for intent in processor.domain.intents]
    payloads += [
        '/inform{"subject": "baby"}',
        '/inform{"dimple_pattern": "one_midline"}',
        '/inform{"signs_which": "hair_tuft"}',
        '/inform{"no_such_slot": 1}',
        "/deny@0.3",
        "  /affirm  ",
        "/faq/what_are_back_dimples",
        '/inform{"subject": "baby"',  # broken JSON
        '/inform{"subject": "baby"} and more',
        "/no_such_intent",
        "/",
        "//deny",
        "hello there",
        "there is a tuft of hair on the dimple",
    ]
    tracker = DialogueStateTracker("payload-test", processor.domain.slots)
    read_directly = 0
    for text in payloads:
        message = UserMessage(text, sender_id="payload-test")
        graph = rasa_speedups._rasa_parse_with_graph(processor, message, tracker)
        assert processor._parse_message_with_graph(message, tracker) == graph, text
        read_directly += rasa_speedups.parse_payload(text, processor.domain) is not None
    # the payloads of the domain's intents, with or without entities, are read directly
    assert read_directly >= len(processor.domain.intents)
