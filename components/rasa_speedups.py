"""Speed fixes for Rasa 3.6.21, applied when Rasa loads this package's components.
Each replaces or wraps a Rasa (or library) function: re-measure on any upgrade.

1. Rasa checks every reply of the action server with `jsonschema.validate()`,
which first checks the response schema itself against the JSON-schema
meta-schema: about 20 ms of CPU per custom action call, and this assistant makes
one or two such calls per message. A validator built once gives the same
verdict: a valid reply is accepted at once; anything else still goes through
Rasa's own method, with its own error. Each event is checked against the one
event type its name gives rather than against all 23 (the schema's `oneOf`, in
which every type fixes the name): about 1 ms less per call. Measured with scripts/bench/: Rasa's
CPU per message 71-80 ms -> 29-32 ms, p50 at one user 76 -> 34-38 ms
(docs/performance.md).

2. Rasa finds the class of every stored event by walking all subclasses of
`Event` (about 0.1 ms per event, for each event read back from the tracker store
on every message: 43% of the CPU of a message at turn 400 of one conversation).
The class found for a name is remembered; nothing else changes (a default is never
remembered, so an unknown name still gets Rasa's own answer).

3. Loading the intent classifier imports skops.io, which on import names the
module of every NumPy and SciPy ufunc the way pickle does: for each one it tries
every module in `sys.modules`, and a failed try formats an error message with the
module's repr. In a Rasa process (TensorFlow loaded, thousands of modules) that
took 10-15 s of every server start. The same search without building the
messages (`getattr` with a default catches the same AttributeError) finds the
same module in the same order, in well under a second.

4. Loading the FAQ answer selector (a TensorFlow model) first trains it on one
example, only to create its weights, which are then overwritten by the trained
ones. Rasa runs that step as a TensorFlow graph, and tracing the graph of a
training step took about 7 s of CPU at every server start. Run eagerly, the step
creates the same weights in a fraction of that; the model then predicts as a
graph, as before (Rasa's own first prediction still builds that graph). The
weights loaded, and so every prediction, are the same: the test compares them.

Per Rasa server start, 3 and 4 together: 28 -> 14 s of CPU (measured with the
suite's servers; every test that starts a server, and `./assistant chat`, gain).

5. Rasa runs its model graphs (NLU once a message, the policies once for every
action the bot takes) through Dask's scheduler, which rebuilds the task graph, its
dependency tables and its bookkeeping on every run: about 5% of a message's CPU for
graphs of a dozen nodes run one after the other. The nodes are run here in the
order of their dependencies (worked out once per set of targets), each given the
same inputs; a graph with hooks (training: caching, fingerprints, progress) still
goes through Dask.

6. A button's payload ("/deny", '/inform{"subject": "baby"}': half the messages of
a screening) is read by the last NLU step, Rasa's RegexMessageHandler, which
replaces the message with a new one made from the payload alone: the tokenizer,
the featurizers, the classifiers and the FAQ selector (a TensorFlow model) ran for
nothing. A payload that step will read (it matches Rasa's pattern and names an
intent of the domain) is now read by that same function directly; anything else
goes through the whole graph, as before. The test compares both ways.

7. (Moved to components/tracker_states.py, which works out a tracker's applied events
and past states going on from its last answer.)
"""

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.core.events import Event
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

_rasa_validate = RemoteAction._validate_action_result
_schema = RemoteAction.action_response_format_spec()
_validator = validator_for(_schema)(_schema)


def event_validators(schema: Dict[str, Any]) -> Optional[Tuple[Any, Dict[str, Any]]]:
    """A validator of the reply without its events, and one per event type.

    The schema says each event must match exactly one of the event types
    (`oneOf`), and every type fixes the `event` name to a constant of its own: an
    event is valid exactly when it is valid for the type its name gives, and the
    other twenty-odd types need not be tried. None if the schema is not so made."""
    events = schema.get("properties", {}).get("events", {})
    item = events.get("items", {})
    by_name: Dict[str, Any] = {}
    for branch in item.get("oneOf", []):
        name = branch.get("properties", {}).get("event", {}).get("const")
        if not isinstance(name, str) or name in by_name:
            return None
        by_name[name] = branch
    if not by_name or set(events) != {"type", "items"}:
        return None
    base = {key: value for key, value in item.items() if key != "oneOf"}
    outer = {**schema, "properties": {**schema["properties"], "events": {**events, "items": {}}}}
    validators = {
        name: validator_for(schema)({**base, "allOf": [branch]}) for name, branch in by_name.items()
    }
    return validator_for(schema)(outer), validators


_by_event = event_validators(_schema)


def reply_is_valid(result: Any) -> bool:
    """The verdict of the action-server reply schema, one event type per event."""
    if _by_event is None:
        return best_match(_validator.iter_errors(result)) is None
    outer, validators = _by_event
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or []:
        name = event.get("event") if isinstance(event, dict) else None
        validator = validators.get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    if reply_is_valid(result):
        return True
    return _rasa_validate(self, result)


_rasa_resolve_by_type = Event.resolve_by_type
_event_classes: Dict[str, Any] = {}


def _resolve_by_type(type_name: str, default: Optional[Any] = None) -> Any:
    found = _event_classes.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)
        if found is not None and getattr(found, "type_name", None) == type_name:
            _event_classes[type_name] = found
    return found


SKOPS_UTILS = "skops.io._utils"
_MISSING = object()


def quick_whichmodule(skops_whichmodule: Callable[[Any, str], str]) -> Callable[[Any, str], str]:
    """skops' `whichmodule(obj, name)`, with the same answer for every object, faster
    for a plain name (a dotted or dunder one still goes through skops' own).

    For a plain module and such a name, getattr finds the name in the module's
    dictionary or else asks the module's own `__getattr__`: looked up directly here,
    as a failed getattr (raising and catching an exception) costs microseconds, and
    there are about a million of them."""

    def whichmodule(obj: Any, name: str) -> str:
        if "." in name or name.startswith("__") or name == "<locals>":
            return skops_whichmodule(obj, name)
        module_name = getattr(obj, "__module__", None)
        if module_name is not None:
            return module_name
        # A copy, as skops does: a module's getattr may import other modules.
        for module_name, module in sys.modules.copy().items():
            if module_name in ("__main__", "__mp_main__") or module is None:
                continue
            if type(module) is ModuleType:
                namespace = module.__dict__
                value = namespace.get(name, _MISSING)
                if value is _MISSING and "__getattr__" in namespace:
                    value = getattr(module, name, _MISSING)
            else:  # a module type of its own may answer getattr in its own way
                value = getattr(module, name, _MISSING)
            if value is obj:
                return module_name
        return "__main__"

    whichmodule.quick = True  # type: ignore[attr-defined]
    return whichmodule


def _quicken(utils: Any) -> None:  # the module skops.io._utils
    if not getattr(utils.whichmodule, "quick", False):
        utils.whichmodule = quick_whichmodule(utils.whichmodule)


class _QuickenSkopsOnImport(importlib.abc.MetaPathFinder):
    """Swaps in the quick `whichmodule` as soon as skops.io._utils is loaded, before the
    rest of skops.io (which uses it on import) runs."""

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname != SKOPS_UTILS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        load = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            load(module)
            _quicken(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _quicken_skops() -> None:
    if SKOPS_UTILS in sys.modules:
        _quicken(sys.modules[SKOPS_UTILS])
    elif not any(isinstance(f, _QuickenSkopsOnImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuickenSkopsOnImport())


_rasa_load_model = RasaModel.load.__func__


def _load_model(
    cls: Any,
    model_file_name: str,
    model_data_example: RasaModelData,
    predict_data_example: Optional[RasaModelData] = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """RasaModel.load, with the step that creates the weights run eagerly."""
    if finetune_mode:  # training goes on from the loaded weights: Rasa's own way
        return _rasa_load_model(
            cls, model_file_name, model_data_example, predict_data_example, True, *args, **kwargs
        )
    import tensorflow as tf  # type: ignore[import-untyped]

    config = kwargs.get("config", {})
    model = cls(*args, **kwargs)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=True
    )
    model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
    model.run_eagerly = config.get(RUN_EAGERLY)  # predictions: as Rasa compiles them
    model.load_weights(model_file_name)
    if predict_data_example:
        model.run_inference(predict_data_example)  # builds the prediction graph now
    return model


_dask_run = DaskGraphRunner.run


def execution_order(runner: DaskGraphRunner, targets: List[str]) -> List[Tuple[str, List[str]]]:
    """The nodes the targets need, each after the nodes it needs, with what it needs."""
    schema = runner._graph_schema.minimal_graph_schema(targets)
    order: List[Tuple[str, List[str]]] = []
    placed: set = set()

    def place(name: str) -> None:
        if name in placed or name not in schema.nodes:  # done, or a graph input
            return
        placed.add(name)
        needs = list(schema.nodes[name].needs.values())
        for need in needs:
            place(need)
        order.append((name, needs))

    for name in schema.nodes:
        place(name)
    return order


def _run_in_order(
    self: DaskGraphRunner,
    inputs: Optional[Dict[str, Any]] = None,
    targets: Optional[List[str]] = None,
) -> Dict[str, Any]:
    """DaskGraphRunner.run for graphs without hooks, with the same results."""
    nodes = self._instantiated_nodes
    if any(node._hooks for node in nodes.values()):
        return _dask_run(self, inputs, targets)
    run_targets = targets if targets else self._graph_schema.target_names
    orders = self.__dict__.setdefault("_execution_orders", {})
    key = tuple(run_targets)
    if key not in orders:
        orders[key] = execution_order(self, run_targets)
    results: Dict[str, Any] = {}
    for name, value in (inputs or {}).items():
        if isinstance(value, str) and value in nodes:  # as Rasa refuses it
            return _dask_run(self, inputs, targets)
        results[name] = (name, value)
    try:
        for name, needs in orders[key]:
            # A need that nothing provides is passed as its name, as Dask does.
            results[name] = nodes[name](*[results.get(need, need) for need in needs])
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return {target: results[target][1] for target in run_targets}


_rasa_parse_with_graph = MessageProcessor._parse_message_with_graph
# The component whose name Rasa gives the entities of a payload.
PAYLOAD_READER = "RegexMessageHandler"


def parse_payload(text: Any, domain: Any, only_output_properties: bool = True) -> Any:
    """What Rasa's NLU graph makes of a payload it reads, or None for other text."""
    if not isinstance(text, str) or not text.strip().startswith(INTENT_MESSAGE_PREFIX):
        return None
    match = YAMLStoryReader._regex_message_pattern().match(text.strip())
    if match is None or match.group(INTENT_NAME_KEY).strip() not in domain.intents:
        return None  # the graph's own path (which warns about it)
    message = Message(data={TEXT: text})
    unpacked = YAMLStoryReader.unpack_regex_message(
        message, domain, entity_extractor_name=PAYLOAD_READER
    )
    if unpacked is message:
        return None
    parse_data = {
        TEXT: "",
        INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
        ENTITIES: [],
    }
    parse_data.update(unpacked.as_dict(only_output_properties=only_output_properties))
    return parse_data


def _parse_message_with_graph(
    self: MessageProcessor, message: Any, tracker: Any, only_output_properties: bool = True
) -> Dict[str, Any]:
    parsed = parse_payload(message.text, self.domain, only_output_properties)
    if parsed is not None:
        return parsed
    return _rasa_parse_with_graph(self, message, tracker, only_output_properties)


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    _quicken_skops()
    RasaModel.load = classmethod(_load_model)
    DaskGraphRunner.run = _run_in_order
    MessageProcessor._parse_message_with_graph = _parse_message_with_graph
