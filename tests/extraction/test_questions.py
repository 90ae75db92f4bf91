"""Questions: a sign asked about is not a sign reported."""

import pytest

from screening.extraction import extract
from screening.extraction.questions import question_ranges


@pytest.mark.parametrize(
    ("text", "asked", "reported"),
    [
        ("is a tuft of hair bad?", {"hair_tuft"}, set()),
        ("is it bad that he has hair?", set(), {"hair_tuft"}),
        ("why is it leaking?", set(), {"drainage"}),
        ("what does a skin tag mean", {"skin_tag"}, set()),
        ("my son has a lump, is that bad?", set(), {"lump"}),
        ("does a deep dimple need a scan? and what about hair", {"deep", "hair_tuft"}, set()),
        # A why-question about dimples in general asks; one about this dimple tells.
        ("why would a dimple ooze pus?", {"drainage"}, set()),
        ("why do babies get hair on a dimple?", {"hair_tuft"}, set()),
        ("why would it ooze pus?", set(), {"drainage"}),
        # "that" after "a dimple" starts a relative clause, not a report about this one.
        ("can a dimple that leaks be dangerous?", {"drainage"}, set()),
        ("is it bad that it leaks?", set(), {"drainage"}),
    ],
)
def test_asked_or_reported(text, asked, reported):
    result = extract(text)
    assert set(result.asked_about) == asked, text
    assert {k for k, v in result.findings.items() if v.value == "yes"} == reported, text


@pytest.mark.parametrize(
    ("words", "qmark", "ranges"),
    [
        ("is it deep", True, [(0, 3, False)]),
        ("ok so is it deep", False, [(2, 5, False)]),
        ("it is deep", False, []),
        ("why is it red", True, [(0, 4, True)]),
        ("is it bad , my son has hair", True, [(0, 3, False)]),
    ],
)
def test_question_ranges(words, qmark, ranges):
    tokens = words.split()
    assert question_ranges(tokens, 0, len(tokens), qmark) == ranges
