"""Each stored event's JSON, encoded once.

Every call to the action server sends the whole tracker, every event of the session,
and all but the events of the current turn are already stored and never change
(components/action_bodies.py writes the calls' bodies from this).

The tracker store marks the events it stored or read back (`settle`); a marked
event's JSON is kept on it the first time it is asked for. It is used only while
the event is the same object, with the same `metadata` dict and timestamp: the
only attributes Rasa replaces on an event it already holds
(`DialogueStateTracker.update`, `update_with_events`). Rasa changes the contents of
an event's dicts only on copies it makes first (the fallbacks), which are other
objects. Any other event is encoded anew each time.
"""

from typing import Any, Iterable, Optional, Tuple

import ujson
from rasa.shared.core.events import Event

# Set on a stored event: (its id, the id of its metadata dict, its timestamp, its
# JSON once encoded). A copy of the event carries it too, with another id.
STORED_JSON = "_stored_json"

Mark = Tuple[int, int, Any, Optional[str]]


def encode(value: Any) -> str:
    """JSON as the action calls' bodies are encoded (components/action_calls.py)."""
    return ujson.dumps(value, ensure_ascii=True)


def _unchanged(event: Event, mark: Mark) -> bool:
    return mark[0] == id(event) and mark[1] == id(event.metadata) and mark[2] == event.timestamp


def settle(events: Iterable[Event]) -> None:
    """Mark events as stored: their JSON may be kept from now on."""
    for event in events:
        mark: Optional[Mark] = event.__dict__.get(STORED_JSON)
        if mark is None or not _unchanged(event, mark):
            event.__dict__[STORED_JSON] = (id(event), id(event.metadata), event.timestamp, None)


def event_json(event: Event) -> str:
    """The JSON of `event.as_dict()`: kept for a stored event, encoded otherwise."""
    mark: Optional[Mark] = event.__dict__.get(STORED_JSON)
    if mark is None or not _unchanged(event, mark):
        return encode(event.as_dict())
    if mark[3] is None:
        mark = (mark[0], mark[1], mark[2], encode(event.as_dict()))
        event.__dict__[STORED_JSON] = mark
    return mark[3]  # type: ignore[return-value]
