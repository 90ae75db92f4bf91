"""`rasa` with the class of a stored event found by a lookup table: the benchmark's
--fast-event-lookup starts Rasa as `python -m scripts.bench.fast_event_lookup run ...`.

Rasa 3.6.21 finds the class of every stored event by walking all subclasses of Event
(about 0.1 ms per event; a screening conversation has 160 events, read back from the
tracker store on every message). The same lookup, remembered, changes nothing else.
Measured in docs/performance.md; not part of how the project serves the assistant.
"""

import runpy
import sys
from typing import Any, Dict, Optional


def apply() -> None:
    from rasa.shared.core.events import Event

    rasa_resolve = Event.resolve_by_type
    event_classes: Dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Optional[Any] = None) -> Any:
        found = event_classes.get(type_name)
        if found is None:
            found = rasa_resolve(type_name, default)
            # Only what Rasa found for this very name is remembered, not a default.
            if found is not None and getattr(found, "type_name", None) == type_name:
                event_classes[type_name] = found
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)


if __name__ == "__main__":
    apply()
    sys.argv[0] = "rasa"
    runpy.run_module("rasa", run_name="__main__", alter_sys=True)
