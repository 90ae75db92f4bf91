"""Negation, uncertainty and "if": how far each reaches in a sentence."""

import pytest

from screening.extraction import extract
from screening.extraction.scope import is_answer_no, reply_to
from screening.findings import Answer

Y, N, U = Answer.YES, Answer.NO, Answer.UNSURE

# (message, findings that must be read exactly so)
SCOPE = [
    # a negation runs on over a list ...
    ("no hair, tags or marks", {"hair_tuft": N, "skin_tag": N, "discoloration": N}),
    # ... but stops at a contrast word or a new clause
    ("no hair but there is a skin tag", {"hair_tuft": N, "skin_tag": Y}),
    ("no swelling and it leaks", {"infection": N, "drainage": Y}),
    ("no swelling, legs are fine", {"infection": N, "neuro_symptoms": N}),
    # a negated "no" phrase is a yes; a hedged negation is never a firm no
    ("it is not shallow", {"deep": Y}),
    ("it might not be deep", {"deep": U}),
    # "the" says the sign is there
    ("nobody noticed the hair", {"hair_tuft": Y}),
    # uncertainty makes what follows unsure; an ellipsis after "but" revokes the "no"
    ("not sure if there is hair", {"hair_tuft": U}),
    ("it never used to leak but now it does", {"drainage": Y}),
    ("i do not think there is any hair", {"hair_tuft": N}),
]


@pytest.mark.parametrize(("text", "expected"), SCOPE)
def test_scope(text, expected):
    findings = extract(text).findings
    for key, answer in expected.items():
        assert findings.get(key) == answer, f"{text!r}: {key} -> {findings}"


def test_if_makes_a_sign_hypothetical_not_present():
    result = extract("what if it starts to leak")
    assert "drainage" not in result.findings
    assert "drainage" in result.asked_about


@pytest.mark.parametrize(
    ("words", "reply"),
    [
        ("no , it leaks", True),
        ("no", True),
        ("no hair", False),
        ("not really", False),
    ],
)
def test_a_no_that_replies_is_not_a_negation(words, reply):
    tokens = words.split()
    assert is_answer_no(tokens, 0, len(tokens)) is reply


def test_a_reply_about_a_no_phrase_is_turned_round():
    assert reply_to(N, N) == Y  # "shallow?" "no" -> deep
    assert reply_to(N, Y) == N
    assert reply_to(Y, N) == N
    assert reply_to(N, U) == U
