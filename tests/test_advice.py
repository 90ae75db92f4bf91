"""The words of each outcome: advice, reasons, summary and the disclaimer."""

import pytest

from screening.advice import LABEL, REASON, advice_messages, noted_aside
from screening.findings import FINDINGS
from screening.triage import triage

ALL_NO = {name: "no" for name in FINDINGS}


def _text(answers, pattern="one_midline", subject="baby", age=0.5):
    outcome = triage(answers, pattern)
    return outcome, "\n".join(advice_messages(outcome, answers, subject, age, pattern))


def test_every_outcome_says_it_is_not_a_diagnosis_and_has_a_summary():
    for answers, pattern in [
        (ALL_NO, "one_midline"),
        ({**ALL_NO, "lump": "yes"}, None),
        ({**ALL_NO, "drainage": "yes"}, None),
    ]:
        _, text = _text(answers, pattern)
        assert "not a diagnosis" in text
        assert "Summary of your answers" in text


def test_reassurance_explains_why_and_what_would_change_it():
    outcome, text = _text(ALL_NO)
    assert outcome.result == "reassure"
    assert "simple sacral dimple" in text and "routine check" in text
    assert "Why:" in text and "Get it checked sooner" in text


@pytest.mark.parametrize(
    "name", [n for n in FINDINGS if n not in ("drainage", "infection", "neuro_symptoms")]
)
def test_referral_names_each_finding_and_mentions_the_scan(name):
    outcome, text = _text({**ALL_NO, name: "yes"})
    assert outcome.result == "refer"
    assert REASON[name] in text
    assert f"{LABEL[name]}: yes" in text
    assert "ultrasound" in text
    assert "The more signs there are, the more reason" in text


def test_referral_for_an_unsure_answer_says_it_is_not_ruled_out():
    outcome, text = _text({**ALL_NO, "deep": "unsure"})
    assert outcome.result == "refer"
    assert "You were not sure about" in text and REASON["deep"] in text
    assert "Deep (bottom not visible): not sure" in text


def test_older_children_hear_about_mri_not_only_ultrasound():
    _, text = _text({**ALL_NO, "hair_tuft": "yes"}, subject="child", age=48)
    assert "MRI" in text


@pytest.mark.parametrize("name", ["drainage", "infection", "neuro_symptoms"])
def test_urgent_advice_is_for_today_and_gives_the_emergency_number(name):
    outcome, text = _text({name: "yes"}, pattern=None)
    assert outcome.result == "urgent"
    assert "today" in text and "emergency number" in text
    assert REASON[name] in text


def test_emergency_signs_lead_with_calling_the_emergency_number():
    outcome = triage({"emergency": "yes"})
    first = advice_messages(outcome, {})[0]
    assert "call your local emergency number now" in first


def test_back_dimples_are_explained_without_a_check():
    outcome, text = _text({}, pattern="two_sides", subject="self", age=None)
    assert outcome.result == "reassure" and outcome.back_dimples
    assert "Venus" in text and "harmless" in text
    assert "not a diagnosis" in text


@pytest.mark.parametrize(
    "updates, requested, line",
    [
        ({"deep": "no"}, "signs_urgent", "I've noted: you can see its bottom."),
        ({"deep": "no"}, "deep", None),  # the open question answered: the next one says so
        ({"deep": "no"}, None, None),  # no question open
        ({}, "signs_urgent", None),  # nothing read: "didn't catch that" (a rule) says it
        ({"signs_marks": "none"}, "signs_urgent", None),  # nothing to say back
    ],
)
def test_a_typed_answer_to_another_question_is_said_back(updates, requested, line):
    assert noted_aside(updates, requested) == line
