"""Putting the reading together: replies to short questions, checklists, red, position."""

import pytest

from screening.extraction import Extraction, extract, is_urgent
from screening.findings import Answer

Y, N, U = Answer.YES, Answer.NO, Answer.UNSURE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a reply after a short question belongs to it
        ("any hair? no", {"hair_tuft": N}),
        ("shallow? no", {"deep": Y}),
        ("is it deep? not sure", {"deep": U}),
        # inline checklist answers
        ("hair: no, leaking - yes, tag - not sure", {"hair_tuft": N, "drainage": Y, "skin_tag": U}),
        # red is inflammation with swelling or warmth, otherwise a discoloration
        ("it is red and swollen", {"infection": Y}),
        ("there is a red patch", {"discoloration": Y}),
        # the same sign twice keeps the safest reading
        ("no hair. actually yes there is some hair", {"hair_tuft": Y}),
    ],
)
def test_findings(text, expected):
    findings = extract(text).findings
    for key, answer in expected.items():
        assert findings.get(key) == answer, f"{text!r}: {key} -> {findings}"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("one dimple right in the middle", "one_midline"),
        ("dimples on either side of his spine", "two_sides"),
        ("it is off to one side", "off_side"),
        ("two dimples in the crease", "several_midline"),
        ("not sure exactly where", "unsure"),
        ("there is some hair", None),
    ],
)
def test_where_the_dimple_is(text, pattern):
    assert extract(text).pattern == pattern


def test_a_whole_message():
    result = extract(
        "My 3 week old son has a small dimple at the top of his bum crack, "
        "no hair, but it is leaking a bit"
    )
    assert result.subject == "baby"
    assert result.age_months == 0.7
    assert result.findings["drainage"] == Y and result.findings["hair_tuft"] == N
    assert is_urgent(result)


def test_empty_and_emoji_messages():
    assert extract("") == Extraction()
    assert extract("👍") == Extraction(answer=Y)
    assert not is_urgent(extract("no leaking, no fever"))
