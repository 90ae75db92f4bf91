"""Speed fixes for Rasa 3.6.21, applied when Rasa loads this package's components.

1. Rasa checks every reply of the action server with `jsonschema.validate()`,
which first checks the response schema itself against the JSON-schema
meta-schema: about 20 ms of CPU per custom action call, and this assistant makes
one or two such calls per message. A validator built once gives the same
verdict: a valid reply is accepted at once; anything else still goes through
Rasa's own method, with its own error. Measured with scripts/bench/: Rasa's
CPU per message 71-80 ms -> 29-32 ms, p50 at one user 76 -> 34-38 ms
(docs/performance.md). It replaces a Rasa method: re-measure on any upgrade.

2. Rasa finds the class of every stored event by walking all subclasses of
`Event` (about 0.1 ms per event, for each event read back from the tracker store
on every message: 43% of the CPU of a message at turn 400 of one conversation).
The class found for a name is remembered; nothing else changes (a default is never
remembered, so an unknown name still gets Rasa's own answer).
"""

from typing import Any, Dict, Optional

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

_rasa_validate = RemoteAction._validate_action_result
_schema = RemoteAction.action_response_format_spec()
_validator = validator_for(_schema)(_schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    if best_match(_validator.iter_errors(result)) is None:
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


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
