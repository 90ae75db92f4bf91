"""Bare replies to a yes/no question."""

import pytest

from screening.extraction import extract
from screening.extraction.replies import answer_at, bare_answer, emoji_answer
from screening.findings import Answer

Y, N, U = Answer.YES, Answer.NO, Answer.UNSURE


@pytest.mark.parametrize(
    ("words", "answer"),
    [
        ("yes", Y),
        ("yeah there is some hair", Y),
        ("it is .", Y),
        ("ok so no , it is fine", N),
        ("nope nothing like that", N),
        ("not that i can see", N),
        ("no it is not", N),
        ("not sure if it is deep", U),
        ("can not tell how deep", U),
        ("i have no idea", U),
        ("hmm maybe", U),
    ],
)
def test_a_bare_reply_is_read(words, answer):
    assert bare_answer(words.split()) == answer


@pytest.mark.parametrize(
    "words",
    [
        "no hair",
        "it is deep",
        "there is a lump",
        "yes not really",
        "the dimple is small",
        "",
    ],
)
def test_a_statement_is_not_a_bare_reply(words):
    assert bare_answer(words.split()) is None


def test_the_longest_phrase_wins_and_strict_phrases_need_an_end():
    assert answer_at("not at all".split(), 0, 3, strict=False) == (N, 3)
    assert answer_at("no idea".split(), 0, 2, strict=False) == (U, 2)
    assert answer_at("it is deep".split(), 0, 3, strict=False) is None
    assert answer_at("yes and".split(), 0, 2, strict=True) == (Y, 1)


def test_emoji_replies():
    assert emoji_answer("👍") == Y
    assert emoji_answer("👎👎") == N
    assert emoji_answer("🤷") == U
    assert emoji_answer("😭") is None
    assert emoji_answer(None) is None


@pytest.mark.parametrize(
    "text, rest_none",
    [
        ("a lil dent, nothing else", True),
        ("just the hair, nothing more", True),
        ("none of the others", True),
        ("other than that nothing", True),
        ("nothing", False),  # a bare no, read as one
        ("is there anything else I should look for?", False),
        ("nothing else worries me", True),  # "else": the rest of the list
        ("else", False),
        # "or anything" only after denying every sign named
        ("no hair or anything", True),
        ("no hair or lumps or anything like that", True),
        ("not sure about hair or anything", False),
        ("there is some hair or anything", False),
        ("or anything", False),  # nothing named, nothing denied
    ],
)
def test_nothing_else_rules_out_the_rest_of_the_list(text, rest_none):
    assert extract(text).rest_none is rest_none


@pytest.mark.parametrize(
    "text, choice",
    [
        ("finish", "finish"),
        ("ok, carry on", "finish"),
        ("don't stop", "finish"),
        ("no more questions thanks", "stop"),
        ("that's enough", "stop"),
        ("stop or keep going", None),  # both
        ("hello", None),
    ],
)
def test_a_typed_reply_to_the_offer(text, choice):
    assert extract(text).offer == choice
