"""Split the tokens into sentences; rules and cues never reach across a sentence end."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, List, Tuple

from .normalise import is_symbol

if TYPE_CHECKING:
    from spacy.tokens import Doc

# (start, end, ends with a question mark)
Sentence = Tuple[int, int, bool]

_SENT_END_RE = re.compile(r"^[.!?…]+$")


def sentences(doc: Doc) -> List[Sentence]:
    """(start, end, ends_with_question_mark) for each sentence."""
    out: List[Sentence] = []
    start = 0
    n = len(doc)
    for i, tok in enumerate(doc):
        text = tok.text
        is_end = bool(_SENT_END_RE.match(text))
        if tok.is_space and "\n" in text:
            is_end = True
        elif not is_end and not tok.is_space and is_symbol(text):
            is_end = True  # emoji between clauses work like a full stop
        if is_end:
            if i > start:
                out.append((start, i, "?" in text))
            elif out and "?" in text:
                s, e, _ = out[-1]
                out[-1] = (s, e, True)
            start = i + 1
    if start < n:
        out.append((start, n, False))
    return [(s, e, q) for s, e, q in out if e > s]
