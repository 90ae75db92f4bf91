"""components/action_bodies.py and persistence/stored_events.py: an action call's body,
written from the stored events' kept JSON, is the body Rasa's own code gives, byte
for byte, and a kept JSON is never used once its event has changed."""

import asyncio
import copy
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import components  # noqa: F401  (applies the fixes, as loading the model does)
from components import action_bodies
from components.action_calls import encode_json
from persistence.stored_events import STORED_JSON, event_json, settle
from persistence.tracker_store import EnvironmentSQLTrackerStore

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
ENDPOINT = EndpointConfig.from_dict({"url": "http://127.0.0.1:1/webhook"})
SELECTIVE = EndpointConfig.from_dict(
    {"url": "http://127.0.0.1:1/webhook", "enable_selective_domain": True}
)
# What people type: odd unicode, markup, quotes, escapes.
TEXTS = [
    'my newborn has a dimple 🙂 with a <b>tuft</b> of hair &amp; a "mark"',
    "ça va — \u2028 line\\break \u0000 </script>",
    "no",
]


def turn(text: str, index: int) -> List[Event]:
    parse = {
        "intent": {"name": "inform", "confidence": 0.8765432109876543},
        "entities": [{"entity": "sign", "value": "hair", "start": 0, "end": 4}],
        "intent_ranking": [{"name": "inform", "confidence": 1 / 3}],
        "response_selector": {"faq": {"response": {"responses": [{"text": text}]}}},
        "text": text,
    }
    return [
        UserUttered(text, parse["intent"], parse["entities"], parse, input_channel="rest"),
        SlotSet("age_months", 2.5 + index),
        ActionExecuted("screening_form"),
        ActiveLoop("screening_form"),
        SlotSet("requested_slot", "signs_marks"),
        BotUttered(f"Noted: {text}", {"buttons": [{"title": "Yes ✓", "payload": "/affirm"}]}),
        ActionExecuted("action_listen"),
    ]


def stored_conversation(tmp_path: Path, turns: int = 3) -> DialogueStateTracker:
    """A conversation saved turn by turn and read back, as a message finds it."""
    return asyncio.run(_stored_conversation(tmp_path, turns))


async def _stored_conversation(tmp_path: Path, turns: int) -> DialogueStateTracker:
    store = EnvironmentSQLTrackerStore(domain=DOMAIN, db=str(tmp_path / "bodies.db"))
    sender = "bodies-ü"
    for index in range(turns):
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        if not tracker.events:
            tracker.model_id = "model-1"
            tracker.update_with_events(
                [ActionExecuted("action_session_start"), SessionStarted()], DOMAIN
            )
        tracker.update_with_events(turn(TEXTS[index % len(TEXTS)], index), DOMAIN)
        await store.save(tracker)
    tracker = await store.retrieve(sender)
    assert tracker is not None
    return tracker


def bodies(tracker: DialogueStateTracker, endpoint: EndpointConfig, name: str) -> List[bytes]:
    """(ours, Rasa's) bodies of a call of action `name`."""
    action = RemoteAction(name, endpoint)
    ours = encode_json(action_bodies.action_call_format(action, tracker, DOMAIN))
    rasas = encode_json(action_bodies._rasa_action_call_format(action, tracker, DOMAIN))
    return [ours, rasas]


def test_the_call_format_is_in_place_once_the_components_are_imported():
    assert RemoteAction._action_call_format is action_bodies.action_call_format


@pytest.mark.parametrize(
    "endpoint, name",
    [
        (ENDPOINT, "action_extract_findings"),  # the whole domain goes with every call
        (SELECTIVE, "action_extract_findings"),  # no domain
        (SELECTIVE, "validate_screening_form"),  # the domain, for this action only
    ],
)
def test_the_body_is_rasas_byte_for_byte(tmp_path, endpoint, name):
    tracker = stored_conversation(tmp_path)
    stored = len(tracker.events)
    assert all(STORED_JSON in event.__dict__ for event in tracker.events)
    ours, rasas = bodies(tracker, endpoint, name)
    assert ours == rasas
    assert ("domain" in json.loads(ours)) == (
        endpoint is ENDPOINT or name == "validate_screening_form"
    )
    # The current turn's events, not stored yet, beside the stored ones; and again,
    # now with every stored event's JSON kept.
    tracker.update_with_events(turn("and a lump?", 9), DOMAIN)
    for _ in range(2):
        ours, rasas = bodies(tracker, endpoint, name)
        assert ours == rasas
    assert all(event.__dict__[STORED_JSON][3] for event in list(tracker.events)[:stored])
    assert not any(STORED_JSON in event.__dict__ for event in list(tracker.events)[stored:])


def test_a_stored_events_json_is_encoded_once(tmp_path, monkeypatch):
    tracker = stored_conversation(tmp_path)
    encoded: List[Any] = []
    real_as_dict = UserUttered.as_dict

    def counting_as_dict(self: UserUttered) -> Dict[str, Any]:
        encoded.append(self)
        return real_as_dict(self)

    monkeypatch.setattr(UserUttered, "as_dict", counting_as_dict)
    users = [event for event in tracker.events if isinstance(event, UserUttered)]
    for _ in range(3):
        bodies(tracker, SELECTIVE, "action_extract_findings")
    # Rasa's own format (once per round) reads every message; ours read each once,
    # and `latest_message` is not an event.
    assert len(encoded) == 3 * len(users) + len(users)


def test_a_changed_event_is_encoded_anew(tmp_path):
    tracker = stored_conversation(tmp_path)
    user = next(event for event in tracker.events if isinstance(event, UserUttered))
    slot = next(event for event in tracker.events if isinstance(event, SlotSet))
    before = event_json(user)
    assert user.__dict__[STORED_JSON][3] == before

    # What Rasa replaces on an event it holds: the metadata (a new model's id) and
    # the timestamp.
    user.metadata = {**user.metadata, "model_id": "model-2"}
    slot.timestamp = 12345.5
    assert json.loads(event_json(user))["metadata"]["model_id"] == "model-2"
    assert json.loads(event_json(slot))["timestamp"] == 12345.5
    ours, rasas = bodies(tracker, SELECTIVE, "action_extract_findings")
    assert ours == rasas

    # A copy carries the mark, but is another object: what is changed on it shows.
    clarified = copy.deepcopy(user)
    clarified.parse_data["intent"]["confidence"] = 1.0
    assert json.loads(event_json(clarified))["parse_data"]["intent"]["confidence"] == 1.0
    assert json.loads(event_json(user))["parse_data"]["intent"]["confidence"] != 1.0

    # Stored again (a later save): kept again, as it is now.
    settle([user])
    assert json.loads(event_json(user))["metadata"]["model_id"] == "model-2"


def test_events_that_were_never_stored_are_encoded_each_time():
    tracker = DialogueStateTracker.from_events("fresh", turn(TEXTS[0], 0))
    ours, rasas = bodies(tracker, SELECTIVE, "action_extract_findings")
    assert ours == rasas
    assert not any(STORED_JSON in event.__dict__ for event in tracker.events)


def test_a_value_ujson_refuses_goes_to_the_standard_encoder_with_rasas_body():
    tracker = DialogueStateTracker.from_events(
        "huge", [*turn(TEXTS[1], 0), SlotSet("age_months", 2**70)]
    )
    settle(tracker.events)
    action = RemoteAction("action_extract_findings", ENDPOINT)
    ours = json.loads(encode_json(action_bodies.action_call_format(action, tracker, DOMAIN)))
    rasas = action_bodies._rasa_action_call_format(action, tracker, DOMAIN)
    assert ours == json.loads(json.dumps(rasas))
    assert ours["tracker"]["events"][-1]["value"] == 2**70


def test_an_endpoint_with_a_certificate_file_gets_rasas_own_body(tmp_path):
    endpoint = EndpointConfig.from_dict(
        {"url": "https://127.0.0.1:1/webhook", "cafile": str(tmp_path / "ca.pem")}
    )
    tracker = DialogueStateTracker.from_events("cafile", turn(TEXTS[0], 0))
    body = action_bodies.action_call_format(
        RemoteAction("action_extract_findings", endpoint), tracker, DOMAIN
    )
    assert isinstance(body["tracker"]["events"], list)  # aiohttp's own json.dumps reads it
    assert isinstance(body["domain"], dict)


def test_another_request_function_gets_rasas_own_body(monkeypatch):
    from components import action_calls

    monkeypatch.setattr(EndpointConfig, "request", action_calls._rasa_request)
    tracker = DialogueStateTracker.from_events("other", turn(TEXTS[0], 0))
    body = action_bodies.action_call_format(
        RemoteAction("action_extract_findings", ENDPOINT), tracker, DOMAIN
    )
    assert json.dumps(body)  # aiohttp's own json.dumps can read it
