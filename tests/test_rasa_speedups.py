"""components/rasa_speedups.py gives Rasa's own verdict on action server replies."""

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
