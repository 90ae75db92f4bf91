"""The person's own case, over HTTP: who decides about urgent advice, and descriptions.

Through the real Rasa server and action server (one of each for the whole file),
one conversation per row with a fresh sender id:

- statements that deny, question or generalise an urgent sign never get urgent advice;
- statements of a present urgent sign always do, at the opening, mid-screening and mid-FAQ;
- a sign in words the extractor does not know gets one confirming question first;
- a parent's description of a dimple starts the screening, says back what it understood
  and asks only what is still open;
- a question about dimples in general still gets an FAQ answer.

The statements are written unlike the training examples in data/nlu/ (checked below).
"""

import itertools
from typing import Dict, List, Optional

import pytest

from scripts.conversation import buttons, texts
from scripts.processes import RasaServer
from tests.test_faq_e2e import TRAINING_EXAMPLES

pytestmark = pytest.mark.server

URGENT_ADVICE = "medical care today"  # the head of the urgent advice (screening/advice.py)
CONFIRM = "Is this happening now"  # utter_ask_urgent_confirmation
NOTED = "I've noted:"
FIRST_QUESTIONS = ("Who has the dimple?", "How old is your", "Where is it?")

_ids = itertools.count()


class Chat:
    """One conversation: what the person sends, what the bot says back."""

    def __init__(self, server: RasaServer, name: str):
        self.server = server
        self.id = f"own-{name}-{next(_ids)}"
        self.replies: List[str] = []
        self.last_buttons: List[str] = []

    def say(self, text: str) -> str:
        replies = self.server.send(self.id, text)
        self.last_buttons = buttons(replies)
        self.replies.append(texts(replies))
        return self.replies[-1]

    def tracker(self) -> Dict:
        return self.server.tracker(self.id)

    def transcript(self) -> str:
        return "\n".join(f"BOT: {reply}" for reply in self.replies)


def open_screening(chat: Chat) -> None:
    """Mid-screening: a baby, one dimple in the middle; the urgent signs' list comes next."""
    chat.say("/start_screening")
    chat.say('/inform{"subject": "baby"}')
    chat.say('/inform{"dimple_pattern": "one_midline"}')


def open_faq(chat: Chat) -> None:
    assert "Venus" in chat.say("what are back dimples?")


CONTEXTS = {"opening": lambda chat: None, "mid-FAQ": open_faq, "mid-screening": open_screening}


def in_context(rows: List[str]) -> List[tuple]:
    """Spread the rows over the three places a message can come."""
    names = list(CONTEXTS)
    return [(names[index % 3], text) for index, text in enumerate(rows)]


# --- denied, questioned or generalised: never urgent advice --------------------

NOT_URGENT = [
    # denied
    "it isn't weeping and the skin isn't red, but I can see some hair",
    "there's no fluid or pus, it's completely dry",
    "nothing is coming out of it and it doesn't smell",
    "she has no fever and the area isn't warm",
    "the skin around it looks normal, not red or puffy",
    "he walks and runs fine, no problems with his legs",
    "her wees and poos are completely normal",
    "no swelling, no heat, no oozing",
    "he's feeding well and hasn't had a temperature",
    "there's never been any discharge from it",
    "it doesn't leak at all",
    "no redness whatsoever",
    "I checked and it's clean and dry, nothing weeping",
    "his nappies are as wet as usual",
    "she's kicking both legs like normal",
    "no bleeding, no crust, nothing",
    "she is not floppy at all, very alert and feeding",
    "no, it's not inflamed",
    "there's no sign of infection around it",
    "no leaking, no redness, no fever, legs fine",
    "nope, no pus or anything",
    "he's weeing normally and his legs are strong",
    "it's not oozing and not hot to touch",
    "there is no discharge and no smell",
    "she doesn't have a temperature",
    "his skin there isn't swollen",
    "everything's dry, no weeping at all",
    "she moves her legs perfectly well",
    "the area isn't sore or tender",
    "no trouble peeing or pooing",
    "i haven't seen any fluid",
    # questioned
    "can a sacral dimple get infected?",
    "what does it mean if a dimple starts leaking?",
    "is fluid coming from a dimple an emergency?",
    "how would I know if the dimple was infected?",
    "could a dimple cause leg weakness later on?",
    "why would a dimple ooze pus?",
    "is a fever linked to sacral dimples?",
    "what should I look out for, like swelling or discharge?",
    "when is redness around a dimple serious?",
    "can tethered cord cause bladder problems?",
    "do dimples ever bleed?",
    "if it swells up, what do I do?",
    "would a dimple make a baby's legs floppy?",
    "is it bad if a dimple smells?",
    "can a dimple that leaks be dangerous?",
    "do red dimples always mean infection?",
    "in case it ever starts oozing, who do I call?",
    "hypothetically, if it leaked, would that be bad?",
    "supposing she got a fever, should I bring her in?",
    # read, heard or told in general
    "I read online that leaking dimples need urgent care",
    "the midwife told us to watch for redness or swelling",
    "the leaflet says to look out for fluid coming from it",
    "apparently pus from a dimple means infection",
    "my doctor said to come back if she gets a fever",
    "we were told to check for any weeping",
    "the nurse said to call if he has trouble with his wee",
    "I've heard that some dimples can get infected",
    "google says a red dimple can be a sign of infection",
    "I'm worried it might get infected",
    # relatives named in a question (once answered "Please get medical care today")
    "my mum and my sister both have back dimples, is it inherited?",
    "are back dimples genetic? my dad and brother have them",
]


@pytest.mark.parametrize("context, text", in_context(NOT_URGENT))
def test_a_denied_asked_or_general_urgent_sign_never_gets_urgent_advice(rasa_server, context, text):
    chat = Chat(rasa_server, "calm")
    CONTEXTS[context](chat)
    reply = chat.say(text)
    assert URGENT_ADVICE not in reply, chat.transcript()
    assert CONFIRM not in reply, chat.transcript()  # the extractor knows these words
    assert chat.tracker()["slots"]["screening_result"] != "urgent"


# --- a present urgent sign: always urgent advice -------------------------------

URGENT = [
    "there's yellowish gunk coming out of the little hole",
    "the dimple has been weeping since this morning",
    "I noticed some clear liquid seeping from it",
    "it's been bleeding a bit on and off",
    "there's a crusty discharge round it",
    "the hole smells bad and is moist",
    "some pus came out when I cleaned it",
    "the skin around it has gone red and puffy",
    "the dimple area feels hot and looks swollen",
    "it looks inflamed and angry today",
    "she's been running a temperature of 38.5 since last night",
    "he feels really hot and the dimple is swollen",
    "there's a red, tender lump right over the dimple",
    "my baby is feverish and not feeding",
    "her bottom is swollen around the dimple and warm",
    "she's started favouring one leg",
    "he's favouring his left leg since yesterday",
    "my baby hasn't done a wee in 12 hours",
    "he can't seem to stand up on his legs anymore",
    "my toddler won't put weight on his right leg",
    "she has no control over her poo anymore",
    "she went stiff and jerked for a minute",
    "my son has suddenly started limping",
    "she keeps falling over, which she never used to",
    "his legs have gone all wobbly",
    "she's been dribbling wee constantly since Tuesday",
    "he's wetting himself again even though he was potty trained",
    "her feet seem numb, she doesn't react when I tickle them",
    "he's dragging one foot when he walks",
    "my daughter says her legs feel tingly and weird",
    "he hasn't had a wet nappy since breakfast",
    "she is struggling to poo and it's new",
    "my son can't hold his wee anymore",
    "my baby is really floppy and sleepy",
    "she's breathing strangely and won't wake up",
    "he had a seizure an hour ago",
    "my baby's lips look blue",
    "he's gone limp",
    "she's really hard to wake this morning",
    "my child is walking on tiptoes all of a sudden",
    "my 3 year old has stopped walking",
    "he keeps tripping over his feet since last week",
    "there's blood on the nappy from the dimple",
    "the dimple has a yellow head on it and leaks",
    "there's green stuff in the dimple",
    "it's oozing a little when I press it",
    "her sacral dimple looks infected",
    "the spot over his tailbone is red hot",
    "I think it's leaking",
    "he's not moving his legs as much as usual",
    "his legs seem weaker than last week",
    "she's lost feeling in her legs",
    "he's peeing much less than normal",
    "my baby has a high fever",
    "he's poorly with a temperature and the dimple is pink and puffy",
    "the dimple is discharging",
    "fluid keeps coming out of the dimple",
    "my newborn has a dimple that is oozing",
    "she seems unusually drowsy and floppy",
    "her leg keeps giving way",
    "he has started to wobble when he stands",
    "she's stopped using her left leg",
    "my baby's nappy has been dry all day",
    "he hasn't pooed for a week and screams when he tries",
]


@pytest.mark.parametrize("context, text", in_context(URGENT))
def test_a_present_urgent_sign_always_gets_urgent_advice(rasa_server, context, text):
    chat = Chat(rasa_server, "urgent")
    CONTEXTS[context](chat)
    reply = chat.say(text)
    assert URGENT_ADVICE in reply and "emergency number" in reply, chat.transcript()
    tracker = chat.tracker()
    assert tracker["slots"]["screening_result"] == "urgent"
    assert not (tracker.get("active_loop") or {}).get("name"), "the screening must end"


# --- words the extractor does not know: one confirming question ----------------

# The classifier reads these as urgent reports; the extractor finds no sign in them.
UNKNOWN_WORDING = "something is really wrong with her, she's just not herself since last night"


def test_an_urgent_report_in_unknown_words_is_confirmed_before_advising(rasa_server):
    chat = Chat(rasa_server, "unknown-yes")
    reply = chat.say(UNKNOWN_WORDING)
    assert CONFIRM in reply and URGENT_ADVICE not in reply, chat.transcript()
    assert chat.last_buttons == ["Yes", "No", "Not sure"]
    assert URGENT_ADVICE in chat.say("/affirm")
    assert chat.tracker()["slots"]["screening_result"] == "urgent"


@pytest.mark.parametrize("reply", ["/dont_know", "not sure"])
def test_not_sure_to_the_confirming_question_gets_urgent_advice(rasa_server, reply):
    chat = Chat(rasa_server, "unknown-unsure")
    assert CONFIRM in chat.say(UNKNOWN_WORDING), chat.transcript()
    assert URGENT_ADVICE in chat.say(reply), chat.transcript()


@pytest.mark.parametrize("reply", ["/deny", "no"])
def test_no_to_the_confirming_question_carries_on_outside_a_screening(rasa_server, reply):
    chat = Chat(rasa_server, "unknown-no")
    open_faq(chat)
    assert CONFIRM in chat.say(UNKNOWN_WORDING), chat.transcript()
    answer = chat.say(reply)
    assert URGENT_ADVICE not in answer and "anything else" in answer, chat.transcript()
    assert chat.tracker()["slots"]["screening_result"] is None
    assert "Venus" in chat.say("what are back dimples?")  # FAQ chat goes on


@pytest.mark.parametrize("reply", ["/deny", "no"])
def test_no_to_the_confirming_question_mid_screening_asks_the_open_question_again(
    rasa_server, reply
):
    chat = Chat(rasa_server, "unknown-mid")
    open_screening(chat)
    before = chat.tracker()["slots"]["requested_slot"]
    assert CONFIRM in chat.say(UNKNOWN_WORDING), chat.transcript()
    answer = chat.say(reply)
    assert URGENT_ADVICE not in answer and "carry on" in answer, chat.transcript()
    tracker = chat.tracker()
    assert tracker["active_loop"]["name"] == "screening_form"
    # "no" answered the confirming question, not the screening's open question
    assert tracker["slots"]["requested_slot"] == before
    assert tracker["slots"][before] is None


def test_yes_to_the_confirming_question_mid_screening_ends_it_with_urgent_advice(rasa_server):
    chat = Chat(rasa_server, "unknown-mid-yes")
    open_screening(chat)
    chat.say("/deny")  # none of the urgent signs on the list
    assert CONFIRM in chat.say(UNKNOWN_WORDING), chat.transcript()
    # "yes" is not the open question's answer (the skin marks)
    assert chat.tracker()["slots"]["signs_marks"] is None
    assert URGENT_ADVICE in chat.say("yes")
    tracker = chat.tracker()
    assert tracker["slots"]["screening_result"] == "urgent"
    assert tracker["slots"]["drainage"] == "no"  # earlier answers are kept
    assert not (tracker.get("active_loop") or {}).get("name")


def test_a_description_in_reply_to_the_confirming_question_is_not_taken_as_no(rasa_server):
    chat = Chat(rasa_server, "unknown-describe")
    assert CONFIRM in chat.say(UNKNOWN_WORDING), chat.transcript()
    assert URGENT_ADVICE in chat.say("the dimple looks quite deep"), chat.transcript()


# --- a description starts the screening ----------------------------------------

Y, N, U = "yes", "no", "unsure"
ONE = "one_midline"

# (description, the slots it must fill); slots not named may be filled or not.
DESCRIPTIONS = [
    (
        "my daughter has a dimple with a few hairs in it, low down in the middle",
        {"subject": "child", "hair_tuft": Y, "high": N, "dimple_pattern": ONE},
    ),
    ("the dent above his bum crack is quite deep", {"deep": Y}),
    ("It's tiny and shallow, and you can see the bottom of it", {"large": N, "deep": N}),
    ("There's a small birthmark right next to it", {"discoloration": Y}),
    (
        "my 6 week old son has a little pit at the top of his bottom crease, no hair",
        {"subject": "baby", "hair_tuft": N, "high": N},
    ),
    (
        "we spotted a dimple on our 2 month old, it's really deep and I can't see the bottom",
        {"subject": "baby", "age_months": 2.0, "deep": Y},
    ),
    ("a small dimple just above her buttocks, nothing else there", {"large": N, "high": N}),
    ("He has a hole at the base of his spine with a tuft of dark hair", {"hair_tuft": Y}),
    ("there's a tiny skin tag beside the dimple", {"skin_tag": Y}),
    ("there's a soft lump under the skin just above it", {"lump": Y}),
    (
        "my newborn has a dimple that sits quite high, well above the crease",
        {"subject": "baby", "high": Y},
    ),
    ("the dimple is about 3mm wide", {"large": N}),
    ("it's roughly 1 cm across", {"large": Y}),
    ("her bum crack looks a bit crooked and there's a dimple at the top", {"cleft_abnormal": Y}),
    (
        "he has two little dimples in the middle, one above the other",
        {"multiple": Y, "dimple_pattern": "several_midline"},
    ),
    (
        "the dimple is off to the left side of the spine",
        {"off_midline": Y, "dimple_pattern": "off_side"},
    ),
    ("there's a purple mark around the dimple", {"discoloration": Y}),
    (
        "only one dimple, right in the middle, and it's shallow",
        {"multiple": N, "off_midline": N, "deep": N, "dimple_pattern": ONE},
    ),
    (
        "my baby girl, 10 days old, has a dent above her nappy line with some fuzz",
        {"subject": "baby", "hair_tuft": Y},
    ),
    ("it's a big dimple, bigger than a pea", {"large": Y}),
    (
        "My son is 3 and has a sacral dimple, no hair, no marks, no lumps",
        {"subject": "child", "age_months": 36.0, "hair_tuft": N, "discoloration": N, "lump": N},
    ),
    ("there's a dimple with a red birthmark on it", {"discoloration": Y}),
    ("the hole is pretty wide and you can't see where it ends", {"large": Y, "deep": Y}),
    ("she has a dimple with a little hair and a lump next to it", {"hair_tuft": Y, "lump": Y}),
    ("It is a pinprick dimple just inside the bum crack", {"large": N, "high": N}),
    (
        "my 4 month old's dimple looks like a tiny hole, very deep",
        {"subject": "baby", "age_months": 4.0, "deep": Y},
    ),
    (
        "our baby has a dimple low on his back, it's flat and small",
        {"subject": "baby", "high": N, "deep": N},
    ),
    (
        "found a little dent on my grandson just above his bottom, no hair or tags",
        {"high": N, "hair_tuft": N, "skin_tag": N},
    ),
    ("the top of her crease splits into two", {"cleft_abnormal": Y}),
    ("I have a dimple at the bottom of my spine, it's deep", {"subject": "self", "deep": Y}),
    ("there's a patch of hair over his tailbone", {"hair_tuft": Y}),
    ("a pale patch of skin surrounds the dimple", {"discoloration": Y}),
    ("there's a small bump next to her dimple", {"lump": Y}),
    ("she's 3 weeks and has a dimple in her bum crack", {"subject": "baby", "high": N}),
    (
        "Hi, my baby has a dimple near his bottom with a few hairs sticking out",
        {"subject": "baby", "hair_tuft": Y},
    ),
    ("the dimple is wider than a pencil eraser", {"large": Y}),
    ("he's got a hole right on the tailbone, you can see the bottom", {"deep": N}),
    ("It's a shallow dent, about the size of a grain of rice", {"deep": N, "large": N}),
    ("my little one has a dimple that's off centre, slightly to the right", {"off_midline": Y}),
    ("The dimple is higher up than I'd expect, more on the lower back", {"high": Y}),
    (
        "there's a dimple and a skin flap above my daughter's bum",
        {"subject": "child", "skin_tag": Y},
    ),
    ("a dark brown mark with a dimple in the middle of it", {"discoloration": Y}),
    (
        "my 8 month old has a dimple with a bit of hair, it's deep too",
        {"subject": "baby", "age_months": 8.0, "hair_tuft": Y, "deep": Y},
    ),
    (
        "he was born with a small dimple low down, no hair, no tag, it's shallow",
        {"large": N, "high": N, "hair_tuft": N, "skin_tag": N, "deep": N},
    ),
    ("she has 3 dimples down her spine", {"multiple": Y}),
    ("Her dimple has a bluish colour around it", {"discoloration": Y}),
    ("my son's dimple is about 6mm and quite deep", {"deep": Y, "large": Y}),
    ("my baby's dimple is tiny, smaller than a grain of rice", {"subject": "baby", "large": N}),
    ("there's a little tail of skin sticking out near the dimple", {"skin_tag": Y}),
    ("there's a strawberry mark just above his dimple", {"discoloration": Y}),
    (
        "my newborn has a deep pit just above her bum, the midwife said to check it",
        {"subject": "baby", "deep": Y},
    ),
    ("the dimple sits right in the crease, very low, and is small", {"high": N}),
    ("a fluffy patch of hair over the lower spine and a little dip in it", {"hair_tuft": Y}),
    (
        "my 2 year old has a dimple at the top of her bum, the crease bends to one side",
        {"subject": "child", "age_months": 24.0, "cleft_abnormal": Y},
    ),
    ("we think the dimple is deep but we're not sure", {"deep": Y}),
    ("not sure if it's deep, it's small though", {"deep": U, "large": N}),
    ("i can't tell if there's hair, it's a small one", {"hair_tuft": U}),
    (
        "our 5 week old has a dimple just inside her bottom crease, no marks",
        {"subject": "baby", "high": N, "discoloration": N},
    ),
    ("baby has a dimple, quite big, about the size of a fingertip", {"large": Y}),
    ("there's a lump and a mark next to my son's dimple", {"lump": Y, "discoloration": Y}),
    (
        "my 11 month old has a dent at the base of her spine, it's shallow and small",
        {"subject": "baby", "age_months": 11.0, "deep": N},
    ),
]
# Every sixth description is answered to the end: no stated finding is asked again.
FOLLOWED_TO_THE_END = set(range(0, len(DESCRIPTIONS), 6))


@pytest.mark.parametrize("index", range(len(DESCRIPTIONS)))
def test_a_description_starts_the_screening_with_what_it_said(rasa_server, index):
    text, stated = DESCRIPTIONS[index]
    chat = Chat(rasa_server, "describe")
    reply = chat.say(text)
    assert NOTED in reply, chat.transcript()
    assert URGENT_ADVICE not in reply
    tracker = chat.tracker()
    assert (tracker.get("active_loop") or {}).get("name") == "screening_form", chat.transcript()
    slots = tracker["slots"]
    for name, value in stated.items():
        assert slots[name] == value, f"{text!r}: {name}={slots[name]!r}, wanted {value!r}"
    asked = [slots["requested_slot"]]
    assert asked[0] not in stated, f"{text!r}: asked about {asked[0]} again"
    if index in FOLLOWED_TO_THE_END:
        for _ in range(20):
            if not (chat.tracker().get("active_loop") or {}).get("name"):
                break
            chat.say(
                "/deny"
                if asked[-1] not in ("subject", "dimple_pattern", "screening_more")
                else {
                    "subject": '/inform{"subject": "baby"}',
                    "dimple_pattern": '/inform{"dimple_pattern": "one_midline"}',
                    "screening_more": '/inform{"screening_more": "finish"}',
                }[asked[-1]]
            )
            requested = chat.tracker()["slots"]["requested_slot"]
            if requested:
                asked.append(requested)
        assert not set(asked) & set(stated), f"{text!r}: asked again {set(asked) & set(stated)}"
        assert chat.tracker()["slots"]["screening_result"] in ("refer", "reassure")


# --- a question about dimples in general: an FAQ answer ------------------------

GENERAL_QUESTIONS = [
    "can hairy dimples mean spina bifida?",
    "are deep sacral dimples a worry?",
    "do back dimples run in families?",
    "is a dimple near the tailbone common in newborns?",
    "what kind of scan checks a dimple at the base of the spine?",
    "what is occult spinal dysraphism?",
    "how common are sacral dimples?",
    "why do some people have dimples on their lower back?",
    "can you get back dimples from losing weight?",
    "are venus dimples the same thing as a sacral dimple?",
    "what does a tethered cord do to a child?",
    "when does a sacral dimple need an ultrasound?",
    "is a dimple with a skin tag more serious?",
    "which dimples should a doctor look at?",
    "what is the medical word for dimples above the bum?",
    "are back dimples a sign of anything wrong?",
    "do men get back dimples too?",
    "where exactly do dimples of venus sit?",
    "why are they named after venus?",
    "can squats give me back dimples?",
    "is a sacral dimple the same as spina bifida?",
    "what signs near a dimple mean it should be checked?",
    "how do doctors test for a tethered spinal cord?",
    "is it possible to develop back dimples as an adult?",
    "do back dimples disappear if you gain weight?",
    "what makes back dimples form?",
    "should every baby with a sacral dimple see a doctor?",
    "are dimples of apollo harmful?",
    "what is spina bifida occulta and is it serious?",
    "how rare are back dimples?",
    "does a sacral dimple need treatment?",
]


def _last_bot_action(tracker: Dict) -> Optional[str]:
    names = [e.get("name") for e in tracker["events"] if e.get("event") == "action"]
    names = [n for n in names if n not in ("action_listen", "action_extract_slots")]
    return names[-1] if names else None


_FAQ_ANSWERED: List[str] = []
_FAQ_OFFERED: List[str] = []
# Not an answer, but not a wrong one either: the classifier was unsure and asks.
ASKS_TO_REPHRASE = ("utter_ask_rephrase", "action_default_fallback")
# "Did you mean ...?" with the likeliest FAQ topics as buttons (understanding/choice.py).
OFFERS_TOPICS = "action_ask_faq_topic"


@pytest.mark.parametrize("text", GENERAL_QUESTIONS)
def test_a_general_question_about_dimples_gets_an_faq_answer(rasa_server, text):
    # Which topic answers is the NLU's part (tests/test_faq_e2e.py); here: an FAQ
    # answer, "Did you mean ...?" or a request to rephrase, and never the screening
    # or urgent advice.
    chat = Chat(rasa_server, "general")
    reply = chat.say(text)
    tracker = chat.tracker()
    assert NOTED not in reply and not any(q in reply for q in FIRST_QUESTIONS), reply
    assert URGENT_ADVICE not in reply and CONFIRM not in reply, reply
    assert not (tracker.get("active_loop") or {}).get("name")
    action = _last_bot_action(tracker)
    assert action in ("utter_faq", OFFERS_TOPICS, *ASKS_TO_REPHRASE), (text, action)
    if action == "utter_faq":
        _FAQ_ANSWERED.append(text)
    elif action == OFFERS_TOPICS:
        _FAQ_OFFERED.append(text)


def test_record_how_many_general_questions_got_an_faq_answer(record_figure):
    # Runs after the table above (pytest keeps the file's order).
    record_figure(
        f"general dimple questions answered by an FAQ: {len(_FAQ_ANSWERED)}"
        f"/{len(GENERAL_QUESTIONS)}, offered FAQ topics ('Did you mean'): {len(_FAQ_OFFERED)}"
        f" (the rest asked to rephrase)"
    )


def test_the_statements_are_not_training_examples():
    rows = NOT_URGENT + URGENT + [t for t, _ in DESCRIPTIONS] + GENERAL_QUESTIONS
    assert len(NOT_URGENT) >= 60 and len(URGENT) >= 60 and len(DESCRIPTIONS) >= 60
    assert len(GENERAL_QUESTIONS) >= 30
    assert not [row for row in rows if row.lower() in TRAINING_EXAMPLES]
    assert len(set(rows)) == len(rows), "a statement is listed twice"
