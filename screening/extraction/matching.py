"""Step 2: run the rules over the tokens and sort the matches into findings and cues.

Suppressors ("tail bone" is not a tail) drop the matches inside them; a finding phrase
that holds its own negation ("not breathing") swallows the cue inside it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Sequence, Tuple

from .normalise import VARIANTS
from .numbers import measurements
from .patterns import RULE_SET, Rule, RuleSet, TokenPattern, rule_words, trigger_words
from .sentences import Sentence
from .spans import Span, filter_longest

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

# Run-on sentences are matched in overlapping windows; no pattern is longer than the overlap.
WINDOW = 64
OVERLAP = 14


class Pipeline:
    """The blank English pipeline plus the rule matchers, built once per process.

    One spaCy Matcher holding every pattern costs a few microseconds per pattern and
    token, so the patterns are bucketed by a word they require and only the buckets
    whose word occurs in the message are run (about 0.5 ms instead of 5 ms).
    """

    def __init__(self, rule_set: RuleSet = RULE_SET) -> None:
        import spacy
        from spacy.matcher import Matcher

        self.nlp: Language = spacy.blank("en")
        rules = rule_set.rules
        buckets: Dict[str, Dict[int, List[List[TokenPattern]]]] = {}
        for index, rule in enumerate(rules):
            for patterns in rule.patterns:
                for pattern in patterns:
                    for word in trigger_words(pattern, rule_set.common_words):
                        buckets.setdefault(word, {}).setdefault(index, []).append(pattern)
        self.matchers: Dict[str, Matcher] = {}
        for word, by_rule in buckets.items():
            matcher = Matcher(self.nlp.vocab)
            for index, bucket in by_rule.items():
                matcher.add(f"r{index}", bucket)
            self.matchers[word] = matcher
        self.rule_of: Dict[int, Rule] = {
            self.nlp.vocab.strings[f"r{i}"]: rule for i, rule in enumerate(rules)
        }
        self.known: FrozenSet[str] = (
            rule_words(rules) | frozenset(VARIANTS.values()) | frozenset(VARIANTS)
        )

    def matches(
        self, doc: Doc, norms: Sequence[str], sentences: Sequence[Sentence]
    ) -> List[Tuple[int, int, int]]:
        """All rule matches. Rules never cross a sentence end, so each bucket is run on
        the sentences that contain its word only (a call costs ~0.4 us per token)."""
        found: set[Tuple[int, int, int]] = set()
        whole = len(sentences) == 1 and sentences[0][1] - sentences[0][0] <= WINDOW
        for s, e in windows(sentences) if not whole else [(0, len(doc))]:
            part = doc if (s, e) == (0, len(doc)) else doc[s:e]
            for word in set(norms[s:e]):
                matcher = self.matchers.get(word)
                if matcher is not None:
                    found.update((m, a + s, b + s) for m, a, b in matcher(part))
        return sorted(found, key=lambda m: (m[1], m[2]))


def windows(sentences: Sequence[Sentence]) -> List[Tuple[int, int]]:
    out = []
    for s, e, _ in sentences:
        start = s
        while True:
            end = min(e, start + WINDOW)
            out.append((start, end))
            if end >= e:
                break
            start = end - OVERLAP
    return out


_PIPELINE: Optional[Pipeline] = None
_LOCK = threading.Lock()


def pipeline() -> Pipeline:
    global _PIPELINE
    if _PIPELINE is None:
        with _LOCK:
            if _PIPELINE is None:
                _PIPELINE = Pipeline()
    return _PIPELINE


def collect(
    doc: Doc, pipe: Pipeline, norms: List[str], sentences: Sequence[Sentence]
) -> Tuple[List[Span], List[Span]]:
    """The finding spans and the cue spans of a message, suppressed matches removed."""
    raw: List[Span] = []
    for match_id, start, end in pipe.matches(doc, norms, sentences):
        rule = pipe.rule_of[match_id]
        raw.append(Span(rule.key, rule.pol, start, end, rule=rule))
    raw.extend(measurements(norms, 0, len(norms)))

    suppressors = [sp for sp in raw if sp.rule is not None and sp.rule.suppress]
    extra_supp = [sp for sp in raw if sp.key.startswith("supp:")]
    cues = [sp for sp in raw if sp.key.startswith("cue:")]
    findings = [sp for sp in raw if not sp.key.startswith(("cue:", "supp"))]

    # Longest phrase wins within one key ("not in the middle" over "in the middle").
    by_key: Dict[str, List[Span]] = {}
    for span in findings:
        by_key.setdefault(span.key, []).append(span)
    findings = [sp for spans in by_key.values() for sp in filter_longest(spans)]

    # Index suppressors by the tokens they cover: long messages have hundreds of spans.
    covering: Dict[int, List[Span]] = {}
    finding_ids = {id(sp) for sp in findings}
    for sup in suppressors + extra_supp:
        for k in range(sup.start, sup.end):
            covering.setdefault(k, []).append(sup)

    def suppressed(span: Span, key: str) -> bool:
        for sup in covering.get(span.start, ()):
            if sup is span or not (sup.start <= span.start and span.end <= sup.end):
                continue
            if sup.key.startswith("supp:"):
                if sup.key == "supp:" + key:
                    return True
                continue
            assert sup.rule is not None
            if key not in sup.rule.suppress:
                continue
            if sup.key != "supp" and id(sup) not in finding_ids:
                continue
            if sup.length > span.length or sup.key == "supp":
                return True
        return False

    findings = [sp for sp in findings if not suppressed(sp, sp.key)]
    in_finding = {k for sp in findings for k in range(sp.start, sp.end)}
    cues = [c for c in cues if not suppressed(c, "cue")]
    cues = [c for c in cues if not any(k in in_finding for k in range(c.start, c.end))]
    cues = filter_longest(cues)
    return findings, cues
