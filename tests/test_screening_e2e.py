"""Whole screening conversations over the REST channel of a running Rasa server,
with the real action server; outcomes read back through the HTTP API.

A parent's view: what they type or tap, what they are told, and what the
tracker keeps (`screening_result`, `red_flags`: docs/contract.md).
"""

import pytest

from screening.findings import FINDINGS, URGENT_FINDINGS
from scripts import conversation

pytestmark = pytest.mark.server

SIMPLE_BABY = {
    "subject": '/inform{"subject": "baby"}',
    "age_months": '/inform{"age_months": 0.5}',
    "dimple_pattern": '/inform{"dimple_pattern": "one_midline"}',
}


class Conversation(conversation.Conversation):
    """The driver (scripts/conversation.py), keeping the questions asked, with the
    opening answers of a simple dimple on a baby's back."""

    def __init__(self, server, name: str):
        super().__init__(server, name, track_questions=True)

    def start_simple_baby_screening(self) -> str:
        """Start by button and give the opening answers; the red-flag questions follow."""
        self.say("/start_screening")
        for slot in ("subject", "age_months"):
            self.say(SIMPLE_BABY[slot])
        return self.say(SIMPLE_BABY["dimple_pattern"])


def test_simple_dimple_by_buttons_is_reassured_with_the_fewest_questions(rasa_server):
    chat = Conversation(rasa_server, "simple")
    first = chat.say("/start_screening")
    assert "Who has the dimple?" in first
    assert chat.last_buttons == ["My baby (under 1)", "My child", "Me", "Someone else"]
    advice = chat.answer_until_done(SIMPLE_BABY)
    assert chat.outcome() == ("reassure", [])
    assert "simple sacral dimple" in advice and "not a diagnosis" in advice
    # subject, age, position, then the 11 red flags the position leaves open
    assert chat.asked == [
        "subject",
        "age_months",
        "dimple_pattern",
        *[n for n in FINDINGS if n not in ("multiple", "off_midline")],
    ]
    assert len(chat.asked) == len(set(chat.asked)), "a question was asked twice"


@pytest.mark.parametrize("finding", FINDINGS)
def test_every_red_flag_answered_yes_leads_to_a_referral_or_urgent_care(rasa_server, finding):
    chat = Conversation(rasa_server, f"flag-{finding}")
    chat.say("I'd like to check a dimple on my baby's back")
    pattern = {"multiple": "several_midline", "off_midline": "off_side"}.get(finding, "one_midline")
    answers = {
        **SIMPLE_BABY,
        "dimple_pattern": f'/inform{{"dimple_pattern": "{pattern}"}}',
        finding: "/affirm",
    }
    advice = chat.answer_until_done(answers)
    result, red_flags = chat.outcome()
    if finding in URGENT_FINDINGS:
        assert result == "urgent" and finding in red_flags
        assert "today" in advice
    else:
        assert (result, red_flags) == ("refer", [finding])
        assert "doctor" in advice and "ultrasound" in advice


@pytest.mark.parametrize(
    "opening, flag",
    [
        ("my newborn's dimple is leaking pus, what should I do?", "drainage"),
        ("The skin around my son's sacral dimple is red, hot and swollen", "infection"),
        (
            "my daughter has a dimple at the base of her spine and suddenly her legs seem weak",
            "neuro_symptoms",
        ),
    ],
)
def test_an_urgent_sign_in_the_opening_message_gets_urgent_advice_at_once(
    rasa_server, opening, flag
):
    chat = Conversation(rasa_server, "urgent-opening")
    reply = chat.say(opening)
    assert "today" in reply and "emergency number" in reply
    result, red_flags = chat.outcome()
    assert result == "urgent" and flag in red_flags
    assert chat.active_loop() is None


def test_an_urgent_sign_in_the_middle_of_faq_chat_gets_urgent_advice(rasa_server):
    chat = Conversation(rasa_server, "urgent-faq")
    assert "Venus" in chat.say("what are back dimples?")
    reply = chat.say("oh and the dimple on my baby's back has some fluid oozing out of it")
    assert "today" in reply
    assert chat.outcome()[0] == "urgent"


def test_an_urgent_sign_in_free_text_mid_screening_ends_it_with_urgent_advice(rasa_server):
    chat = Conversation(rasa_server, "urgent-mid")
    chat.start_simple_baby_screening()
    chat.say("/deny")  # drainage
    reply = chat.say("now that I look again it's a bit red and swollen and feels warm")
    assert "today" in reply
    assert chat.outcome() == ("urgent", ["infection", "unsure"])
    assert chat.active_loop() is None


def test_signs_in_the_opening_message_are_not_asked_again(rasa_server):
    chat = Conversation(rasa_server, "opening-signs")
    chat.say(
        "My 3 week old has a dimple above her bum crack with a little tuft of hair. Should I worry?"
    )
    slots = chat.slots()
    assert slots["hair_tuft"] == "yes" and slots["subject"] == "baby"
    chat.answer_until_done({"dimple_pattern": SIMPLE_BABY["dimple_pattern"]})
    assert (
        "hair_tuft" not in chat.asked
        and "subject" not in chat.asked
        and "age_months" not in chat.asked
    )
    assert chat.outcome() == ("refer", ["hair_tuft"])


def test_negation_aware_free_text_answer(rasa_server):
    chat = Conversation(rasa_server, "negation")
    chat.say("/start_screening")
    answers = {**SIMPLE_BABY, "hair_tuft": "no hair or marks, but there's a little skin tag"}
    chat.answer_until_done(answers)
    slots = chat.slots()
    assert (slots["hair_tuft"], slots["skin_tag"], slots["discoloration"]) == ("no", "yes", "no")
    assert "skin_tag" not in chat.asked and "discoloration" not in chat.asked
    assert chat.outcome() == ("refer", ["skin_tag"])


def test_dont_know_counts_as_not_ruled_out_and_the_advice_says_so(rasa_server):
    chat = Conversation(rasa_server, "unsure")
    chat.say("/start_screening")
    advice = chat.answer_until_done({**SIMPLE_BABY, "deep": "I honestly can't tell"})
    assert chat.outcome() == ("refer", ["unsure"])
    assert "You were not sure about" in advice and "deep" in advice


def test_faq_question_mid_screening_is_answered_then_the_question_repeats(rasa_server):
    chat = Conversation(rasa_server, "faq-mid")
    chat.start_simple_baby_screening()
    reply = chat.say("what is a tethered spinal cord?")
    assert "tether" in reply.lower()
    assert "fluid, pus or other discharge" in reply  # the open question again
    assert chat.slots()["requested_slot"] == "drainage"
    chat.answer_until_done({})
    assert chat.outcome() == ("reassure", [])


def test_stop_ends_the_questions_and_restart_starts_over(rasa_server):
    chat = Conversation(rasa_server, "stop")
    chat.say("/start_screening")
    chat.say(SIMPLE_BABY["subject"])
    reply = chat.say("stop")
    assert "stopped" in reply and chat.active_loop() is None
    assert chat.slots()["screening_result"] is None
    # a finished screening, then a new one forgets the old answers
    chat.say("/start_screening")
    chat.answer_until_done({**SIMPLE_BABY, "lump": "/affirm"})
    assert chat.outcome() == ("refer", ["lump"])
    reply = chat.say("can you check my baby's dimple again")
    assert "Who has the dimple?" in reply or "How old" in reply
    assert chat.slots()["lump"] is None and chat.slots()["screening_result"] is None


def test_two_side_dimples_are_back_dimples(rasa_server):
    chat = Conversation(rasa_server, "sides")
    chat.say("/start_screening")
    chat.say('/inform{"subject": "self"}')
    reply = chat.say("I have two dimples, one on each side of my spine")
    assert "Venus" in reply and "harmless" in reply
    assert chat.outcome() == ("reassure", [])
    assert chat.asked == ["subject", "dimple_pattern"]


def test_an_faq_question_first_does_not_answer_the_screening_questions(rasa_server):
    # "dimples of Venus" in a question once counted as two side dimples: the
    # screening that followed reassured a parent without asking anything.
    chat = Conversation(rasa_server, "faq-first")
    chat.say("why are they called dimples of venus")
    chat.say("why are my back dimples less visible now")
    assert "Who has the dimple?" in chat.say("/start_screening")
    chat.say(SIMPLE_BABY["subject"])
    chat.answer_until_done({**SIMPLE_BABY, "hair_tuft": "/affirm"})
    assert "dimple_pattern" in chat.asked
    assert chat.outcome() == ("refer", ["hair_tuft"])


def test_a_typed_reply_the_bot_cannot_read_is_asked_again_not_taken_as_no(rasa_server):
    chat = Conversation(rasa_server, "unclear-no")
    chat.start_simple_baby_screening()
    question = chat.slots()["requested_slot"]
    reply = chat.say("nonexistent")  # the classifier reads it as "deny" (0.89)
    assert "didn't catch that" in reply
    slots = chat.slots()
    assert slots[question] is None and slots["requested_slot"] == question
