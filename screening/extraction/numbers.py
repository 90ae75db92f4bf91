"""Numbers in a message: sizes and distances (large, deep, high) and the person's age."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from ..findings import Answer
from .loader import table
from .spans import Span
from .subject import OTHER

YES, NO, UNSURE = Answer.YES, Answer.NO, Answer.UNSURE

_NUMBERS = table("numbers.yml")
_WORD_NUMS = _NUMBERS.numbers("word_numbers")
_SIZE_UNITS = _NUMBERS.numbers("size_units_mm")
# A number before these measures something other than the dimple.
_OTHER_NOUNS = _NUMBERS.word_set("other_nouns")
_UPPER = frozenset(tuple(p.split()) for p in _NUMBERS.phrases("at_most"))
_LOWER = frozenset(tuple(p.split()) for p in _NUMBERS.phrases("at_least"))
_BOUNDS = sorted(_UPPER | _LOWER, key=len, reverse=True)
_APPROX = _NUMBERS.word_set("approximately")
_AGE_UNITS = _NUMBERS.mapping("age_units")
_PERSON_AFTER = _NUMBERS.word_set("person_after")
_PERSON_WORDS = _NUMBERS.word_set("person_words")
_NOT_AGE_AFTER = _NUMBERS.word_set("not_age_after")
_DURATION_WORDS = _NUMBERS.word_set("duration_words")

_DECIMAL_RE = re.compile(r"^\d{1,6}(?:[.,]\d{1,3})?$")


def number_at(norms: Sequence[str], i: int, e: int) -> Optional[Tuple[float, int]]:
    """A number starting at token i: (value, index after it)."""
    if i >= e:
        return None
    w = norms[i]
    value: Optional[float] = None
    j = i + 1
    if _DECIMAL_RE.match(w):
        value = float(w.replace(",", "."))
    else:
        if w in ("a", "an") and i + 1 < e and norms[i + 1] in ("couple", "few"):
            value = _WORD_NUMS[norms[i + 1]]
            j = i + 2
            if j < e and norms[j] == "of":
                j += 1
        elif w == "half" and i + 1 < e and norms[i + 1] in ("a", "an"):
            value, j = 0.5, i + 2
        elif w in _WORD_NUMS:
            value = float(_WORD_NUMS[w])
            if (
                w in ("twenty", "thirty", "forty", "fifty")
                and j < e
                and norms[j] in _WORD_NUMS
                and _WORD_NUMS[norms[j]] < 10
                and norms[j] not in ("a", "an", "half")
            ):
                value += _WORD_NUMS[norms[j]]
                j += 1
            if w in ("couple", "few") and j < e and norms[j] == "of":
                j += 1
    if value is None:
        return None
    # "one and a half", "2 and a half"
    if list(norms[j : j + 3]) == ["and", "a", "half"]:
        value += 0.5
        j += 3
    return value, j


def measurements(norms: Sequence[str], s: int, e: int) -> List[Span]:
    """Sizes ("6 mm wide"), depths ("1 cm deep") and heights ("3 cm above") as spans."""
    out = []
    i = s
    while i < e:
        parsed = number_at(norms, i, e)
        if (
            parsed is None
            or norms[i] in ("few", "couple")
            or (norms[i] in ("a", "an") and (i + 1 >= e or norms[i + 1] not in _SIZE_UNITS))
        ):
            i += 1
            continue
        value, j = parsed
        unit = norms[j] if j < e else ""
        if unit not in _SIZE_UNITS or (
            unit == "in"
            and j + 1 < e
            and norms[j + 1] not in ("wide", "across", "above", "up", "deep", ".", ",")
        ):
            i += 1
            continue
        mm = value * _SIZE_UNITS[unit]
        start, end = i, j + 1
        bound = None
        k = i
        while k > s and norms[k - 1] in _APPROX:
            k -= 1
        for words in _BOUNDS:
            if k - len(words) >= s and tuple(norms[k - len(words) : k]) == words:
                bound = "upper" if words in _UPPER else "lower"
                start = k - len(words)
                break
        nxt = norms[end] if end < e else ""
        nxt2 = norms[end + 1] if end + 1 < e else ""
        if nxt in ("above", "up", "from", "higher", "over", "away", "north") or (
            nxt == "or"
            and nxt2 == "so"
            and end + 2 < e
            and norms[end + 2] in ("above", "up", "from")
        ):
            key = "high"
            threshold = 25.4  # "more than 2.5 cm / 1 inch above": exactly an inch is still low
            end = min(e, end + 4)
        elif nxt in ("deep", "down", "depth", "inwards", "in"):
            key = "deep"
            threshold = 5.0
            end += 1
        elif nxt in _OTHER_NOUNS or nxt2 in (
            "lump",
            "birthmark",
            "tag",
            "mark",
            "patch",
            "hair",
            "swelling",
            "bruise",
        ):
            i = j + 1
            continue
        else:
            key = "large"
            threshold = 5.0
            if nxt in ("wide", "across", "diameter", "big", "round", "width", "wideness", "in"):
                end += 1
        pol: Optional[Answer]
        if bound == "upper":
            pol = NO if mm <= threshold else UNSURE
        elif bound == "lower":
            pol = YES if mm >= min(threshold, 25.0 if key == "high" else threshold) else UNSURE
        else:
            pol = YES if mm > threshold else NO
        if key == "deep" and pol != YES:
            pol = None  # a measured shallow depth does not prove the bottom is visible
        out.append(Span(key, pol, start, end, rule=None))
        i = end
    return [span for span in out if span.pol is not None] + [
        Span("supp:deep", None, span.start, span.end) for span in out if span.key == "deep"
    ]


def to_months(value: float, unit: str) -> float:
    if unit == "d":
        return 0.0 if value < 7 else round(value / 30.4375, 1)
    if unit == "w":
        return round(value * 7 / 30.4375, 1)
    if unit == "m":
        return float(value)
    return float(value * 12)


def age(norms: Sequence[str]) -> Tuple[Optional[float], bool]:
    """(age in months, whether it was the writer's own age)."""
    e = len(norms)
    for i in range(e):
        parsed = number_at(norms, i, e)
        if parsed is None:
            continue
        value, j = parsed
        if value < 0 or value > 120:
            continue
        unit = _AGE_UNITS.get(norms[j]) if j < e else None
        if (
            unit is not None
            and norms[j] in ("m", "w", "d", "y")
            and not (j + 1 < e and norms[j + 1] in ("old", "/"))
        ):
            unit = None
        if unit is None:
            # "he's 2", "my son is 2": a bare number after a person means years.
            if norms[i] in ("a", "an", "few", "couple", "half") or j >= e + 1:
                continue
            nxt = norms[j] if j < e else ""
            if nxt in _NOT_AGE_AFTER or value < 1:
                continue
            prev = norms[i - 1] if i >= 1 else ""
            who = norms[i - 2] if i >= 2 else ""
            own = who == "i" and prev in ("am", "'m")
            about_person = (
                who in _PERSON_WORDS or who in OTHER or (i >= 3 and norms[i - 3] in ("my", "our"))
            )
            if (
                prev in ("is", "'s", "am", "'m", "aged", "age", "turned", "turning", "turns")
                and about_person
                and value <= (110 if own or who in OTHER else 17)
            ):
                return float(value * 12), own
            if prev in ("aged", "age") and value <= 17:
                return float(value * 12), False
            continue
        k = j + 1
        if list(norms[k : k + 3]) == ["and", "a", "half"]:
            value += 0.5
            k += 3
        nxt = norms[k] if k < e else ""
        if nxt in (
            "check",
            "checkup",
            "appointment",
            "review",
            "scan",
            "jabs",
            "vaccines",
            "visit",
            "ago",
            "later",
            "before",
            "earlier",
        ):
            if nxt == "ago" and i >= 1 and norms[i - 1] == "born":
                return to_months(value, unit), False
            continue
        before = norms[max(0, i - 4) : i]
        own = "i" in before and ("am" in before or "'m" in before)
        if (
            nxt == "old"
            or nxt == "olds"
            or norms[j] == "yo"
            or (nxt == "of" and k + 1 < e and norms[k + 1] == "age")
        ):
            return to_months(value, unit), own
        prev = norms[i - 1] if i >= 1 else ""
        prev2 = norms[i - 2] if i >= 2 else ""
        if prev in ("is", "'s", "am", "'m", "aged", "age", "turned", "turning", "(") or (
            prev in ("just", "nearly", "almost", "now", "only", "over", "under", "about", "around")
            and prev2 in ("is", "'s", "am", "'m", "aged", "turned", "turning")
        ):
            if prev in ("is", "'s") and prev2 in ("it", "that", "there", "this", "been"):
                continue
            return to_months(value, unit), own
        if prev in ("my", "our", "a", "an", "the", "your") and nxt in _PERSON_AFTER:
            return to_months(value, unit), False
        if prev in ("my", "our") and norms[j] in ("month", "months", "week", "weeks", "yo"):
            return to_months(value, unit), False  # "my 6mo has a dimple"
        if sum(1 for w in norms if w.isalnum()) <= 5 and not (
            set(norms[max(0, i - 2) : i]) & _DURATION_WORDS
        ):
            return to_months(value, unit), False  # the reply to "how old?": "18 months"
    return None, False
