"""A matched phrase (a span of tokens) and what the later steps decide about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from ..findings import Answer
from .patterns import Rule


@dataclass
class Span:
    key: str  # the rule's key, or "supp:<key>" for a measured depth that hides "deep"
    pol: Optional[Answer]  # what the phrase says by itself ("shallow": deep = NO)
    start: int
    end: int
    rule: Optional[Rule] = None  # None for a measurement
    final: Optional[Answer] = None  # after negation, uncertainty and replies
    hyp: bool = False  # under "if", "what if", "watch for"...
    asked: bool = False  # inside a question about the sign, not a report of it

    @property
    def length(self) -> int:
        return self.end - self.start


def filter_longest(spans: List[Span]) -> List[Span]:
    """Keep the longest of overlapping spans (ties: the earliest), like spaCy's filter_spans."""
    kept: List[Span] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-s.length, s.start)):
        if not any(i in taken for i in range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)
