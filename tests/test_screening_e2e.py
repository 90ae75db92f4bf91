"""Whole screening conversations over the REST channel of a running Rasa server,
with the real action server; outcomes read back through the HTTP API.

A parent's view: what they type or tap, what they are told, and what the
tracker keeps (`screening_result`, `red_flags`: docs/contract.md).
"""

import uuid

import pytest

from screening.findings import REFERRAL_FINDINGS, SIGN_GROUPS, URGENT_FINDINGS
from scripts import conversation

pytestmark = pytest.mark.server

SIMPLE_BABY = {
    "subject": '/inform{"subject": "baby"}',
    "dimple_pattern": '/inform{"dimple_pattern": "one_midline"}',
    # once the advice is settled: finish the summary
    "screening_more": '/inform{"screening_more": "finish"}',
}
# The questions an ordinary dimple was asked before the grouped questions (issue 10):
# who, age, where, then 11 red flags one by one.
QUESTIONS_BEFORE = 14
MOST_QUESTIONS = 6
GROUP_OF = {sign: slot for slot, signs in SIGN_GROUPS for sign in signs}
GROUP_SLOTS = {slot for slot, _ in SIGN_GROUPS}
PATTERN_FOR = {
    "high": "high_midline",
    "multiple": "several_midline",
    "off_midline": "off_side",
}


class Conversation(conversation.Conversation):
    """The driver (scripts/conversation.py), keeping the questions asked, with the
    opening answers of a simple dimple on a baby's back."""

    def __init__(self, server, name: str):
        super().__init__(server, name, track_questions=True)

    def start_simple_baby_screening(self) -> str:
        """Start by button and give the opening answers; the red-flag groups follow."""
        self.say("/start_screening")
        self.say(SIMPLE_BABY["subject"])
        return self.say(SIMPLE_BABY["dimple_pattern"])

    def answer_until_done(self, answers, default="/deny", limit=25):
        """As the driver's, but each answer is given once: a group asked again ("Any of
        these as well?") gets the default."""
        everything = ""
        left = dict(answers)
        for _ in range(limit):
            if not self.active_loop():
                return everything
            question = self.slots()["requested_slot"]
            answer = left.pop(question, default) if question in GROUP_SLOTS else None
            everything += self.say(answer or answers.get(question, default)) + "\n"
        raise self.failure("the screening did not end")

    def questions_until_advice(self) -> int:
        """Bot questions before the advice (or the offer to stop, which gives it)."""
        return len([q for q in self.asked if q != "screening_more"])


def _images(chat: Conversation) -> list:
    # The REST channel sends a message's picture as its own reply, after the text.
    return [reply.get("image") for reply in chat.turns[-1].replies]


def _count(label: str, questions: int) -> None:
    # The acceptance figures of issue 10 (docs/screening.md): shown with pytest -s.
    print(f"\n[questions] {label}: {questions}")


def test_simple_dimple_by_buttons_is_reassured_in_six_questions(rasa_server):
    chat = Conversation(rasa_server, "simple")
    first = chat.say("/start_screening")
    assert "Who has the dimple?" in first
    assert chat.last_buttons == [
        "My baby, under 6 months",
        "My child, 6 months or older",
        "Me",
        "Someone else",
    ]
    chat.say(SIMPLE_BABY["subject"])
    assert chat.last_buttons == [
        "Low, in the middle",
        "Two, one each side",
        "Higher up, in the middle",
        "Off to one side",
        "More than one in the middle",
        "Not sure",
    ]
    assert "/images/dimple-position.png" in _images(chat)
    advice = chat.answer_until_done(SIMPLE_BABY)
    assert chat.outcome() == ("reassure", [])
    assert "simple sacral dimple" in advice and "not a diagnosis" in advice
    assert chat.asked == [
        "subject",
        "dimple_pattern",
        "signs_urgent",
        "signs_marks",
        "signs_dimple",
        "signs_crease",
    ]
    _count("ordinary dimple by buttons", len(chat.asked))
    assert len(chat.asked) <= MOST_QUESTIONS < QUESTIONS_BEFORE


def test_simple_dimple_by_typed_answers_is_reassured_in_six_questions(rasa_server):
    chat = Conversation(rasa_server, "simple-typed")
    chat.say("can you check a dimple for me")
    advice = chat.answer_until_done(
        {
            "subject": "a girl, 2 weeks old",
            "dimple_pattern": "just one, low down, right in the middle of the crack",
            "signs_urgent": "nope, none of those",
            "signs_marks": "none of them",
            "signs_dimple": "no, neither",
            "signs_crease": "no the line looks straight",
        },
        default="(no default: every question has a typed answer)",
    )
    assert chat.outcome() == ("reassure", [])
    assert "simple sacral dimple" in advice
    assert "2 weeks old" in advice  # the age typed is kept for the summary
    _count("ordinary dimple by typed answers", len(chat.asked))
    assert len(chat.asked) <= MOST_QUESTIONS


@pytest.mark.parametrize("typed", ["me", "Just me!", "it's mine"])
def test_me_typed_to_who_has_the_dimple_is_understood(rasa_server, typed):
    chat = Conversation(rasa_server, f"who-me-{uuid.uuid4().hex[:8]}")
    chat.say("/start_screening")
    reply = chat.say(typed)
    assert "didn't catch" not in reply and "Where is it?" in reply
    assert chat.slots()["subject"] == "self"


def test_a_typed_answer_to_another_question_is_said_back_and_the_question_asked_again(
    rasa_server,
):
    chat = Conversation(rasa_server, f"said-back-{uuid.uuid4().hex[:8]}")
    chat.start_simple_baby_screening()
    assert chat.slots()["requested_slot"] == "signs_urgent"
    reply = chat.say("a lil dent")
    assert reply.startswith("I've noted: you can see its bottom.")
    assert "Do you see any of these now?" in reply
    assert chat.slots()["deep"] == "no" and chat.slots()["requested_slot"] == "signs_urgent"
    # "no hair or anything" rules out the whole list of marks
    chat.say("/deny")
    reply = chat.say("no hair or anything")
    assert "Now the dimple itself" in reply
    assert all(chat.slots()[n] == "no" for n in ("hair_tuft", "skin_tag", "lump", "discoloration"))


def test_the_dimple_group_question_shows_its_picture_and_lists_each_sign(rasa_server):
    chat = Conversation(rasa_server, "dimple-picture")
    chat.start_simple_baby_screening()
    chat.say("/deny")  # urgent signs
    chat.say("/deny")  # marks
    assert "/images/dimple-depth-size.png" in _images(chat)
    text = conversation.texts(chat.turns[-1].replies)
    assert "can't see the bottom" in text and "bigger than a pea" in text
    assert chat.last_buttons == ["None of these", "Yes, one or more", "Not sure"]


def _pick(finding: str) -> str:
    return f'/inform{{"sign": "{finding}"}}'


@pytest.mark.parametrize("finding", URGENT_FINDINGS)
def test_each_urgent_sign_by_button_gets_urgent_advice(rasa_server, finding):
    # "Not sure" on the urgent list asks each sign on its own; "yes" to one is urgent.
    chat = Conversation(rasa_server, f"urgent-button-{finding}")
    chat.start_simple_baby_screening()
    advice = chat.answer_until_done({"signs_urgent": "/dont_know", finding: "/affirm"})
    result, red_flags = chat.outcome()
    assert result == "urgent" and finding in red_flags
    assert "today" in advice


def test_yes_to_the_urgent_list_gets_urgent_advice_before_asking_which(rasa_server):
    chat = Conversation(rasa_server, "urgent-yes")
    chat.start_simple_baby_screening()
    advice = chat.say("/affirm")
    assert "today" in advice and "emergency number" in advice
    assert chat.outcome()[0] == "urgent" and chat.active_loop() is None


@pytest.mark.parametrize(
    "finding, typed",
    [
        ("drainage", "yes, some yellowish stuff oozes out of it"),
        ("infection", "the skin round it looks angry and hot"),
        ("neuro_symptoms", "he has started dragging one foot when he walks"),
    ],
)
def test_each_urgent_sign_typed_gets_urgent_advice(rasa_server, finding, typed):
    chat = Conversation(rasa_server, f"urgent-typed-{finding}")
    chat.start_simple_baby_screening()
    advice = chat.say(typed)
    result, red_flags = chat.outcome()
    assert result == "urgent" and finding in red_flags
    assert "today" in advice and chat.active_loop() is None


def _referral_by_button(finding: str) -> dict:
    """Button answers that report `finding` and nothing else."""
    if finding in PATTERN_FOR:
        return {"dimple_pattern": f'/inform{{"dimple_pattern": "{PATTERN_FOR[finding]}"}}'}
    answers = {GROUP_OF[finding]: "/affirm", "signs_which": _pick(finding)}
    return answers


@pytest.mark.parametrize("finding", REFERRAL_FINDINGS)
def test_each_referral_sign_by_button_is_referred_within_six_questions(rasa_server, finding):
    chat = Conversation(rasa_server, f"refer-button-{finding}")
    chat.say("/start_screening")
    answers = {**SIMPLE_BABY, **_referral_by_button(finding)}
    for _ in range(MOST_QUESTIONS + 2):
        if not chat.active_loop() or chat.slots()["requested_slot"] == "screening_more":
            break
        chat.say(answers.get(chat.slots()["requested_slot"], "/deny"))
    text = conversation.texts(chat.turns[-1].replies)
    _count(f"{finding} by buttons, until the advice", chat.questions_until_advice())
    assert chat.questions_until_advice() <= MOST_QUESTIONS
    if finding == "cleft_abnormal":
        # The last group: nothing is left to offer, the advice comes at once.
        assert chat.outcome() == ("refer", [finding]) and "doctor" in text
        return
    assert "enough to recommend a doctor's visit" in text
    assert chat.last_buttons[1] == "Stop here"
    assert chat.last_buttons[0].startswith("Finish the summary for the doctor (")
    advice = chat.say('/inform{"screening_more": "stop"}')
    result, red_flags = chat.outcome()
    assert result == "refer" and red_flags[0] == finding
    assert "not asked" in advice and "Summary of your answers" in advice
    assert chat.active_loop() is None


@pytest.mark.parametrize(
    "typed, finishes",
    [
        ("continue", True),  # the classifier says stop
        ("more questions please", True),  # the classifier says stop
        ("keep going", True),  # the classifier says goodbye
        ("that's enough thanks", False),
    ],
)
def test_a_typed_reply_to_the_offer_is_read_by_its_words(rasa_server, typed, finishes):
    chat = Conversation(rasa_server, f"offer-typed-{uuid.uuid4().hex[:8]}")
    chat.say("/start_screening")
    answers = {**SIMPLE_BABY, **_referral_by_button("skin_tag")}
    while chat.active_loop() and chat.slots()["requested_slot"] != "screening_more":
        chat.say(answers.get(chat.slots()["requested_slot"], "/deny"))
    reply = chat.say(typed)
    if finishes:
        assert chat.active_loop() is not None
        assert chat.slots()["screening_more"] == "finish"
        assert chat.slots()["requested_slot"] in GROUP_OF.values()  # the next group
        reply += chat.answer_until_done(SIMPLE_BABY)
        assert "not asked" not in reply
        assert chat.outcome() == ("refer", ["skin_tag"])
    else:
        assert chat.active_loop() is None
        assert "not asked" in reply
        result, red_flags = chat.outcome()  # the signs not asked: not ruled out
        assert result == "refer" and red_flags[0] == "skin_tag"
    assert "doctor" in reply


@pytest.mark.parametrize(
    "finding, typed",
    [
        ("hair_tuft", "yes, a little patch of dark hairs"),
        ("skin_tag", "there is a tiny flap of skin next to it"),
        ("lump", "I can feel a squishy bump under it"),
        ("discoloration", "there is a purple blotch beside it"),
        ("deep", "I cannot see the bottom of it"),
        ("large", "it is bigger than a pea"),
        ("cleft_abnormal", "yes, the crease is crooked"),
        ("high", "it sits well above her bum crack, near the small of her back"),
        ("multiple", "there are two of them in the middle, one above the other"),
        ("off_midline", "it is off to the left a bit"),
    ],
)
def test_each_referral_sign_typed_is_referred_and_finishing_gives_the_full_summary(
    rasa_server, finding, typed
):
    chat = Conversation(rasa_server, f"refer-typed-{finding}")
    chat.say("/start_screening")
    chat.say(SIMPLE_BABY["subject"])
    where = GROUP_OF[finding] if finding not in PATTERN_FOR else "dimple_pattern"
    while chat.slots()["requested_slot"] != where:
        chat.say(SIMPLE_BABY.get(chat.slots()["requested_slot"], "/deny"))
    advice = chat.say(typed)  # once; then the buttons, "finish" and "none of these"
    advice += chat.answer_until_done(SIMPLE_BABY)
    assert chat.outcome() == ("refer", [finding])
    assert "doctor" in advice and "not asked" not in advice
    assert "screening_more" in chat.asked or finding == "cleft_abnormal"


def test_not_sure_on_a_group_asks_each_sign_and_rules_none_out(rasa_server):
    chat = Conversation(rasa_server, "group-unsure")
    chat.start_simple_baby_screening()
    chat.say("/deny")  # urgent signs
    chat.say("/dont_know")  # marks: not sure
    slots = chat.slots()
    assert all(slots[n] is None for n in ("hair_tuft", "skin_tag", "lump", "discoloration"))
    assert slots["requested_slot"] == "hair_tuft"
    chat.answer_until_done(SIMPLE_BABY)
    assert chat.asked[3:8] == ["signs_marks", "hair_tuft", "skin_tag", "lump", "discoloration"]
    assert chat.outcome() == ("reassure", [])


def test_not_sure_which_asks_each_sign_of_the_group(rasa_server):
    chat = Conversation(rasa_server, "which-unsure")
    chat.start_simple_baby_screening()
    chat.say("/deny")  # urgent signs
    chat.say("/affirm")  # marks: yes, one or more
    assert "Not sure which" in chat.last_buttons and "Hair" in chat.last_buttons
    chat.say("/dont_know")
    assert chat.slots()["requested_slot"] == "hair_tuft"
    chat.answer_until_done({**SIMPLE_BABY, "lump": "/affirm"})
    assert chat.outcome() == ("refer", ["lump"])


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
    chat.say("/deny")  # the urgent signs
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
    chat.answer_until_done(SIMPLE_BABY)
    assert (
        "hair_tuft" not in chat.asked
        and "subject" not in chat.asked
        and "age_months" not in chat.asked
    )
    assert chat.outcome() == ("refer", ["hair_tuft"])


def test_negation_aware_free_text_answer(rasa_server):
    chat = Conversation(rasa_server, "negation")
    chat.say("/start_screening")
    answers = {**SIMPLE_BABY, "signs_marks": "no hair or marks, but there's a little skin tag"}
    chat.answer_until_done(answers)
    slots = chat.slots()
    assert (slots["hair_tuft"], slots["skin_tag"], slots["discoloration"]) == ("no", "yes", "no")
    assert "skin_tag" not in chat.asked and "discoloration" not in chat.asked
    assert slots["lump"] == "no"  # the one the message left open was asked, not assumed
    assert chat.outcome() == ("refer", ["skin_tag"])


def test_dont_know_counts_as_not_ruled_out_and_the_advice_says_so(rasa_server):
    chat = Conversation(rasa_server, "unsure")
    chat.say("/start_screening")
    advice = chat.answer_until_done(
        {**SIMPLE_BABY, "signs_dimple": "/dont_know", "deep": "I honestly can't tell"}
    )
    assert chat.outcome() == ("refer", ["unsure"])
    assert "You were not sure about" in advice and "deep" in advice


def test_faq_question_mid_screening_is_answered_then_the_question_repeats(rasa_server):
    chat = Conversation(rasa_server, "faq-mid")
    chat.start_simple_baby_screening()
    reply = chat.say("what is a tethered spinal cord?")
    assert "tether" in reply.lower()
    assert "Fluid, pus or other discharge" in reply  # the open question again
    assert chat.slots()["requested_slot"] == "signs_urgent"
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
    chat.answer_until_done({**SIMPLE_BABY, "signs_marks": "/affirm", "signs_which": _pick("lump")})
    assert chat.outcome() == ("refer", ["lump"])
    reply = chat.say("can you check my baby's dimple again")
    assert "Who has the dimple?" in reply or "Where is it?" in reply
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
    chat.answer_until_done({**SIMPLE_BABY, "signs_marks": "hair, just a wisp"})
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
