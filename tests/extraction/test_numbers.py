"""Numbers: sizes, depths, heights and ages."""

import pytest

from screening.extraction.numbers import age, measurements, number_at, to_months
from screening.findings import Answer

Y, N, U = Answer.YES, Answer.NO, Answer.UNSURE


@pytest.mark.parametrize(
    ("words", "value"),
    [
        ("3", 3.0),
        ("2.5", 2.5),
        ("2,5", 2.5),
        ("twenty one", 21.0),
        ("a couple of", 2),
        ("half a", 0.5),
        ("one and a half", 1.5),
        ("hair", None),
    ],
)
def test_number_at(words, value):
    found = number_at(words.split(), 0, len(words.split()))
    assert (found[0] if found else None) == value


def measured(words):
    tokens = words.split()
    return [
        (span.key, span.pol)
        for span in measurements(tokens, 0, len(tokens))
        if not span.key.startswith("supp:")
    ]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("it is 8 mm wide", [("large", Y)]),
        ("it is 3 mm wide", [("large", N)]),
        ("less than 5 mm", [("large", N)]),
        ("more than 4 mm", [("large", U)]),
        ("about 1 cm across", [("large", Y)]),
        ("3 cm above the crease", [("high", Y)]),
        ("1 inch above the crease", [("high", N)]),
        ("6 mm deep", [("deep", Y)]),
        ("2 mm deep", []),
        ("a 2 cm lump", []),
    ],
)
def test_measurements(words, found):
    assert measured(words) == found


def test_a_shallow_measured_depth_hides_the_word_deep():
    tokens = "2 mm deep".split()
    assert [span.key for span in measurements(tokens, 0, 3)] == ["supp:deep"]


@pytest.mark.parametrize(
    ("words", "months", "own"),
    [
        ("my 3 week old son", 0.7, False),
        ("she is 6 months old", 6.0, False),
        ("he is 2", 24.0, False),
        ("i am 34 years old", 408.0, True),
        ("18 months", 18.0, False),
        ("born 3 days ago", 0.0, False),
        ("for 2 weeks now it has leaked a bit", None, False),
        ("it is 5 mm", None, False),
        ("a 6 week check", None, False),
    ],
)
def test_age(words, months, own):
    assert age(words.split()) == (months, own)


def test_to_months():
    assert to_months(3, "d") == 0.0
    assert to_months(14, "d") == 0.5
    assert to_months(2, "y") == 24.0
