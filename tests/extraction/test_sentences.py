"""Sentences: where rules and cues stop."""

import pytest

from screening.extraction.matching import pipeline
from screening.extraction.sentences import sentences


def split(text):
    doc = pipeline().nlp.make_doc(text)
    return [(doc[s:e].text, q) for s, e, q in sentences(doc)]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("no hair. it leaks", [("no hair", False), ("it leaks", False)]),
        ("any hair? no", [("any hair", True), ("no", False)]),
        ("is it bad?!", [("is it bad", True)]),
        ("it leaks 😭 is that bad", [("it leaks", False), ("is that bad", False)]),
        ("first line\nsecond line", [("first line", False), ("second line", False)]),
        ("...", []),
    ],
)
def test_sentences(text, parts):
    assert split(text) == parts
