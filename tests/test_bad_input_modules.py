"""Bad input straight into the screening modules: screening.extraction (extract,
is_urgent) and screening.triage (triage), at least 2,000 generated inputs each.

Besides "never raises, always well-formed", the properties are the safety rules
of docs/screening.md, stated so that they can fail: a red flag said in a message
is not lost because of what surrounds it; any urgent sign is urgent; an answer
that is not a clear "no" never leads to reassurance; and adding a sign never
lowers the advice. The tables of tests/test_extraction.py and tests/test_triage.py
check named cases; these check everything around them.

Three defects were found this way and fixed: "<" and ">" around a red flag were
read as an HTML tag and the red flag dropped (screening/extraction/normalise.py); an
"unsure" emergency sign led to reassurance, and a list or dict answer raised
(screening/triage.py).
"""

import math
import time
from collections import Counter
from typing import Any, Dict

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from screening.extraction import MAX_CHARS, Extraction, _extract, extract, is_urgent
from screening.findings import (
    EMERGENCY,
    FINDINGS,
    PATTERN_TWO_SIDES,
    PATTERNS,
    SUBJECTS,
    UNSURE_FLAG,
    URGENT_FINDINGS,
    Answer,
)
from screening.triage import REASSURE, REFER, URGENT, Outcome, triage
from tests import test_extraction as tables

YES, NO, UNSURE = Answer.YES, Answer.NO, Answer.UNSURE
RANK = {REASSURE: 0, REFER: 1, URGENT: 2}
COUNT: Counter[str] = Counter()  # examples actually run, per property


def settings_for(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


@pytest.fixture(scope="module", autouse=True)
def report_counts(record_figure):
    yield
    for name, count in sorted(COUNT.items()):
        record_figure(f"bad input, modules: {name}: {count} generated inputs")


# ---------------------------------------------------------------------------
# Text the people who use the bot could send, and text nobody would
# ---------------------------------------------------------------------------

EMOJI = ["😀", "😭", "🙏", "👶🏻", "👍🏽", "👍", "👎", "🤷‍♀️", "❤️", "🇬🇧", "👨‍👩‍👧", "🔥", "✅", "❌"]
HTML = [
    "<script>alert(1)</script>",
    "<b>",
    "</b>",
    "<img src=x onerror=alert(1)>",
    "&lt;",
    "&amp;",
    "&#0;",
    "&#x202e;",
    "<!--",
    "-->",
    "<br/>",
    "<p>",
    "</div>",
    "<",
    ">",
    "</",
    "<3",
    "->",
]
WORDS = (
    "my baby son daughter has a the dimple dimples hole no not none nothing hair tuft tag "
    "skin lump red swollen warm hot fever leaking pus oozing deep shallow bottom see can't "
    "isn't sure maybe if what is it ? . , ; : - but and or either side middle high low "
    "3 weeks months old 5mm 2 cm yes nope weak legs seizure breathing"
).split()
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",
    "\u00ad",
    "\u2060",
]


def _repeat(pair):
    piece, size = pair
    return (piece * (size // len(piece) + 1))[:size]


any_text = st.one_of(
    st.text(max_size=120),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Cs"]), max_size=40),
    st.text(st.characters(min_codepoint=0x0590, max_codepoint=0x08FF), max_size=80),
    st.text(
        st.characters(categories=["So", "Sk", "Sm", "Mn", "Me", "Po", "Ps", "Pe"]), max_size=60
    ),
    st.lists(st.sampled_from(EMOJI), min_size=1, max_size=30).map("".join),
    st.lists(
        st.sampled_from(WORDS + EMOJI + HTML + INVISIBLE + ["\x00", "\n", "\t", "\u3000"]),
        max_size=60,
    ).map(" ".join),
    st.lists(st.sampled_from(WORDS + HTML + ["", " "]), max_size=40).map("".join),
    st.tuples(st.text(min_size=1, max_size=15), st.integers(MAX_CHARS - 200, 3 * MAX_CHARS)).map(
        _repeat
    ),
    st.tuples(st.sampled_from(WORDS + EMOJI + HTML), st.integers(1, 4_000)).map(
        lambda p: (p[0] + " ") * p[1]
    ),
)


# Rows of tests/test_extraction.py: real messages with known findings.
ROWS = [
    row[0]
    for row in tables.MUST
    + tables.FINDING_ROWS
    + tables.SCOPE_ROWS
    + tables.MESSAGE_ROWS
    + tables.SAFETY_ROWS
    + tables.TYPO_ROWS
]
RED_FLAG_ROWS = [
    text for text in ROWS if any(v in (YES, UNSURE) for v in extract(text).findings.values())
]


def _summary(result: Extraction) -> Dict[str, Any]:
    return {
        "findings": dict(result.findings),
        "subject": result.subject,
        "age": result.age_months,
        "pattern": result.pattern,
        "answer": result.answer,
    }


def check_well_formed(result: Extraction) -> None:
    assert isinstance(result, Extraction)
    assert set(result.findings) <= set(FINDINGS) | {EMERGENCY}
    assert all(isinstance(v, Answer) for v in result.findings.values())
    assert result.subject is None or result.subject in SUBJECTS
    assert result.pattern is None or result.pattern in PATTERNS
    assert result.answer is None or isinstance(result.answer, Answer)
    assert result.age_months is None or (
        math.isfinite(result.age_months) and 0 <= result.age_months <= 1440
    )
    assert set(result.asked_about) <= set(FINDINGS) | {EMERGENCY}
    assert not set(result.asked_about) & set(result.findings)
    urgent = any(result.findings.get(k) == YES for k in (*URGENT_FINDINGS, EMERGENCY))
    assert is_urgent(result) is urgent


# ---------------------------------------------------------------------------
# extraction
# ---------------------------------------------------------------------------

SLOWEST = {"seconds": 0.0}


@settings_for(2_000)
@given(text=any_text)
@example(text="\ud800\udc00 lone surrogates \udfff")
@example(text="👍🏽" * 3000)
def test_extract_never_raises_and_is_well_formed(text):
    COUNT["extract (any text)"] += 1
    start = time.perf_counter()
    result = _extract(text)  # the inner function: extract() would hide an exception
    seconds = time.perf_counter() - start
    SLOWEST["seconds"] = max(SLOWEST["seconds"], seconds)
    check_well_formed(result)
    assert extract(text) == result
    # Long input is cut, so no message can stall the bot (the tests' machine may be busy).
    assert seconds < 3.0, f"{seconds:.1f} s for {len(text)} characters"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.binary(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@settings_for(300)
@given(value=json_values)
def test_extract_of_anything_that_is_not_text_is_empty_or_well_formed(value):
    COUNT["extract (not text)"] += 1
    result = _extract(value)
    check_well_formed(result)
    if not isinstance(value, (str, bytes)):
        assert result == Extraction()


@settings_for(1_000)
@given(data=st.data(), text=st.sampled_from(ROWS))
def test_invisible_characters_change_nothing(data, text):
    """Zero-width, bidi and format characters, anywhere, even inside words."""
    COUNT["extract (invisible characters inserted)"] += 1
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 6))):
        where = data.draw(st.integers(0, len(chars)))
        chars.insert(where, data.draw(st.sampled_from(INVISIBLE)))
    assert _summary(_extract("".join(chars))) == _summary(_extract(text))


@settings_for(400)
@given(text=st.sampled_from(ROWS), upper=st.booleans())
def test_case_changes_nothing(text, upper):
    COUNT["extract (upper/title case)"] += 1
    changed = text.upper() if upper else text.title()
    assert _summary(_extract(changed))["findings"] == _summary(_extract(text))["findings"]


# What a chat adds around a message without changing what it says: emoji, markup,
# control characters, blank lines.
SAFE_JUNK = st.lists(
    st.sampled_from(
        EMOJI
        + INVISIBLE
        + [
            "\x00",
            "\x1b",
            "\x7f",
            "\n",
            "\t",
            " ",
            "<b>",
            "</b>",
            "<br/>",
            "<p>",
            "</p>",
            "<i>",
            "</i>",
            "&nbsp;",
            "...",
        ]
    ),
    max_size=6,
).map("".join)
# What people type that holds "<" or ">" and means nothing here: hearts, arrows,
# faces. ("<" and ">" next to a size do mean something: "< 1 cm" is a size.)
TEXT_JUNK = st.lists(
    st.sampled_from(["<3", "->", "<-", "=>", ">_<", "<<", ">>", ":-<", ":->", "-->"]),
    min_size=1,
    max_size=3,
).map(" ".join)


def _red_flags(result: Extraction) -> Dict[str, Answer]:
    return {k: v for k, v in result.findings.items() if v in (YES, UNSURE)}


@settings_for(1_000)
@given(text=st.sampled_from(RED_FLAG_ROWS), before=SAFE_JUNK, after=SAFE_JUNK)
def test_a_red_flag_is_not_lost_in_emoji_markup_or_control_characters(text, before, after):
    COUNT["extract (junk around a red flag)"] += 1
    base = _red_flags(_extract(text))
    got = _extract(f"{before} {text} {after}").findings
    for key, answer in base.items():
        # Still there, and never weaker (UNSURE may become YES, never NO or missing).
        assert got.get(key) in ((YES,) if answer == YES else (YES, UNSURE)), (
            key,
            answer,
            dict(got),
        )


@settings_for(300)
@given(text=st.sampled_from(RED_FLAG_ROWS), before=TEXT_JUNK, after=TEXT_JUNK)
@example(text="it's leaking pus", before="<", after="->")
def test_a_red_flag_is_not_lost_next_to_less_than_or_greater_than_signs(text, before, after):
    COUNT["extract (< and > around a red flag)"] += 1
    base = _red_flags(_extract(text))
    got = _extract(f"{before} {text} {after}").findings
    for key, answer in base.items():
        # "<3" next to "4 cm above" may read as a bound and make "high" unsure: still a
        # referral. An urgent sign must stay a "yes" (unsure would lower it to a referral).
        allowed = (YES,) if answer == YES and key in URGENT_FINDINGS else (YES, UNSURE)
        assert got.get(key) in allowed, (key, answer, dict(got))


@pytest.mark.parametrize(
    "text, flag",
    [
        ("dimple is about 3mm (<5mm) with a skin tag, oozing a bit -> is this bad?", "drainage"),
        ("it is < 5mm wide but has a tuft of hair and it sits > 2.5 cm up", "hair_tuft"),
        ("<3 she has a dimple and it's leaking pus, I think it's infected >_<", "drainage"),
        ("It never used to leak but now it does <3", "drainage"),
    ],
)
def test_named_messages_with_less_than_signs_keep_their_red_flags(text, flag):
    assert extract(text).findings.get(flag) == YES


# ---------------------------------------------------------------------------
# triage
# ---------------------------------------------------------------------------

KEYS = (*FINDINGS, EMERGENCY)
# Values a slot can hold, well-formed or not (unhashable ones: the last triage test).
answer_values = st.one_of(
    st.sampled_from(["yes", "no", "unsure"]),
    st.sampled_from(list(Answer)),
    st.none(),
    st.sampled_from(["Yes", "NO", "", " no", "maybe", "n", "true", "false"]),
    st.text(max_size=6),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
)
answers_maps = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), answer_values)
patterns = st.one_of(st.sampled_from(PATTERNS), st.none(), st.text(max_size=12))


def _is_no(value: Any) -> bool:
    return value == "no"  # Answer.NO == "no" too (a str Enum)


def check_outcome(
    outcome: Outcome, answers: Dict[Any, Any], pattern: Any, urgent_reported: bool
) -> None:
    assert outcome.result in RANK
    flags = outcome.red_flags
    assert len(flags) == len(set(flags))
    assert set(flags) <= set(FINDINGS) | {UNSURE_FLAG}
    assert set(outcome.present) <= set(flags)
    assert list(outcome.present) == [n for n in FINDINGS if n in outcome.present]
    assert UNSURE_FLAG not in flags[:-1]  # "unsure" comes last
    overlap = set(outcome.not_ruled_out) & set(outcome.present)
    # An emergency sign is reported as neuro_symptoms (triage.py), which can then be
    # "present" and "not ruled out" at once when its own question was not answered.
    assert overlap <= ({"neuro_symptoms"} if outcome.emergency else set()), overlap
    if outcome.not_ruled_out:
        assert UNSURE_FLAG in flags
    if outcome.back_dimples:
        assert outcome.result == REASSURE and pattern == PATTERN_TWO_SIDES
    if outcome.result == REASSURE:
        assert flags == () and not outcome.emergency
    # Any urgent sign, named or reported, is urgent; so is an emergency sign.
    if urgent_reported or any(answers.get(k) == "yes" for k in (*URGENT_FINDINGS, EMERGENCY)):
        assert outcome.result == URGENT
    if answers.get(EMERGENCY) == "yes":
        assert outcome.emergency and "neuro_symptoms" in flags
    # A red-flag answer that is not a clear "no" - "unsure", a typo, anything -
    # never leads to reassurance; nor does a missing one, except for back dimples.
    for name in FINDINGS:
        value = answers.get(name)
        if value is not None and not _is_no(value):
            assert outcome.result != REASSURE, (name, value)
        if value is None and pattern != PATTERN_TWO_SIDES:
            assert outcome.result != REASSURE, (name, "missing")


@settings_for(2_000)
@given(answers=answers_maps, pattern=patterns, urgent_reported=st.booleans())
def test_triage_never_raises_and_keeps_the_safety_rules(answers, pattern, urgent_reported):
    COUNT["triage (any answers)"] += 1
    outcome = triage(answers, pattern, urgent_reported=urgent_reported)
    check_outcome(outcome, answers, pattern, urgent_reported)


# From least to most worrying: a clear no, not asked, not sure, yes.
LADDER = ["no", None, "unsure", "yes"]


@settings_for(1_000)
@given(
    base=st.fixed_dictionaries({k: st.sampled_from(LADDER) for k in KEYS}),
    key=st.sampled_from(KEYS),
    steps=st.integers(1, 3),
    pattern=patterns,
    urgent_reported=st.booleans(),
)
def test_a_more_worrying_answer_never_lowers_the_advice(base, key, steps, pattern, urgent_reported):
    COUNT["triage (one answer made worse)"] += 1
    assume(LADDER.index(base[key]) + steps < len(LADDER))
    worse = {**base, key: LADDER[LADDER.index(base[key]) + steps]}
    before = triage(base, pattern, urgent_reported=urgent_reported)
    after = triage(worse, pattern, urgent_reported=urgent_reported)
    assert RANK[after.result] >= RANK[before.result], (key, base[key], worse[key], before, after)
    assert set(before.present) <= set(after.present)
    also_reported = triage(base, pattern, urgent_reported=True)
    assert also_reported.result == URGENT


@settings_for(200)
@given(base=st.fixed_dictionaries({k: st.sampled_from(LADDER) for k in FINDINGS}), pattern=patterns)
@example(base={k: "no" for k in FINDINGS}, pattern="one_midline")
def test_an_unsure_emergency_sign_is_never_reassured(base, pattern):
    COUNT["triage (emergency unsure)"] += 1
    assert triage({**base, EMERGENCY: "unsure"}, pattern).result != REASSURE


@settings_for(100)
@given(
    answers=st.dictionaries(
        st.sampled_from(KEYS),
        st.lists(st.text(max_size=3), max_size=2)
        | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        min_size=1,
    )
)
def test_triage_of_unhashable_answers_does_not_raise(answers):
    COUNT["triage (list/dict answers)"] += 1
    check_outcome(triage(answers), answers, None, False)


def test_figures(record_figure):
    if SLOWEST["seconds"]:
        record_figure(
            f"bad input, modules: slowest extraction of a generated text "
            f"{SLOWEST['seconds'] * 1000:.0f} ms"
        )
