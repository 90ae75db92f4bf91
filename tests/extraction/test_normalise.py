"""Normalisation: the text and the words (NORMs) the rules read."""

import pytest

from screening.extraction.matching import pipeline
from screening.extraction.normalise import MAX_CHARS, clean_text, fuzzy, norms, why_never_seen

CLEAN = [
    ("It CAN'T be seen", "it can not be seen"),
    ("he cannot walk, it won't stop, shes fine", "he can not walk, it will not stop, she is fine"),
    ("doesnt leak, im sure", "does not leak, i am sure"),
    ("a 3-week-old with an off-centre skin-tag", "a 3 week old with an off centre skin tag"),
    ("about 8mm wide, 2-3 cm up", "about 8 mm wide, 2 to 3 cm up"),
    ("a 5p coin", "a 5p coin"),
    ("soooo deeeep", "soo deep"),
    ("<b>hair</b> and <5mm", "hair and <5 mm"),
    ("it&#39;s red &amp; warm", "it's red & warm"),
    ("hair\u200b\u200btuft", "hairtuft"),
    ("<b>no<\u200b/b> <i>\u200fhair</i\u2060>", "no hair"),
    ("no&#x200b; hair", "no hair"),
    ("my 2 y/o son", "my 2 yo son"),
    ("leaks 😭😭 is that bad", "leaks . is that bad"),
    ("  lots   of\n\n\n  space ", "lots of\nspace"),
]


@pytest.mark.parametrize(("raw", "clean"), CLEAN)
def test_clean_text(raw, clean):
    assert clean_text(raw) == (clean, None)


def test_an_emoji_only_message_is_kept_for_the_reply_reader():
    assert clean_text(" 👍👍 ")[1] == "👍👍"
    assert clean_text("ok 👍")[1] is None


def test_odd_input_gives_empty_text_and_long_text_is_cut():
    assert clean_text(None) == ("", None)
    assert clean_text(b"hair") == ("hair", None)
    assert len(clean_text("word " * 5000)[0]) <= MAX_CHARS


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("swolen", "swollen"),
        ("lekaing", "leaking"),
        ("dischage", "discharge"),
        ("birthmrak", "birthmark"),
        ("temperture", "temperature"),
        ("infectedd", "infected"),
    ],
)
def test_one_typo_in_a_long_sign_word_is_read_as_the_word(typo, word):
    assert fuzzy(typo) == word


@pytest.mark.parametrize("word", ["swallow", "dwelling", "bladders", "hairs", "simple", "tiny"])
def test_real_words_near_a_sign_word_are_left_alone(word):
    assert fuzzy(word) is None


def test_norms_apply_variants_and_typos_but_not_to_rule_words():
    pipe = pipeline()
    doc = pipe.nlp.make_doc("the colour of the swolen tufts on my mum's nappy")
    assert norms(doc, pipe.known) == [
        "the",
        "color",
        "of",
        "the",
        "swollen",
        "tufts",
        "on",
        "my",
        "mom",
        "'s",
        "diaper",
    ]


@pytest.mark.parametrize(
    ("word", "reason"),
    [
        ("colour", "always read as 'color'"),
        ("can't", "becomes 'can not'"),
        ("2nd", "becomes '2 nd'"),
        ("sooo", "becomes 'soo'"),
        ("Hair", "becomes 'hair'"),
    ],
)
def test_a_word_that_can_never_be_read_is_named_with_the_reason(word, reason):
    found = why_never_seen(word)
    assert found is not None and reason in found


@pytest.mark.parametrize("word", ["color", "hair", "'s", "5p", "100", "%", "mom", "yo"])
def test_words_that_survive_normalisation_are_accepted(word):
    assert why_never_seen(word) is None
