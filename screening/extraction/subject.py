"""Who the message is about: a baby, a child, the writer ("self") or someone else."""

from __future__ import annotations

from typing import Optional, Sequence

from .loader import table
from .normalise import words_only

_WORDS = table("subject.yml")
_BABY = _WORDS.word_set("baby")
_CHILD = _WORDS.word_set("child")
OTHER = _WORDS.word_set("other")
_SELF_BODY = _WORDS.word_set("own_body")
_THIRD_PERSON = _WORDS.word_set("third_person")
_BODY_WORDS = _WORDS.word_set("body_words")
_SELF_REPLIES = frozenset(tuple(text.split()) for text in _WORDS.phrases("self_replies"))


def subject(norms: Sequence[str], age: Optional[float], own_age: bool) -> Optional[str]:
    e = len(norms)
    baby = child = other = self_strong = self_weak = False
    for i, w in enumerate(norms):
        nxt = norms[i + 1] if i + 1 < e else ""
        if (
            w in _BABY
            or (w == "little" and nxt == "one")
            or (w == "new" and nxt == "born")
            or (w == "just" and nxt == "born")
        ):
            baby = True
        elif w in _CHILD:
            child = True
        elif w in OTHER:
            prev = norms[i - 1] if i > 0 else ""
            if prev in ("my", "our", "his", "her", "the") or nxt in ("has", "have", "'s", "is"):
                other = True
        if w == "my" and (
            nxt in _SELF_BODY
            or (
                i + 2 < e
                and nxt in ("lower", "own", "little", "small")
                and norms[i + 2] in _SELF_BODY
            )
        ):
            self_strong = True
        if w == "myself" or (
            w == "me"
            and (
                (i > 0 and norms[i - 1] in ("on", "with", "in", "about", "'s", "is"))
                or nxt == "too"
            )
        ):
            self_strong = True
        # "I have a dimple" - but parents also "have" or "noticed" things on a child, so
        # this only counts when no one else is mentioned (checked below).
        if (
            w == "i"
            and nxt in ("have", "'ve", "got", "get", "had")
            and any(x in _BODY_WORDS for x in norms[i + 2 : i + 7])
            and not any(
                x in ("question", "query", "concern", "worry") for x in norms[i + 2 : i + 5]
            )
        ):
            self_weak = True
        if (
            w in ("do", "have")
            and nxt == "i"
            and any(x in _BODY_WORDS for x in norms[i + 2 : i + 8])
        ):
            self_weak = True
    if own_age or tuple(words_only(norms)) in _SELF_REPLIES:
        self_strong = True
    if baby or child:
        if age is not None and not own_age:
            # "my 20 year old son" is an adult: asked about by someone else.
            return "baby" if age < 12 else "child" if age < 18 * 12 else "other"
        return "baby" if baby else "child"
    if self_strong:
        return "self"
    if other:
        return "other"
    if self_weak and not any(w in _THIRD_PERSON for w in norms):
        return "self"
    # "my 5 year old": the age says who; a bare "18 months" (a reply) does not say whose.
    if (
        age is not None
        and not own_age
        and any(w in ("my", "our", "he", "she", "his", "her") for w in norms)
    ):
        if age < 12:
            return "baby"
        if age < 18 * 12:
            return "child"
    return None
