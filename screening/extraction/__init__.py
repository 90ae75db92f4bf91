"""Read a person's free-text message and say what it tells about a sacral dimple.

Why rules and not a trained model: there is no pretrained spaCy model here (only
``spacy.blank("en")``), the vocabulary of red flags is small and fixed, and every
decision must be explainable and testable line by line. A missed red flag is the
worst bug, so the rules are written to lean to YES or UNSURE, never to NO, when a
message is ambiguous.

The engine is in the modules of this package, one per step (normalise, patterns and
matching, scope, questions, replies, numbers, subject, assemble); the words it reads
are data in ``data/*.yml``, checked by ``loader.py`` and ``patterns.py`` when the
package is imported. docs/extraction.md tells how to add a phrase or a sign.
"""

from __future__ import annotations

import logging

from .assemble import extract_text as _extract
from .normalise import MAX_CHARS
from .result import Extraction, is_urgent

_LOG = logging.getLogger(__name__)


def extract(text: str) -> Extraction:
    """What a free-text message says about the dimple. Never raises."""
    try:
        return _extract(text)
    except Exception:
        # Logged without the text: it is a health message. An empty result means the
        # dialogue still asks every question, so nothing is silently ruled out.
        _LOG.exception("extraction failed")
        return Extraction()


__all__ = ["MAX_CHARS", "Extraction", "extract", "is_urgent"]
