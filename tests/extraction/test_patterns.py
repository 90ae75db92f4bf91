"""The pattern language of the rules and how a pattern is picked for a message."""

import pytest

from screening.extraction.patterns import (
    RULE_SET,
    RULES,
    expand,
    rule_words,
    token_pattern,
    trigger_words,
)

EXPAND = [
    ("hair", [[{"NORM": "hair"}]]),
    ("hair|hairs", [[{"NORM": {"IN": ["hair", "hairs"]}}]]),
    ("tuft of? hair", [[{"NORM": "tuft"}, {"NORM": "of", "OP": "?"}, {"NORM": "hair"}]]),
    ("_ hole", [[{}, {"NORM": "hole"}]]),
    (
        "( can not | unable to ) see",
        [
            [{"NORM": "can"}, {"NORM": "not"}, {"NORM": "see"}],
            [{"NORM": "unable"}, {"NORM": "to"}, {"NORM": "see"}],
        ],
    ),
    (
        "goes ( a long )? way",
        [
            [{"NORM": "goes"}, {"NORM": "a"}, {"NORM": "long"}, {"NORM": "way"}],
            [{"NORM": "goes"}, {"NORM": "way"}],
        ],
    ),
]


@pytest.mark.parametrize(("spec", "patterns"), EXPAND)
def test_a_phrase_expands_to_matcher_patterns(spec, patterns):
    assert expand(spec) == patterns


def test_a_repeated_alternative_is_matched_once():
    assert token_pattern("a|b|a?") == {"NORM": {"IN": ["a", "b"]}, "OP": "?"}


def test_the_trigger_is_the_rarest_required_word():
    common = RULE_SET.common_words
    pattern = expand("is|was very? deep|deeper")[0]
    assert trigger_words(pattern, common) == frozenset({"deep", "deeper"})
    with pytest.raises(ValueError):
        trigger_words(expand("very?")[0], common)


def test_macros_are_expanded_when_loading():
    deep_no = next(
        rule
        for rule in RULES
        if rule.key == "deep" and rule.pol is not None and rule.pol.value == "no"
    )
    assert "{" not in " ".join(deep_no.specs)
    assert "shallow" in rule_words([deep_no])


def test_every_rule_has_its_patterns_and_a_trigger_word():
    for rule in RULES:
        assert len(rule.patterns) == len(rule.specs)
        for patterns in rule.patterns:
            for pattern in patterns:
                assert trigger_words(pattern, RULE_SET.common_words)
