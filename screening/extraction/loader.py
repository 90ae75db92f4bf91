"""Read the word lists in ``data/*.yml`` and check their shape before the engine uses them.

Every file has a schema: the keys it may hold and what kind of value each is. A mistake
in a list (an unknown key, a misspelt kind, the same word twice) stops the start-up with
a message naming the file and the entry, rather than silently reading a message wrong.

Kinds of value:

- ``words``: one word per item, written as a block of words separated by spaces
  (``>-`` folded text); no word may appear twice.
- ``phrases``: a YAML list of strings, each a phrase of one or more words; no repeats.
- ``map``: word -> word (a YAML mapping of strings).
- ``numbers``: word -> number.
- ``raw``: a structure checked by the module that owns it (the rules, the reply phrases).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, Mapping, Tuple, Union

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"

try:  # the C parser is about ten times faster; PyYAML falls back to Python without libyaml
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader

Number = Union[int, float]


class WordListError(ValueError):
    """A data file is malformed. The message names the file and the entry."""

    def __init__(self, source: str, entry: str, problem: str) -> None:
        super().__init__(f"{source}: {entry}: {problem}")
        self.source = source
        self.entry = entry
        self.problem = problem


@dataclass(frozen=True)
class Table:
    """One data file, checked against its schema."""

    source: str
    values: Mapping[str, object]

    def words(self, key: str) -> Tuple[str, ...]:
        value = self.values[key]
        assert isinstance(value, tuple)
        return value

    def word_set(self, key: str) -> FrozenSet[str]:
        return frozenset(self.words(key))

    def phrases(self, key: str) -> Tuple[str, ...]:
        return self.words(key)

    def mapping(self, key: str) -> Dict[str, str]:
        value = self.values[key]
        assert isinstance(value, dict)
        return dict(value)

    def numbers(self, key: str) -> Dict[str, Number]:
        value = self.values[key]
        assert isinstance(value, dict)
        return dict(value)

    def raw(self, key: str) -> object:
        return self.values[key]


def read_yaml(path: Path) -> object:
    source = path.name
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_YamlLoader)
    except OSError as error:
        raise WordListError(source, "file", f"cannot be read ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise WordListError(source, "file", f"is not valid YAML ({error})") from error


def check_unique(source: str, entry: str, items: Tuple[str, ...]) -> None:
    seen = set()
    for item in items:
        if item in seen:
            raise WordListError(source, entry, f"{item!r} is listed twice")
        seen.add(item)


def check_keys(
    source: str,
    entry: str,
    found: Mapping[str, object],
    allowed: FrozenSet[str],
    required: FrozenSet[str] = frozenset(),
) -> None:
    unknown = sorted(set(found) - allowed)
    if unknown:
        raise WordListError(
            source, entry, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )
    missing = sorted(required - set(found))
    if missing:
        raise WordListError(source, entry, f"missing key {missing[0]!r}")


def word_list(source: str, entry: str, value: object) -> Tuple[str, ...]:
    """A ``words`` value: a string of words separated by blanks."""
    if not isinstance(value, str):
        raise WordListError(source, entry, "must be words separated by spaces (use '>-')")
    words = tuple(value.split())
    if not words:
        raise WordListError(source, entry, "is empty")
    check_unique(source, entry, words)
    return words


def phrase_list(source: str, entry: str, value: object) -> Tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise WordListError(source, entry, "must be a non-empty list of phrases")
    phrases = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.split():
            raise WordListError(source, f"{entry}[{index}]", "must be a non-empty string")
        phrases.append(" ".join(item.split()))
    result = tuple(phrases)
    check_unique(source, entry, result)
    return result


def _mapping(source: str, entry: str, value: object) -> Dict[str, object]:
    if not isinstance(value, dict) or not value:
        raise WordListError(source, entry, "must be a non-empty mapping")
    for key in value:
        if not isinstance(key, str) or not key or key != key.strip():
            raise WordListError(source, entry, f"key {key!r} must be a word (quote yes/no)")
    return value


def word_map(source: str, entry: str, value: object) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for key, word in _mapping(source, entry, value).items():
        if not isinstance(word, str) or not word:
            raise WordListError(source, f"{entry}.{key}", "must map to a word (quote yes/no)")
        out[key] = word
    return out


def number_map(source: str, entry: str, value: object) -> Dict[str, Number]:
    out: Dict[str, Number] = {}
    for key, number in _mapping(source, entry, value).items():
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise WordListError(source, f"{entry}.{key}", "must map to a number")
        out[key] = number
    return out


_READERS = {"words": word_list, "phrases": phrase_list, "map": word_map, "numbers": number_map}


def read_table(path: Path, schema: Mapping[str, str]) -> Table:
    """Read one data file; every key of the schema is required, no other key is allowed."""
    source = path.name
    document = read_yaml(path)
    if not isinstance(document, dict):
        raise WordListError(source, "file", "must be a mapping of names to word lists")
    check_keys(source, "file", document, frozenset(schema), frozenset(schema))
    values: Dict[str, object] = {}
    for key, kind in schema.items():
        values[key] = document[key] if kind == "raw" else _READERS[kind](source, key, document[key])
    return Table(source, values)


# The schema of every packaged data file (the rules and the replies hold "raw" structures
# that patterns.py and replies.py check entry by entry).
SCHEMAS: Dict[str, Dict[str, str]] = {
    "rules.yml": {"common_words": "words", "macros": "raw", "rules": "raw"},
    "spelling.yml": {"variants": "map", "fuzzy_targets": "words", "never_correct": "words"},
    "replies.yml": {
        "phrases": "raw",
        "continue_after": "words",
        "continue_after_unsure": "words",
        "emoji": "map",
        "offer_finish": "phrases",
        "offer_stop": "phrases",
        "rest_none": "phrases",
        "rest_none_after_no": "phrases",
    },
    "scope.yml": dict.fromkeys(
        (
            "break_tokens",
            "contrast",
            "subject_pronouns",
            "before_subject",
            "and_breaks_before",
            "verb_stops",
            "skip",
            "after_comma_ok",
            "mental_verbs",
            "hedges",
            "definite",
            "ellipsis_subjects",
            "ellipsis_verbs",
            "ellipsis_fillers",
            "ellipsis_when",
        ),
        "words",
    ),
    "questions.yml": dict.fromkeys(
        (
            "auxiliaries",
            "wh_words",
            "before_question",
            "interjections",
            "openers",
            "inverted_subjects",
            "complementizers",
            "embedded_verbs",
            "hypothetical",
            "sign_nouns",
            "asserting_determiners",
            "general_modals",
            "general_subjects",
            "relative_determiners",
        ),
        "words",
    ),
    "numbers.yml": {
        "word_numbers": "numbers",
        "size_units_mm": "numbers",
        "other_nouns": "words",
        "at_most": "phrases",
        "at_least": "phrases",
        "approximately": "words",
        "age_units": "map",
        "person_after": "words",
        "person_words": "words",
        "not_age_after": "words",
        "duration_words": "words",
    },
    "subject.yml": {
        **dict.fromkeys(
            ("baby", "child", "other", "own_body", "third_person", "body_words"), "words"
        ),
        "self_replies": "phrases",
    },
    "assembly.yml": dict.fromkeys(
        ("condition_words", "own_case", "checklist_starts", "not_the_dimple"), "words"
    ),
}


@functools.cache
def table(name: str) -> Table:
    """A packaged data file, read once per process."""
    return read_table(DATA_DIR / name, SCHEMAS[name])
