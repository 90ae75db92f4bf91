"""Matching: rules run over the tokens; suppressors and windows."""

import textwrap

from screening.extraction.matching import OVERLAP, WINDOW, Pipeline, collect, pipeline, windows
from screening.extraction.normalise import norms
from screening.extraction.patterns import load_rules
from screening.extraction.sentences import sentences


def spans_of(text, pipe=None):
    pipe = pipe or pipeline()
    doc = pipe.nlp.make_doc(text)
    words = norms(doc, pipe.known)
    findings, cues = collect(doc, pipe, words, sentences(doc))
    return (
        [(span.key, " ".join(words[span.start : span.end])) for span in findings],
        [(cue.key, " ".join(words[cue.start : cue.end])) for cue in cues],
    )


def test_findings_and_cues_are_found():
    findings, cues = spans_of("there is no hair but a skin tag")
    assert ("hair_tuft", "hair") in findings
    assert ("skin_tag", "skin tag") in findings
    assert cues == [("cue:neg", "no")]


def test_a_suppressor_hides_what_it_covers():
    assert spans_of("he bumped his tail bone")[0] == []
    assert spans_of("she has a tail")[0] == [("skin_tag", "tail")]


def test_the_longest_phrase_of_a_sign_wins():
    findings, _ = spans_of("it is not in the middle")
    assert findings == [("off_midline", "not in the middle")]


def test_a_phrase_that_holds_its_negation_swallows_the_cue():
    findings, cues = spans_of("he is not breathing")
    assert ("emergency", "not breathing") in findings
    assert cues == []


def test_long_sentences_are_matched_in_overlapping_windows():
    assert windows([(0, 10, False)]) == [(0, 10)]
    spans = windows([(0, 150, False)])
    assert spans[0] == (0, WINDOW) and spans[1][0] == WINDOW - OVERLAP and spans[-1][1] == 150
    text = "and " * 80 + "there is a tuft of hair"
    assert ("hair_tuft", "tuft of hair") in spans_of(text)[0]


def test_a_new_rules_file_is_matched_without_touching_the_engine(tmp_path):
    # What a maintainer does to add a sign's wording: a rule in the data, nothing else.
    path = tmp_path / "rules.yml"
    path.write_text(
        textwrap.dedent("""
        common_words: >-
          the a
        macros:
          BUM: >-
            bum bottom
        rules:
          - key: "skin_tag"
            answer: "yes"
            phrases:
              - "little|small? flap on her|his|the? {BUM}"
        """),
        encoding="utf-8",
    )
    pipe = Pipeline(load_rules(path))
    assert spans_of("there is a little flap on her bum", pipe)[0] == [
        ("skin_tag", "little flap on her bum")
    ]
    assert spans_of("there is hair", pipe)[0] == []
