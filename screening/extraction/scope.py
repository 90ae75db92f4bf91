"""Step 3: how far a negation, an uncertainty or an "if" reaches in a sentence.

Walking each sentence left to right, a negation cue covers the finding after it and
then runs on over a list ("no hair, tags or marks"), but stops at contrast words (but,
though, except...), ";", a new clause ("and it ...", ", it ...", "and a ...") or anything
that is not plainly the next list item, so "no hair or marks, but there's a little skin
tag" keeps the tag. A sign named with "the/his/her" is presupposed ("nobody noticed the
hair") and is not negated; a hedged negation ("it might not be deep") gives UNSURE, never
NO. An uncertainty cue ("not sure if", "can't tell whether") makes what follows UNSURE;
an "if"/"what if" makes it hypothetical. The word lists are in ``data/scope.yml``.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence

from ..findings import Answer
from .loader import table
from .normalise import is_symbol
from .questions import SIGN_NOUNS
from .spans import Span

YES, NO, UNSURE = Answer.YES, Answer.NO, Answer.UNSURE

_WORDS = table("scope.yml")
_BREAK_TOKENS = _WORDS.word_set("break_tokens")
_CONTRAST = _WORDS.word_set("contrast")
_SUBJ_PRON = _WORDS.word_set("subject_pronouns")
_PREPS = _WORDS.word_set("before_subject")
_AND_BREAK = _WORDS.word_set("and_breaks_before")
_VERB_STOP = _WORDS.word_set("verb_stops")
_SKIP = _WORDS.word_set("skip")
_COMMA_OK = _WORDS.word_set("after_comma_ok")
_MENTAL = _WORDS.word_set("mental_verbs")
_HEDGE_NEG = _WORDS.word_set("hedges")
_DEF_DETS = _WORDS.word_set("definite")
_ELLIPSIS_SUBJ = _WORDS.word_set("ellipsis_subjects")
_ELLIPSIS_AUX = _WORDS.word_set("ellipsis_verbs")
_ELLIPSIS_FILLERS = _WORDS.word_set("ellipsis_fillers")
_WHEN_WORDS = _WORDS.word_set("ellipsis_when")


class _Neg:
    """An open negation cue and how far it has reached."""

    def __init__(self, norms: Sequence[str], start: int, end: int, hedged: bool) -> None:
        self.hedged = hedged
        self.seen = False
        self.gap = 0
        self.gap_after = 0
        self.conn: Optional[str] = None
        self.conn_idx = -1
        following = norms[end : end + 3]
        # "I don't think there's hair": the cue reaches over one new subject.
        self.allow_subj = 1 if any(w in _MENTAL for w in following) else 0
        self.last_keys: set[str] = set()
        self.last_end = -1


class _Mod:
    """An open uncertainty ("unsure") or hypothetical ("hyp") cue."""

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "unsure" or "hyp"
        self.subjects = 0
        self.last_cue_end = -1


def reply_to(pol: Optional[Answer], reply: Answer) -> Answer:
    """A yes/no reply about a phrase: "shallow? no" means deep."""
    if reply == UNSURE or pol != NO:
        return reply
    return YES if reply == NO else NO


def _flip(pol: Optional[Answer]) -> Optional[Answer]:
    """A negated phrase: "not shallow" is deep, "not sore" rules soreness out."""
    if pol == NO:
        return YES
    return NO


def walk(norms: Sequence[str], s: int, e: int, spans: List[Span], cues: List[Span]) -> None:
    """Give every finding span in one sentence its polarity and hypothetical flag."""
    spans_at: Dict[int, List[Span]] = {}
    for span in spans:
        spans_at.setdefault(span.start, []).append(span)
    cues_at = {cue.start: cue for cue in cues}
    neg: Optional[_Neg] = None
    mod: Optional[_Mod] = None
    negated: List[Span] = []
    covered_until = -1
    i = s
    while i < e:
        n = norms[i]
        if (
            n in _BREAK_TOKENS
            or n in _CONTRAST
            or (n == "other" and i + 1 < e and norms[i + 1] == "than")
        ):
            if n in _CONTRAST and negated and _elliptic_yes(norms, i + 1, e):
                # "it never used to leak but now it does": the ellipsis revokes the "no".
                for span in negated:
                    span.final = YES
                negated.clear()
            neg = mod = None
            i += 1
            continue
        cue = cues_at.get(i)
        if cue is not None:
            kind = cue.key[4:]
            if kind == "neg":
                if is_answer_no(norms, i, e):
                    i = cue.end
                    continue
                hedged = any(w in _HEDGE_NEG for w in norms[max(s, i - 3) : i])
                neg = _Neg(norms, cue.start, cue.end, hedged)
            elif not (
                kind == "hyp"
                and mod is not None
                and mod.kind == "unsure"
                and mod.last_cue_end >= i - 1
            ):
                # "not sure if ..." stays uncertain rather than becoming hypothetical.
                mod = _Mod(kind)
            if mod is not None:
                mod.last_cue_end = cue.end
            i = cue.end
            continue
        here = spans_at.get(i, [])
        for span in here:
            pol = span.pol
            # "nobody noticed the hair", "not sure what the lump is": "the" says it exists.
            presupposed = (
                span.start > s
                and norms[span.start - 1] in _DEF_DETS
                and norms[span.start] in SIGN_NOUNS
            )
            if neg is not None and _neg_admits(neg, norms, span, e, spans_at):
                if not presupposed:
                    # "it might not be deep" is not a firm no.
                    pol = (YES if pol == NO else UNSURE) if neg.hedged else _flip(pol)
                    if pol == NO:
                        negated.append(span)
            elif neg is not None and span is here[0]:
                neg = None
            if mod is not None:
                if mod.kind == "unsure":
                    pol = pol if presupposed else UNSURE
                else:
                    span.hyp = True
            span.final = pol
        if here:
            if neg is not None:
                neg.seen = True
                neg.conn = None
                neg.gap_after = 0
                neg.last_keys = {sp.key for sp in here}
                neg.last_end = max(sp.end for sp in here)
            covered_until = max(covered_until, max(sp.end for sp in here))
        if i < covered_until:
            i += 1
            continue
        # A plain token: does it end the cue's reach?
        nxt = norms[i + 1] if i + 1 < e else ""
        prev = norms[i - 1] if i > s else ""
        if neg is not None:
            if n == ",":
                if not neg.seen:
                    neg = None
                else:
                    neg.conn, neg.conn_idx = ",", i
            elif n in ("or", "nor", "/", "&"):
                if neg.seen:
                    neg.conn, neg.conn_idx = "or", i
            elif n == "and":
                if nxt in _AND_BREAK:
                    neg = None
                elif neg.seen:
                    neg.conn, neg.conn_idx = "and", i
            elif n in _SUBJ_PRON and prev not in _PREPS:
                if neg.allow_subj > 0 and not neg.seen:
                    neg.allow_subj -= 1
                else:
                    neg = None
            elif neg.seen and n in _VERB_STOP:
                neg = None
            elif n not in _SKIP:
                if not neg.seen:
                    neg.gap += 1
                    if neg.gap > 5:
                        neg = None
                elif neg.conn is None:
                    neg.gap_after += 1
                    if neg.gap_after > 4:
                        neg = None
        if mod is not None:
            new_clause_after_comma = n == "," and (
                mod.kind == "hyp" or nxt in _SUBJ_PRON or nxt in ("my", "his", "her", "our")
            )
            new_clause_after_and = n == "and" and nxt in (
                "it",
                "there",
                "he",
                "she",
                "i",
                "we",
                "they",
                "my",
                "his",
                "her",
                "our",
            )
            if new_clause_after_comma or new_clause_after_and:
                mod = None
            elif mod.kind == "hyp" and n in _SUBJ_PRON and prev not in _PREPS:
                mod.subjects += 1
                if mod.subjects > 1:
                    mod = None
        i += 1


def _elliptic_yes(norms: Sequence[str], k: int, e: int) -> bool:
    """'... but now it does', '... though it did last week', '... but it used to'."""
    # Symbols and numbers after it ("... but now it does <3", "!!") do not undo it.
    words = [w for w in norms[k:e] if any(c.isalpha() for c in w) and w not in _ELLIPSIS_FILLERS]
    return (
        len(words) >= 2
        and words[0] in _ELLIPSIS_SUBJ
        and words[1] in _ELLIPSIS_AUX
        and all(w in _WHEN_WORDS for w in words[2:])
    )


def _neg_admits(
    neg: _Neg, norms: Sequence[str], span: Span, e: int, spans_at: Mapping[int, List[Span]]
) -> bool:
    if not neg.seen:
        return True
    if neg.conn is None:
        # "no tuft of hair": two words for the same sign belong to one phrase.
        return span.key in neg.last_keys and span.start - neg.last_end <= 2
    if span.pol == NO or any(w in _VERB_STOP for w in norms[span.start : span.end]):
        return False  # "no swelling, legs are fine": a clause of its own, not a list item
    if neg.conn == ",":
        if any(norms[k] not in _COMMA_OK for k in range(neg.conn_idx + 1, span.start)):
            return False
        after = norms[span.end] if span.end < e else ""
        return (
            after in ("", ",", "or", "and", "nor", "/", "&", ".", ";")
            or after in _CONTRAST
            or span.end in spans_at
            or after in _BREAK_TOKENS
        )
    return True


def is_answer_no(norms: Sequence[str], i: int, e: int) -> bool:
    """A 'no' that is a reply ("No, it leaks") rather than a determiner ("no hair")."""
    if norms[i] != "no":
        return False
    nxt = norms[i + 1] if i + 1 < e else ""
    if not nxt or nxt.isspace() or is_symbol(nxt):
        return True
    return nxt in (
        ",",
        ".",
        "!",
        "no",
        "nope",
        "-",
        "thanks",
        "thank",
        "sorry",
        "i",
        "it",
        "he",
        "she",
        "there",
        "but",
        "just",
        "its",
        "we",
        "they",
        "that",
        "the",
    )
