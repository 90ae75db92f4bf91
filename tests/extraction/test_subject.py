"""Who a message is about."""

import pytest

from screening.extraction.subject import subject


@pytest.mark.parametrize(
    ("words", "age", "own_age", "who"),
    [
        ("my baby has a dimple", None, False, "baby"),
        ("my son has a dimple", None, False, "child"),
        ("my son has a dimple", 5.0, False, "baby"),
        ("my son has a dimple", 300.0, False, "other"),
        ("i have a dimple on my back", None, False, "self"),
        ("i have a dimple", None, True, "self"),
        ("my partner has a dimple", None, False, "other"),
        ("i noticed he has a dimple", None, False, None),
        ("my 5 year old has a dimple", 60.0, False, "child"),
        ("18 months", 18.0, False, None),
        ("a little one with a dimple", None, False, "baby"),
        # a bare reply to "Who has the dimple?"
        ("me", None, False, "self"),
        ("just me !", None, False, "self"),
        ("it 's mine", None, False, "self"),
        ("i do", None, False, None),  # a yes to a question about a baby, too
        ("tell me more", None, False, None),
    ],
)
def test_subject(words, age, own_age, who):
    assert subject(words.split(), age, own_age) == who
