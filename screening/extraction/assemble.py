"""Putting it together: from a message to an Extraction.

The steps run in order: normalise (normalise.py), match (matching.py), scope
(scope.py), questions (questions.py); then replies that follow a short question
("Any hair? No."), inline checklist answers ("hair: no"), and the strongest reading
of each sign (YES over UNSURE over NO).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from ..findings import (
    PATTERN_OFF_SIDE,
    PATTERN_ONE_MIDLINE,
    PATTERN_SEVERAL_MIDLINE,
    PATTERN_TWO_SIDES,
    PATTERN_UNSURE,
    Answer,
)
from .loader import table
from .matching import collect, pipeline
from .normalise import MAX_TOKENS, clean_text
from .normalise import norms as token_norms
from .numbers import age as read_age
from .patterns import FINDING_KEYS
from .questions import INTERJECTIONS, Q_AUX, Q_WH, asserted_in_question, question_ranges
from .replies import answer_at, bare_answer, emoji_answer, offer_choice, rest_ruled_out
from .result import Extraction
from .scope import reply_to, walk
from .sentences import Sentence
from .sentences import sentences as split_sentences
from .spans import Span
from .subject import subject as read_subject

YES, NO, UNSURE = Answer.YES, Answer.NO, Answer.UNSURE

_RANK = {YES: 3, UNSURE: 2, NO: 1}
_WORDS = table("assembly.yml")
# A sentence that starts with a condition's name is a topic, not a report about anyone.
_CONDITION_WORDS = _WORDS.word_set("condition_words")
_OWN_CASE = _WORDS.word_set("own_case")
_CHECKLIST_STARTS = _WORDS.word_set("checklist_starts")
# Signs that "it" may stand for ("a skin tag, it's tiny"), so "it" is not the dimple.
_NONDIMPLE_KEYS = _WORDS.word_set("not_the_dimple")


def extract_text(text: object) -> Extraction:
    """What a free-text message says about the dimple; raises only on a bug."""
    cleaned, symbols_only = clean_text(text)
    emoji = emoji_answer(symbols_only)
    if emoji is not None:
        return Extraction(answer=emoji)
    if not cleaned.strip():
        return Extraction()
    pipe = pipeline()
    doc = pipe.nlp.make_doc(cleaned)
    if len(doc) > MAX_TOKENS:
        # Punctuation or symbol soup: 5,000 characters can be 5,000 tokens.
        doc = pipe.nlp.make_doc(cleaned[: doc[MAX_TOKENS].idx])
    norms = token_norms(doc, pipe.known)
    sentences = split_sentences(doc)
    findings, cues = collect(doc, pipe, norms, sentences)

    bounds = [(0, 0)] * len(norms)  # the sentence each token belongs to
    for s, e, _ in sentences:
        for k in range(s, e):
            bounds[k] = (s, e)
    spans_in: Dict[int, List[Span]] = {}
    cues_in: Dict[int, List[Span]] = {}
    for span in findings:
        spans_in.setdefault(bounds[span.start][0], []).append(span)
    for cue in cues:
        cues_in.setdefault(bounds[cue.start][0], []).append(cue)

    for s, e, qmark in sentences:
        sent_spans = spans_in.get(s, [])
        if not sent_spans:
            continue
        walk(norms, s, e, sent_spans, cues_in.get(s, []))
        if norms[s] in _CONDITION_WORDS and not any(w in _OWN_CASE for w in norms[s:e]):
            # "tethered cord and bladder problems": a topic, not a report about anyone.
            for span in sent_spans:
                span.asked = True
            continue
        for qstart, qend, why in question_ranges(norms, s, e, qmark):
            for span in sent_spans:
                if qstart <= span.start < qend and not asserted_in_question(
                    norms, qstart, span, why
                ):
                    span.asked = True

    _apply_following_answers(norms, sentences, findings)
    _apply_checklist_answers(norms, bounds, findings)

    result: Dict[str, Answer] = {}
    asked: set[str] = set()

    def put(key: str, pol: Optional[Answer]) -> None:
        if pol is None:
            return
        if key not in result or _RANK[pol] > _RANK[result[key]]:
            result[key] = pol

    pattern_votes: Dict[str, bool] = {}
    for span in findings:
        rule = span.rule
        pol = span.final if span.final is not None else span.pol
        if rule is not None and rule.it_means_dimple and pol == NO:
            before = [
                f
                for f in spans_in.get(bounds[span.start][0], [])
                if f.key in _NONDIMPLE_KEYS and f.start < span.start
            ]
            if before:
                continue  # "a skin tag, it's tiny": "it" is the tag, not the dimple
        if rule is not None and rule.ignore_when_absent and pol == NO:
            continue
        key = span.key
        sent_spans = spans_in.get(bounds[span.start][0], [])
        if span.hyp or span.asked:
            if key == "red":
                asked.update(red_key for red_key, _ in _red_keys(span, norms, sent_spans, pol))
            elif not key.startswith("pat:"):
                asked.add(key)
            continue
        if key.startswith("pat:"):
            if pol == YES:
                pattern_votes[key[4:]] = True
            continue
        if key == "red":
            for red_key, red_pol in _red_keys(span, norms, sent_spans, pol):
                put(red_key, red_pol)
            continue
        put(key, pol)

    result = {k: v for k, v in result.items() if k in FINDING_KEYS}
    asked_about = frozenset(k for k in asked if k in FINDING_KEYS and k not in result)
    named = {"infection" if span.key == "red" else span.key for span in findings}
    mentioned = frozenset(k for k in named | set(result) | asked_about if k in FINDING_KEYS)

    pattern = _pattern(result, pattern_votes, norms)
    if pattern == PATTERN_SEVERAL_MIDLINE:
        result.setdefault("multiple", YES)
    elif pattern == PATTERN_OFF_SIDE:
        result.setdefault("off_midline", YES)

    age, own_age = read_age(norms)
    if age is None and any(
        w in ("newborn", "newborns", "neonate")
        or (w == "new" and n2 == "born")
        or (w == "just" and n2 == "born")
        for w, n2 in zip(norms, [*norms[1:], ""], strict=True)
    ):
        age = 0.0
    subject = read_subject(norms, age, own_age)
    answer = bare_answer(norms)
    return Extraction(
        findings=result,
        subject=subject,
        age_months=age,
        pattern=pattern,
        answer=answer,
        asked_about=asked_about,
        mentioned=mentioned,
        offer=offer_choice(norms),
        rest_none=rest_ruled_out(norms, result),
    )


def _red_keys(
    span: Span, norms: Sequence[str], sent_spans: List[Span], pol: Optional[Answer]
) -> List[Tuple[str, Optional[Answer]]]:
    """A red area is inflammation when the same sentence says swollen/warm/tender (and
    means it), otherwise a discoloration."""
    context = any(
        f.key == "infection"
        and (f.hyp or f.asked) == (span.hyp or span.asked)
        and (f.final if f.final is not None else f.pol) in (YES, UNSURE)
        for f in sent_spans
    )
    word = norms[span.start]
    if pol == NO and word == "redness":
        return [("infection", NO), ("discoloration", NO)]
    if context:
        return [("infection", pol)] + ([("discoloration", NO)] if pol == NO else [])
    return [("discoloration", pol)]


def _apply_following_answers(
    norms: Sequence[str], sentences: Sequence[Sentence], findings: List[Span]
) -> None:
    """'Any hair? No.' / 'Is it deep? Not sure.': the reply belongs to the short question."""
    for idx, (s, e, qmark) in enumerate(sentences[:-1]):
        if not qmark or e - s > 8:
            continue
        first = s
        while first < e and norms[first] in INTERJECTIONS:
            first += 1
        if first < e and norms[first] in Q_WH:
            continue
        if (
            first < e
            and norms[first] in Q_AUX
            and norms[first] != "any"
            and (
                first + 1 >= e
                or norms[first + 1] not in ("it", "there", "he", "she", "they", "its")
            )
        ):
            continue
        ns, ne, _ = sentences[idx + 1]
        found = answer_at(norms, ns, ne, strict=False)
        if found is None:
            continue
        for span in findings:
            if s <= span.start < e and span.asked and not span.hyp:
                span.final = reply_to(span.pol, found[0])
                span.asked = False


def _apply_checklist_answers(
    norms: Sequence[str], bounds: Sequence[Tuple[int, int]], findings: List[Span]
) -> None:
    """Inline checklist answers: "hair: no", "leaking - not sure", "tag? yes"."""
    for span in findings:
        if span.key.startswith("pat:"):
            continue
        end_of_sentence = bounds[span.start][1]
        k = span.end
        skipped = 0
        while (
            k < len(norms)
            and norms[k] in (":", "-", "–", "—", "=", "?", "=>", "->")
            and skipped < 2
        ):
            k += 1
            skipped += 1
        if k < end_of_sentence and norms[k] in _CHECKLIST_STARTS:
            found = answer_at(norms, k, end_of_sentence, strict=True)
            if found is not None:
                span.final = reply_to(span.pol, found[0])
                span.asked = False
                span.hyp = False


def _pattern(
    result: Dict[str, Answer], votes: Dict[str, bool], norms: Sequence[str]
) -> Optional[str]:
    if result.get("multiple") == YES:
        return PATTERN_SEVERAL_MIDLINE
    if votes.get(PATTERN_TWO_SIDES):
        # "dimples either side and one in the middle": the middle one still needs the
        # red-flag questions, which back dimples (two_sides) would skip.
        return PATTERN_ONE_MIDLINE if result.get("off_midline") == NO else PATTERN_TWO_SIDES
    if result.get("off_midline") == YES:
        return PATTERN_OFF_SIDE
    plural = any(w in ("dimples", "holes", "pits") for w in norms)
    single = votes.get(PATTERN_ONE_MIDLINE) or result.get("off_midline") == NO
    if single and not plural:
        return PATTERN_ONE_MIDLINE
    if votes.get(PATTERN_UNSURE):
        return PATTERN_UNSURE
    return None
