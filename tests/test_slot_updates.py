"""How one message becomes screening slot values (the logic of action_extract_findings)."""

import pytest

from screening.extraction import extract
from screening.findings import SIGN_GROUPS
from screening.slot_updates import AGE_UNKNOWN, slot_updates


def updates(text="", intent=None, entities=(), requested=None, current=None):
    return slot_updates(
        extract(text), intent, list(entities), requested, current or {}, typed=bool(text)
    )


@pytest.mark.parametrize(
    "text, intent, requested, expected",
    [
        # a tap on a button answers the open question
        ("/affirm", "affirm", "hair_tuft", {"hair_tuft": "yes"}),
        ("/deny", "deny", "lump", {"lump": "no"}),
        ("/dont_know", "dont_know", "deep", {"deep": "unsure"}),
        # typed replies, read by the extractor even if the intent is wrong
        ("nope", "affirm", "skin_tag", {"skin_tag": "no"}),
        ("not sure", "deny", "large", {"large": "unsure"}),
        # a finding named in the reply wins over the reply's yes/no
        (
            "no, but there is a little skin tag",
            "deny",
            "hair_tuft",
            {"hair_tuft": "no", "skin_tag": "yes"},
        ),
        # "no, stop" is a request to stop, not an answer
        ("no stop", "stop", "hair_tuft", {}),
        # "don't know" to the age question: unknown age, not asked again
        ("/dont_know", "dont_know", "age_months", {"age_months": AGE_UNKNOWN}),
        ("/dont_know", "dont_know", "dimple_pattern", {"dimple_pattern": "unsure"}),
        # no open question: a bare "yes" sets nothing
        ("yes", "affirm", None, {}),
    ],
)
def test_replies_to_the_open_question(text, intent, requested, expected):
    got = updates(text if not text.startswith("/") else "", intent, requested=requested)
    assert got == expected


def test_button_entities_fill_subject_age_and_position():
    got = updates(entities=[{"entity": "subject", "value": "baby"}], requested="subject")
    assert got == {"subject": "baby"}
    got = updates(entities=[{"entity": "age_months", "value": 0.5}], requested="age_months")
    assert got == {"age_months": 0.5}


@pytest.mark.parametrize(
    "pattern, implied",
    [
        # the button says "Low, in the middle"
        ("one_midline", {"multiple": "no", "off_midline": "no", "high": "no"}),
        ("high_midline", {"high": "yes", "multiple": "no", "off_midline": "no"}),
        ("several_midline", {"multiple": "yes"}),
        ("off_side", {"off_midline": "yes", "multiple": "no"}),
        ("two_sides", {}),
        ("unsure", {}),
    ],
)
def test_the_position_answers_the_position_red_flags(pattern, implied):
    got = updates(
        entities=[{"entity": "dimple_pattern", "value": pattern}], requested="dimple_pattern"
    )
    assert got == {"dimple_pattern": pattern, **implied}


def test_the_position_never_overwrites_an_earlier_answer():
    got = updates(
        entities=[{"entity": "dimple_pattern", "value": "one_midline"}],
        current={"off_midline": "unsure"},
    )
    assert got == {"dimple_pattern": "one_midline", "multiple": "no", "high": "no"}


def test_typed_in_the_middle_does_not_rule_out_higher_up():
    # Only the button says "low"; "one in the middle" leaves "higher up" to be asked.
    got = updates("there's just one in the middle", "inform", requested="dimple_pattern")
    assert got["dimple_pattern"] == "one_midline" and "high" not in got


def test_an_opening_message_fills_everything_it_says():
    got = updates(
        "My 3 week old has a dimple above her bum crack with a little tuft of hair. "
        "Should I worry?",
        "start_screening",
    )
    assert got["subject"] == "baby" and got["hair_tuft"] == "yes"
    assert 0.5 < got["age_months"] < 1


def test_nonsense_age_from_a_payload_is_ignored():
    assert updates(entities=[{"entity": "age_months", "value": "abc"}]) == {}
    assert updates(entities=[{"entity": "age_months", "value": -3}]) == {}


@pytest.mark.parametrize(
    "text",
    [
        "why are they called dimples of venus",
        "why are my back dimples less visible now",
        "do babies have dimples of venus at 3 months old?",
    ],
)
def test_a_knowledge_question_does_not_answer_who_how_old_or_where(text):
    # Read as the person's own case, "dimples of Venus" meant two side dimples, and a
    # later screening of a baby reassured without a single question.
    got = updates(text, "faq")
    assert not {"subject", "age_months", "dimple_pattern"} & set(got), got


def test_the_same_words_about_ones_own_baby_still_count():
    got = updates(
        "my 3 month old baby has two dimples, one each side of the spine", "start_screening"
    )
    assert got["subject"] == "baby" and got["dimple_pattern"] == "two_sides"


@pytest.mark.parametrize("text", ["nonexistent", "looks normal", "qwerty"])
def test_a_typed_reply_the_extractor_cannot_read_is_never_taken_as_no(text):
    # The classifier says deny for "nonexistent" (0.89): that must not rule out a red flag.
    assert updates(text, "deny", requested="hair_tuft") == {}


@pytest.mark.parametrize("text", ["finish", "ok", "qwerty"])
@pytest.mark.parametrize("requested", ["signs_urgent", "drainage", "hair_tuft"])
def test_a_typed_reply_the_extractor_cannot_read_is_never_taken_as_yes(text, requested):
    # The classifier says affirm for "finish" (0.66): that must not be a "yes" to the
    # urgent signs, which sends the parent to urgent care.
    assert updates(text, "affirm", requested=requested) == {}


def test_an_affirm_button_and_a_plain_typed_yes_still_answer_yes():
    assert updates("", "affirm", requested="hair_tuft") == {"hair_tuft": "yes"}
    assert updates("yes", "affirm", requested="hair_tuft") == {"hair_tuft": "yes"}
    assert updates("yeah I think so", "affirm", requested="hair_tuft") == {"hair_tuft": "yes"}


def test_a_deny_button_and_a_plain_typed_no_still_answer_no():
    assert updates("", "deny", requested="hair_tuft") == {"hair_tuft": "no"}
    assert updates("nope, nothing like that", "deny", requested="hair_tuft") == {"hair_tuft": "no"}


# --- the grouped questions ------------------------------------------------------

MARKS = ("hair_tuft", "skin_tag", "lump", "discoloration")


@pytest.mark.parametrize(
    "text, intent, current, expected",
    [
        # "None of these" rules out every open sign of the group, and only those
        ("", "deny", {}, {"signs_marks": "none", **{n: "no" for n in MARKS}}),
        (
            "",
            "deny",
            {"hair_tuft": "yes"},
            {"signs_marks": "none", "skin_tag": "no", "lump": "no", "discoloration": "no"},
        ),
        (
            "none of those",
            "something_else",
            {},
            {"signs_marks": "none", **{n: "no" for n in MARKS}},
        ),
        ("nope none", "deny", {}, {"signs_marks": "none", **{n: "no" for n in MARKS}}),
        # "Yes, one or more": which ones comes next
        ("", "affirm", {}, {"signs_marks": "some"}),
        # "Not sure": each sign on its own, none ruled out
        ("", "dont_know", {}, {"signs_marks": "unsure"}),
        ("not sure", "dont_know", {}, {"signs_marks": "unsure"}),
        # naming a sign answers that sign; the rest stay open
        ("yes the hair one", "inform", {}, {"hair_tuft": "yes"}),
        ("no hair", "deny", {}, {"hair_tuft": "no"}),
        # ... unless it says there is nothing else
        (
            "just a bit of hair, nothing else",
            "inform",
            {},
            {"hair_tuft": "yes", "skin_tag": "no", "lump": "no", "discoloration": "no"},
        ),
        (
            "nothing else",
            "inform",
            {"hair_tuft": "yes"},
            {"signs_marks": "none", "skin_tag": "no", "lump": "no", "discoloration": "no"},
        ),
        (
            "no hair or anything",
            "deny",
            {},
            {"hair_tuft": "no", "skin_tag": "no", "lump": "no", "discoloration": "no"},
        ),
        # "not sure" or "yes" with "nothing else" rules out nothing
        ("not sure, nothing else", "dont_know", {}, {"signs_marks": "unsure"}),
        ("yes, nothing else", "affirm", {}, {"signs_marks": "some"}),
        # a typed "no" the extractor cannot read rules out nothing
        ("nonexistent", "deny", {}, {}),
    ],
)
def test_replies_to_a_group_question(text, intent, current, expected):
    assert updates(text, intent, requested="signs_marks", current=current) == expected


@pytest.mark.parametrize("group, signs", SIGN_GROUPS)
@pytest.mark.parametrize(
    "text, intent", [("", "dont_know"), ("not sure", "deny"), ("no idea", "affirm")]
)
def test_not_sure_on_a_group_never_rules_out_a_sign(group, signs, text, intent):
    got = updates(text, intent, requested=group)
    assert got == {group: "unsure"}, (text, got)
    # ... nor does "Not sure which" after "Yes, one or more"
    got = updates(text, intent, requested="signs_which", current={group: "some"})
    assert got == {group: "unsure"} and not any(got.get(n) == "no" for n in signs)


def test_something_else_with_nothing_else_rules_out_the_urgent_signs():
    # "a lil dent, nothing else" to the urgent signs: none of them, and a shallow dimple
    assert updates("a lil dent, nothing else", "inform", requested="signs_urgent") == {
        "deep": "no",
        "signs_urgent": "none",
        "drainage": "no",
        "infection": "no",
        "neuro_symptoms": "no",
    }


def test_yes_to_a_list_of_one_names_it():
    assert updates("", "affirm", requested="signs_crease") == {"cleft_abnormal": "yes"}
    # the urgent list escalates on "yes" before any "which"
    assert updates("", "affirm", requested="signs_urgent") == {"signs_urgent": "some"}


@pytest.mark.parametrize(
    "text, intent, entities, expected",
    [
        # a tap names the sign; the group is asked again for the others
        ("", "inform", [{"entity": "sign", "value": "lump"}], {"lump": "yes", "signs_marks": None}),
        # typed, several at once
        (
            "hair and a little skin tag",
            "inform",
            [],
            {"hair_tuft": "yes", "skin_tag": "yes", "signs_marks": None},
        ),
        # "Not sure which", or a "no" after "yes": each sign asked on its own
        ("", "dont_know", [], {"signs_marks": "unsure"}),
        ("", "deny", [], {"signs_marks": "unsure"}),
        # "just the hair, nothing else": the others are ruled out, not asked again
        (
            "just the hair, nothing else",
            "inform",
            [],
            {
                "hair_tuft": "yes",
                "signs_marks": None,
                "skin_tag": "no",
                "lump": "no",
                "discoloration": "no",
            },
        ),
        # unreadable: nothing, the question is asked again
        ("qwerty", "inform", [], {}),
    ],
)
def test_replies_to_which_ones(text, intent, entities, expected):
    got = updates(text, intent, entities, requested="signs_which", current={"signs_marks": "some"})
    assert got == expected


@pytest.mark.parametrize(
    "text, intent, entities, expected",
    [
        ("", "inform", [{"entity": "screening_more", "value": "stop"}], {"screening_more": "stop"}),
        (
            "",
            "inform",
            [{"entity": "screening_more", "value": "finish"}],
            {"screening_more": "finish"},
        ),
        ("stop here", "stop", [], {"screening_more": "stop"}),
        ("yes go on", "affirm", [], {"screening_more": "finish"}),
        # typed, with the intents the classifier gives them: its own words decide
        ("finish", "affirm", [], {"screening_more": "finish"}),
        ("Finish the summary please", "inform", [], {"screening_more": "finish"}),
        ("continue", "stop", [], {"screening_more": "finish"}),
        ("more questions please", "stop", [], {"screening_more": "finish"}),
        ("keep going", "goodbye", [], {"screening_more": "finish"}),
        ("ok, carry on", "nlu_fallback", [], {"screening_more": "finish"}),
        ("don't stop", "stop", [], {"screening_more": "finish"}),
        ("that's enough", "stop", [], {"screening_more": "stop"}),
        ("no more questions thanks", "deny", [], {"screening_more": "stop"}),
        ("finish here", "affirm", [], {"screening_more": "stop"}),
        ("I'm done", "goodbye", [], {"screening_more": "stop"}),
        # both: the classifier's reading; neither, and no intent that says: asked again
        ("stop or keep going, not sure", "stop", [], {"screening_more": "stop"}),
        ("hmm", "nlu_fallback", [], {}),
    ],
)
def test_replies_to_the_offer_to_stop(text, intent, entities, expected):
    assert updates(text, intent, entities, requested="screening_more") == expected
