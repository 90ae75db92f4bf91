"""Action calls' bodies written from each stored event's JSON, encoded once.

Every call to the action server sends the whole tracker: every event of the session
(about 150 at the end of a screening, 40-70 KB of JSON), and a message makes up to
four calls. Rasa turns every event into a dict (`Event.as_dict`) and the body is
encoded anew for each call, although all but the events of the current turn are
already stored and never change. Measured at the end of a screening: 0.22 ms for
the tracker's state and 0.34 ms to encode it, per call (docs/performance.md).

Here a stored event's JSON is encoded once and reused for every later call
(persistence/stored_events.py: the tracker store marks the events it stored or
read back); the events of the current turn, and any event that is not stored, are
encoded for each call as before. The body is the same JSON, byte for byte: the
events are written by ujson itself, which inserts an object's `__json__` text as it
is. The domain sent to the form's validation action is encoded once per domain.

Endpoints with a certificate file (`cafile`) keep Rasa's own request and body.
Anything else reading the body finds Rasa's values through `as_plain`.
"""

from typing import Any, ClassVar, Dict, List, Text, Tuple

import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from components.action_calls import request_kept_alive
from persistence.stored_events import encode, event_json


class EventsJSON:
    """A tracker's events in an action call's body: ujson writes them with
    `__json__`; `as_plain` gives what Rasa would have put there."""

    __slots__ = ("events",)

    def __init__(self, events: List[Event]):
        self.events = events

    def __json__(self) -> str:
        return "[" + ",".join([event_json(event) for event in self.events]) + "]"

    def as_plain(self) -> List[Dict[Text, Any]]:
        return [event.as_dict() for event in self.events]


class DomainJSON:
    """The domain in an action call's body, encoded once per domain."""

    __slots__ = ("data",)
    _encoded: ClassVar[Dict[int, Tuple[Dict[Text, Any], str]]] = {}

    def __init__(self, data: Dict[Text, Any]):
        self.data = data

    def __json__(self) -> str:
        entry = self._encoded.get(id(self.data))
        if entry is None or entry[0] is not self.data:
            if len(self._encoded) >= 4:  # one per loaded model; old ones go
                self._encoded.clear()
            entry = (self.data, encode(self.data))
            self._encoded[id(self.data)] = entry
        return entry[1]

    def as_plain(self) -> Dict[Text, Any]:
        return self.data


_rasa_action_call_format = RemoteAction._action_call_format


def action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> Dict[Text, Any]:
    """RemoteAction._action_call_format, with the events and the domain written from
    their kept JSON, for the request that encodes them (components/action_calls.py)."""
    if (
        self.action_endpoint is None
        or self.action_endpoint.cafile  # Rasa's own request, which encodes plain values
        or EndpointConfig.request is not request_kept_alive
    ):
        return _rasa_action_call_format(self, tracker, domain)
    tracker_state = tracker.current_state(EventVerbosity.NONE)  # all but the events
    tracker_state["events"] = EventsJSON(list(tracker.events))  # as EventVerbosity.ALL
    result: Dict[Text, Any] = {
        "next_action": self._name,
        "sender_id": tracker.sender_id,
        "tracker": tracker_state,
        "version": rasa.__version__,
    }
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(
        self.name()
    ):
        result["domain"] = DomainJSON(domain.as_dict())
    return result


def apply() -> None:
    RemoteAction._action_call_format = action_call_format
