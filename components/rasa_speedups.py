"""A speed fix for Rasa 3.6.21, applied when Rasa loads this package's components.

Rasa checks every reply of the action server with `jsonschema.validate()`,
which first checks the response schema itself against the JSON-schema
meta-schema: about 20 ms of CPU per custom action call, and this assistant makes
one or two such calls per message. A validator built once gives the same
verdict: a valid reply is accepted at once; anything else still goes through
Rasa's own method, with its own error. Measured with scripts/bench/: Rasa's
CPU per message 71-80 ms -> 29-32 ms, p50 at one user 76 -> 34-38 ms
(docs/performance.md). It replaces a Rasa method: re-measure on any upgrade.
"""

from typing import Any, Dict

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_rasa_validate = RemoteAction._validate_action_result
_schema = RemoteAction.action_response_format_spec()
_validator = validator_for(_schema)(_schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    if best_match(_validator.iter_errors(result)) is None:
        return True
    return _rasa_validate(self, result)


def apply() -> None:
    RemoteAction._validate_action_result = _validate_action_result
