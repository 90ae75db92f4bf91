"""Numbers the Rasa-side components read from the environment."""

import logging
from typing import Callable, Mapping, Set, Text, Tuple, TypeVar

logger = logging.getLogger(__name__)

Number = TypeVar("Number", int, float)
# (variable, value) already warned about: a setting read at every message warns once.
_warned: Set[Tuple[Text, Text]] = set()


def number_setting(
    environ: Mapping[Text, Text],
    name: Text,
    default: Number,
    convert: Callable[[Text], Number],
    valid: Callable[[Number], bool],
    wanted: Text,
) -> Number:
    """The variable `name` as a number, or `default` when it is unset or empty; a value
    `convert` refuses or `valid` turns down gets a warning (saying it is not `wanted`)
    and `default`."""
    raw = (environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = convert(raw)
    except ValueError:
        value = None
    if value is not None and valid(value):
        return value
    if (name, raw) not in _warned:
        _warned.add((name, raw))
        logger.warning("%s=%r is not %s; using %s.", name, raw, wanted, default)
    return default
