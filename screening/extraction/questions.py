"""Step 4: which clauses ask rather than tell.

A clause that asks ("is a tuft of hair bad?") puts its findings in ``asked_about``
unless it also asserts something about the person's own case ("is it bad that he has
hair?", "why is it leaking?").
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

from .loader import table
from .spans import Span

_WORDS = table("questions.yml")
Q_AUX = _WORDS.word_set("auxiliaries")
Q_WH = _WORDS.word_set("wh_words")
_Q_PREV = _WORDS.word_set("before_question")
INTERJECTIONS = _WORDS.word_set("interjections")
_OPENERS = _WORDS.word_set("openers")
_INVERTED_SUBJ = _WORDS.word_set("inverted_subjects")
_COMPLEMENTIZER = _WORDS.word_set("complementizers")
_EMBED_VERBS = _WORDS.word_set("embedded_verbs")
_HYP_WORDS = _WORDS.word_set("hypothetical")
# Nouns for a sign: after "the/his/her" they say the sign exists ("nobody noticed the hair").
SIGN_NOUNS = _WORDS.word_set("sign_nouns")
_ASSERT_DETS = _WORDS.word_set("asserting_determiners")
# "why would a dimple ...": a why-question about dimples in general.
_GENERAL_MODALS = _WORDS.word_set("general_modals")
_GENERAL_SUBJECTS = _WORDS.word_set("general_subjects")
_RELATIVE_DETS = _WORDS.word_set("relative_determiners")

# (start, end, is a "why" question) of an interrogative clause
QuestionRange = Tuple[int, int, bool]


def question_ranges(norms: Sequence[str], s: int, e: int, qmark: bool) -> List[QuestionRange]:
    """(start, end, why) for each interrogative clause of a sentence."""
    first = s
    while first < e and norms[first] in INTERJECTIONS:
        first += 1
    starts: List[Tuple[int, bool]] = []
    for k in range(first, e):
        n = norms[k]
        at_start = k == first or norms[k - 1] in _Q_PREV
        if not at_start:
            continue
        nxt = norms[k + 1] if k + 1 < e else ""
        if n in Q_AUX or n in (
            "what",
            "why",
            "how",
            "where",
            "which",
            "who",
            "whats",
            "hows",
            "wat",
            "wot",
        ):
            if n == "any" and not qmark:
                continue
            if n in Q_AUX and n != "any":
                # Only an inverted subject makes "is/has/can ..." a question: "and is red"
                # or "can not tell how deep" (subject dropped) is a statement.
                if nxt in ("not", "be", "been") and not qmark:
                    continue
                if (
                    k != first
                    and nxt not in _INVERTED_SUBJ
                    and not (qmark and nxt in ("a", "an", "the", "any"))
                ):
                    continue
                if (
                    n in ("have", "has")
                    and nxt not in _INVERTED_SUBJ
                    and nxt not in ("anyone", "anybody")
                ):
                    continue
            if k != first and not qmark and n in ("what", "how", "which", "who", "where"):
                continue
            why = n == "why" or (n == "how" and k + 1 < e and norms[k + 1] == "come")
            starts.append((k, why))
        elif n == "when" and qmark:
            starts.append((k, False))
    if not starts and qmark and first < e and norms[first] not in _OPENERS:
        starts.append((first, False))
    ranges = []
    for start, why in starts:
        end = e
        for k in range(start + 1, e - 1):
            if norms[k] in (",", "and", "but", "because", "cos", ";") and norms[k + 1] in _OPENERS:
                end = k
                break
            if norms[k] in ("but", ";"):
                end = k
                break
        ranges.append((start, end, why))
    return ranges


def asserted_in_question(norms: Sequence[str], qstart: int, span: Span, why: bool) -> bool:
    """Whether a question still tells that the sign is there ("is it bad he has hair?")."""
    if why:
        # "Why is it leaking?" tells; "why would a dimple ooze pus?" asks about dimples in
        # general.
        words = norms[qstart + 1 : qstart + 3]
        return not (
            len(words) == 2 and words[0] in _GENERAL_MODALS and words[1] in _GENERAL_SUBJECTS
        )
    between = norms[qstart : span.start]
    if any(w in _HYP_WORDS for w in between):
        return False
    for k in range(qstart + 2, span.start):
        w = norms[k]
        if w == "that" and norms[k - 2] in _RELATIVE_DETS:
            continue  # "can a dimple that leaks be ...": a relative clause, not a report
        if w in _COMPLEMENTIZER:
            return True
        # Not "it": "any chance it's infected?" asks, "is it bad he has hair?" tells.
        if (
            w in ("he", "she", "there", "i", "we", "they")
            and k + 1 < len(norms)
            and norms[k + 1] in _EMBED_VERBS
            and norms[k - 1] not in Q_AUX
        ):
            return True
        if (
            w in ("my", "our")
            and k + 2 < len(norms)
            and (
                norms[k + 1] in _EMBED_VERBS
                or (norms[k + 2] in _EMBED_VERBS and norms[k + 1] != "to")
            )
        ):
            return True
    return (
        span.start > qstart
        and norms[span.start - 1] in _ASSERT_DETS
        and norms[span.start] in SIGN_NOUNS
    )
