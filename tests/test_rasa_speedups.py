"""components/rasa_speedups.py: Rasa's own verdict on action server replies, skops'
own module names, the FAQ selector's own weights."""

import os
from typing import Any, List, Tuple

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
