"""The word lists are checked when they are loaded: a malformed file stops the start-up
with a message naming the file and the entry, instead of reading messages wrong."""

import re
import textwrap
from pathlib import Path

import pytest

from screening.extraction.loader import DATA_DIR, SCHEMAS, WordListError, read_table, table
from screening.extraction.patterns import RULES, load_rules
from screening.extraction.replies import read_offer_phrases, read_reply_phrases

GOOD_RULES = """
common_words: >-
  the a is
macros:
  BUM: >-
    bum bottom
rules:
  - key: "hair_tuft"
    answer: "yes"
    phrases:
      - "hair|hairs"
      - "tuft of hair"
  - key: "supp"
    suppresses: ["hair_tuft"]
    phrases:
      - "hair on {BUM}? head"
"""


def write(tmp_path: Path, text: str, name: str = "rules.yml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def rules_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(WordListError) as caught:
        load_rules(write(tmp_path, text))
    return str(caught.value)


def test_a_well_formed_rules_file_loads(tmp_path):
    rules = load_rules(write(tmp_path, GOOD_RULES)).rules
    assert [rule.key for rule in rules] == ["hair_tuft", "supp"]
    assert rules[1].specs == ("hair on bum|bottom? head",)
    assert rules[1].suppress == frozenset({"hair_tuft"})


def test_the_packaged_rules_load_and_every_data_file_has_a_schema():
    assert len(RULES) >= 52
    assert sorted(p.name for p in DATA_DIR.glob("*.yml")) == sorted(SCHEMAS)
    for name in SCHEMAS:
        assert table(name).source == name


# (what is wrong, the change to GOOD_RULES, words the message must contain)
MALFORMED = [
    (
        "unknown key in a rule",
        ('    answer: "yes"\n', '    answer: "yes"\n    colour: red\n'),
        ["rules.yml", "rules[0] (hair_tuft)", "unknown key 'colour'"],
    ),
    (
        "unknown top-level key",
        ("macros:", "extra: 1\nmacros:"),
        ["rules.yml", "unknown key 'extra'"],
    ),
    ("undefined macro", ("{BUM}?", "{BOTTOM}?"), ["rules[1] (supp)", "undefined macro {BOTTOM}"]),
    (
        "duplicate word in a macro",
        ("bum bottom", "bum bottom bum"),
        ["macros.BUM", "'bum' is listed twice"],
    ),
    (
        "duplicate word in an alternative",
        ("hair|hairs", "hair|hairs|hair"),
        ["rules[0] (hair_tuft)", "'hair' is listed twice"],
    ),
    (
        "duplicate phrase",
        ('      - "tuft of hair"', '      - "tuft of hair"\n      - "tuft of hair"'),
        ["rules[0] (hair_tuft).phrases", "'tuft of hair' is listed twice"],
    ),
    (
        "a word normalisation always rewrites",
        ("tuft of hair", "colour of hair"),
        [
            "rules[0] (hair_tuft).phrases[1]",
            "can never match",
            "'colour' is always read as 'color'",
        ],
    ),
    (
        "a contraction the normaliser spells out",
        ("tuft of hair", "can't see hair"),
        ["can never match", "\"can't\" becomes 'can not'"],
    ),
    (
        "a number glued to letters",
        ("tuft of hair", "2nd hair"),
        ["can never match", "'2nd' becomes '2 nd'"],
    ),
    ("an empty alternative", ("hair|hairs", "hair||hairs"), ["an empty alternative"]),
    (
        "an empty group alternative",
        ("tuft of hair", "( tuft | ) hair"),
        ["an empty alternative in a group"],
    ),
    ("only optional words", ("tuft of hair", "tuft? of?"), ["needs at least one word"]),
    ("unbalanced group", ("tuft of hair", "( tuft | clump of hair"), ["'(' without ')'"]),
    ("upper case", ("tuft of hair", "Tuft of hair"), ["lower case"]),
    (
        "unknown finding key",
        ('key: "hair_tuft"', 'key: "hairy_tuft"'),
        ["rules[0] (hairy_tuft)", "unknown finding key 'hairy_tuft'"],
    ),
    (
        "unknown suppressed key",
        ('["hair_tuft"]', '["hair_tufts"]'),
        ["rules[1] (supp).suppresses", "unknown finding key 'hair_tufts'"],
    ),
    ("a bare yes (a YAML boolean)", ('answer: "yes"', "answer: yes"), ["quotes"]),
    ("an unknown answer", ('answer: "yes"', 'answer: "maybe"'), ["unknown answer 'maybe'"]),
    ("a finding without an answer", ('    answer: "yes"\n', ""), ["needs an answer"]),
    (
        "a suppressor that suppresses nothing",
        ('    suppresses: ["hair_tuft"]\n', ""),
        ["must say what it suppresses"],
    ),
    ("not YAML", ("rules:", "rules: [\n"), ["rules.yml", "not valid YAML"]),
    ("a spaced bar outside a group", ("tuft of hair", "tuft | clump of hair"), ["needs no spaces"]),
]


@pytest.mark.parametrize(("what", "change", "words"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_rules_file_is_rejected_with_a_clear_message(tmp_path, what, change, words):
    old, new = change
    assert old in GOOD_RULES, what
    message = rules_error(tmp_path, GOOD_RULES.replace(old, new, 1))
    for word in words:
        assert word in message, f"{what}: {word!r} not in {message!r}"


def test_a_long_list_may_wrap_after_a_bar(tmp_path):
    wrapped = GOOD_RULES.replace('"hair|hairs"', '"hair|\n        hairs"')
    assert load_rules(write(tmp_path, wrapped)).rules[0].specs[0] == "hair|hairs"


def test_the_word_lists_ship_with_the_package():
    # They are read from the package folder: an image that copies only *.py would start
    # with no rules at all, so the images copy the whole folder.
    root = Path(__file__).resolve().parents[2]
    assert root / "screening" / "extraction" / "data" == DATA_DIR
    for dockerfile in sorted((root / "deploy").glob("Dockerfile.*")):
        lines = dockerfile.read_text(encoding="utf-8").splitlines()
        copies = [line for line in lines if line.startswith("COPY") and "screening" in line]
        assert copies == ["COPY screening/ screening/"], dockerfile.name
    assert "screening" not in (root / ".dockerignore").read_text(encoding="utf-8")


def test_a_word_list_is_checked_against_its_schema(tmp_path):
    schema = {"contrast": "words", "units": "numbers", "spelling": "map", "bounds": "phrases"}
    good = """
    contrast: >-
      but though
    units:
      "mm": 1
    spelling:
      "colour": "color"
    bounds:
      - "less than"
    """
    loaded = read_table(write(tmp_path, good, "scope.yml"), schema)
    assert loaded.words("contrast") == ("but", "though")
    assert loaded.numbers("units") == {"mm": 1}
    bad = [
        (
            good.replace("but though", "but though but"),
            "scope.yml: contrast: 'but' is listed twice",
        ),
        (good.rstrip(" ") + "    extra: >-\n      x\n", "scope.yml: file: unknown key 'extra'"),
        (good.replace('"mm": 1', '"mm": one'), "scope.yml: units.mm: must map to a number"),
        (good.replace('"color"', "no"), "scope.yml: spelling.colour: must map to a word"),
        (
            good.replace('- "less than"', '- "less than"\n      - "less  than"'),
            "bounds: 'less than' is listed twice",
        ),
        (
            good.replace("contrast: >-\n      but though", "contrast: [but]"),
            "contrast: must be words separated by spaces",
        ),
    ]
    for text, message in bad:
        with pytest.raises(WordListError, match=re.escape(message)):
            read_table(write(tmp_path, text, "scope.yml"), schema)


def test_a_missing_list_is_named(tmp_path):
    with pytest.raises(WordListError, match=re.escape("scope.yml: file: missing key 'units'")):
        read_table(
            write(tmp_path, "contrast: >-\n  but\n", "scope.yml"),
            {"contrast": "words", "units": "numbers"},
        )


def test_a_reply_phrase_in_two_groups_is_rejected():
    groups = [
        {"answer": "yes", "follow": "loose", "phrases": ["yes", "sure"]},
        {"answer": "no", "follow": "strict", "phrases": ["sure"]},
    ]
    with pytest.raises(
        WordListError,
        match=r"replies.yml: phrases\[1\].phrases: 'sure' is "
        r"listed twice \(also in phrases\[0\]\)",
    ):
        read_reply_phrases("replies.yml", groups)
    with pytest.raises(WordListError, match="follow: must be one of"):
        read_reply_phrases("replies.yml", [{"answer": "yes", "follow": "lax", "phrases": ["y"]}])


def test_an_offer_phrase_on_both_sides_is_rejected():
    with pytest.raises(WordListError, match="offer_stop: 'go on' is on both sides of the offer"):
        read_offer_phrases("replies.yml", ["keep going", "go on"], ["stop", "go on"])
    assert read_offer_phrases("replies.yml", ["go on"], ["stop here"]) == {
        ("go", "on"): "finish",
        ("stop", "here"): "stop",
    }
