"""Table tests for screening.extraction: what a free-text message says about a dimple.

Each row names the findings that matter for it, present AND absent: a negated sign must
come back as NO (not be missing), a sign the message does not mention must be missing
(ABSENT), and no finding a row does not name may come back YES or UNSURE - so a row fails
both on a missed red flag and on an invented one.
"""

import dataclasses
import time
from typing import Any, List

import pytest

from screening.extraction import Extraction, extract, is_urgent
from screening.findings import EMERGENCY, FINDINGS, PATTERNS, SUBJECTS, Answer

Y, N, U = Answer.YES, Answer.NO, Answer.UNSURE
ABSENT = "absent"  # the finding must not be in `findings` at all


def check_findings(text, expected):
    result = extract(text)
    got = dict(result.findings)
    for key, want in expected.items():
        if want == ABSENT:
            assert key not in got, f"{text!r}: {key} should be absent, got {got}"
        else:
            assert got.get(key) == want, f"{text!r}: {key} expected {want}, got {got}"
    # Nothing the row does not name may come back present or unsure: no invented red flags.
    invented = {k: v for k, v in got.items() if k not in expected and v != N}
    assert not invented, f"{text!r}: unexpected {invented}"
    return result


# ---------------------------------------------------------------------------
# The examples the brief says MUST work
# ---------------------------------------------------------------------------

MUST = [
    (
        "no hair or marks, but there's a little skin tag",
        {"skin_tag": Y, "hair_tuft": N, "discoloration": N},
    ),
    ("It doesn't leak and isn't red", {"drainage": N, "discoloration": N, "infection": ABSENT}),
    ("nothing leaking, no redness", {"drainage": N, "infection": N}),
    ("My son has a tuft of hair on his dimple, is that bad?", {"hair_tuft": Y}),
    ("I can't see the bottom", {"deep": Y}),
    ("no hair, tags or marks", {"hair_tuft": N, "skin_tag": N, "discoloration": N}),
]


@pytest.mark.parametrize("text,expected", MUST)
def test_brief_examples(text, expected):
    check_findings(text, expected)


# ---------------------------------------------------------------------------
# One finding at a time: every red flag, present / absent / unsure
# ---------------------------------------------------------------------------

FINDING_ROWS = [
    # hair_tuft
    ("there's a little tuft of hair over the dimple", {"hair_tuft": Y}),
    ("a hairy patch just above her bum crack", {"hair_tuft": Y}),
    ("some fuzz around it", {"hair_tuft": Y}),
    ("I can see a few hairs coming out of it", {"hair_tuft": Y}),
    ("theres a bit of hiar in it", {"hair_tuft": Y}),
    ("small tuf of hair", {"hair_tuft": Y}),
    ("THERE IS HAIR GROWING OUT OF IT", {"hair_tuft": Y}),
    ("no hair at all", {"hair_tuft": N}),
    ("I don't see any hair", {"hair_tuft": N}),
    ("he has a full head of hair, the dimple itself is bare", {"hair_tuft": ABSENT}),
    # skin_tag
    ("there's a skin tag right next to it", {"skin_tag": Y}),
    ("a tiny skintag", {"skin_tag": Y}),
    ("a little flap of skin sticking out", {"skin_tag": Y}),
    ("it looks like a little tail", {"skin_tag": Y}),
    ("no skin tags or growths", {"skin_tag": N}),
    ("the dimple is on her tail bone", {"skin_tag": ABSENT}),
    # lump
    ("there's a soft lump under it", {"lump": Y}),
    ("a squishy bump above the dimple", {"lump": Y}),
    ("like a fatty lump under the skin", {"lump": Y}),
    ("I can feel a swelling under the skin there", {"lump": Y, "infection": ABSENT}),
    ("no lumps or bumps", {"lump": N}),
    # discoloration
    ("there's a red birthmark next to it", {"discoloration": Y}),
    ("a purple patch around the dimple", {"discoloration": Y}),
    ("a dark mark above it", {"discoloration": Y}),
    ("it looks like a port-wine stain", {"discoloration": Y}),
    ("the GP called it a strawberry mark", {"discoloration": Y}),
    ("a haemangioma", {"discoloration": Y}),
    ("there's a small hemangioma beside it", {"discoloration": Y}),
    ("the skin there is discoloured", {"discoloration": Y}),
    ("a bruise-like mark that never goes away", {"discoloration": Y}),
    ("it's red", {"discoloration": Y, "infection": ABSENT}),
    ("the skin is a bit reddish", {"discoloration": Y, "infection": ABSENT}),
    ("no birthmarks or discolouration", {"discoloration": N}),
    ("skin colour around it is normal, no marks", {"discoloration": N}),
    # deep
    ("it's really deep", {"deep": Y}),
    ("I cannot see the bottom of it", {"deep": Y}),
    ("it looks like a hole", {"deep": Y}),
    ("it goes in a long way", {"deep": Y}),
    ("I can see the bottom of it", {"deep": N}),
    ("it's shallow", {"deep": N}),
    ("just a little dent", {"deep": N}),
    ("not very deep", {"deep": N}),
    ("can't tell how deep it is", {"deep": U}),
    ("I don't know if it's deep", {"deep": U}),
    ("a deep red birthmark", {"deep": ABSENT, "discoloration": Y}),
    # large
    ("about 1 cm across", {"large": Y}),
    ("it's 8mm wide", {"large": Y}),
    ("bigger than a pea", {"large": Y}),
    ("bigger than a pencil eraser", {"large": Y}),
    ("it's quite a big dimple", {"large": Y}),
    ("a tiny dimple", {"large": N}),
    ("the dimple is small", {"large": N}),
    ("3 mm", {"large": N}),
    ("smaller than a pea", {"large": N}),
    ("no more than 3mm across", {"large": N}),
    ("there's a skin tag, it's tiny", {"skin_tag": Y, "large": ABSENT}),
    # high
    ("it's well above the crease", {"high": Y}),
    ("quite high up, on the lower back", {"high": Y}),
    ("it's up on her lower back", {"high": Y}),
    ("about 4 cm above his bottom", {"high": Y}),
    ("it's in the crease", {"high": N}),
    ("inside the bum crack", {"high": N}),
    ("just at the top of the crease", {"high": N}),
    ("low down, near his bottom", {"high": N}),
    ("it's about 1cm above the anus", {"high": N}),
    ("he has a high temperature", {"high": ABSENT, "infection": Y}),
    # cleft_abnormal
    ("his bum crease is split at the top", {"cleft_abnormal": Y}),
    ("the crease is forked, like a Y", {"cleft_abnormal": Y}),
    ("Y-shaped crease", {"cleft_abnormal": Y}),
    ("her bum crack is crooked", {"cleft_abnormal": Y, "off_midline": ABSENT}),
    ("the crease curves off to one side", {"cleft_abnormal": Y, "off_midline": ABSENT}),
    ("the cleft looks asymmetrical", {"cleft_abnormal": Y}),
    ("straight crease", {"cleft_abnormal": N}),
    ("the crease is straight and normal", {"cleft_abnormal": N}),
    # multiple
    ("two dimples in the middle, one above the other", {"multiple": Y}),
    ("there's more than one dimple", {"multiple": Y}),
    ("several dimples along his spine", {"multiple": Y}),
    ("I found another dimple lower down", {"multiple": Y}),
    # "2nd" is read as "2 nd": still a second dimple, but a 2nd child is not one.
    ("there's a 2nd dimple just above the first", {"multiple": Y}),
    ("she has a 3rd dimple", {"multiple": Y}),
    ("no 2nd dimple", {"multiple": N}),
    ("my 2nd baby has a dimple too", {"multiple": ABSENT}),
    ("two dimples, one on each side of the spine", {"multiple": ABSENT}),
    ("just one dimple", {"multiple": N}),
    # off_midline
    ("it's off to one side", {"off_midline": Y}),
    ("not in the middle", {"off_midline": Y}),
    ("slightly to the left of the crease", {"off_midline": Y}),
    ("right in the middle", {"off_midline": N}),
    ("it's in the midline", {"off_midline": N}),
    ("perfectly centred", {"off_midline": N}),
    # drainage
    ("there's fluid coming out", {"drainage": Y}),
    ("it's oozing pus", {"drainage": Y}),
    ("some puss came out", {"drainage": Y}),
    ("it's weeping and sticky", {"drainage": Y}),
    ("it smells and is a bit wet", {"drainage": Y}),
    ("a bit of discharge in his nappy area", {"drainage": Y}),
    ("it bled a little yesterday", {"drainage": Y}),
    ("it's leeking", {"drainage": Y}),
    ("no discharge or leaking", {"drainage": N}),
    ("it never leaks", {"drainage": N}),
    ("it's completely dry", {"drainage": N}),
    ("fewer wet nappies today", {"drainage": ABSENT, "neuro_symptoms": Y}),
    # infection
    ("it's red and swollen", {"infection": Y}),
    ("the area is hot and inflamed", {"infection": Y}),
    ("it looks infected", {"infection": Y}),
    ("red, warm and tender", {"infection": Y}),
    ("it looks angry", {"infection": Y}),
    ("he has a fever", {"infection": Y}),
    ("she's lethargic and not feeding well", {"infection": Y}),
    ("he has a temperature and seems very unwell", {"infection": Y}),
    ("no swelling", {"infection": N}),
    ("not swollen or warm", {"infection": N}),
    ("no fever", {"infection": ABSENT}),
    ("she's feeding fine", {"infection": ABSENT}),
    ("it's a bit sore", {"infection": U}),
    # neuro_symptoms
    ("his legs seem weak", {"neuro_symptoms": Y}),
    ("she's got numbness in her feet", {"neuro_symptoms": Y}),
    ("tingling in my legs", {"neuro_symptoms": Y}),
    ("he's started limping", {"neuro_symptoms": Y}),
    ("she walks differently now", {"neuro_symptoms": Y}),
    ("he's wetting himself again", {"neuro_symptoms": Y}),
    ("dribbling urine all the time", {"neuro_symptoms": Y}),
    ("he hasn't peed since this morning", {"neuro_symptoms": Y}),
    ("new severe constipation", {"neuro_symptoms": Y}),
    ("I can't control my bladder", {"neuro_symptoms": Y}),
    ("floppy legs", {"neuro_symptoms": Y, EMERGENCY: ABSENT}),
    ("he walks fine", {"neuro_symptoms": N}),
    ("her legs are normal", {"neuro_symptoms": N}),
    ("no problems peeing or pooing", {"neuro_symptoms": N}),
    ("he's 9 months and not walking yet", {"neuro_symptoms": ABSENT}),
    ("dribbling a lot, he's teething", {"neuro_symptoms": ABSENT}),
    # emergency
    ("she's not breathing properly", {EMERGENCY: Y}),
    ("his lips are blue", {EMERGENCY: Y}),
    ("he's having a seizure", {EMERGENCY: Y}),
    ("she had a fit", {EMERGENCY: Y}),
    ("my baby is floppy and won't wake up", {EMERGENCY: Y}),
    ("he's unresponsive", {EMERGENCY: Y}),
    ("he's breathing normally", {EMERGENCY: N}),
    ("he is fit and well", {EMERGENCY: ABSENT}),
]


@pytest.mark.parametrize("text,expected", FINDING_ROWS)
def test_each_finding(text, expected):
    check_findings(text, expected)


# ---------------------------------------------------------------------------
# Negation scope, hedges and uncertainty
# ---------------------------------------------------------------------------

SCOPE_ROWS = [
    ("no hair, no tag and no lump", {"hair_tuft": N, "skin_tag": N, "lump": N}),
    ("neither hair nor a skin tag", {"hair_tuft": N, "skin_tag": N}),
    ("there's no sign of hair or discharge", {"hair_tuft": N, "drainage": N}),
    ("free of hair and marks", {"hair_tuft": N, "discoloration": N}),
    ("not red or swollen", {"infection": N}),
    ("no hair and a skin tag", {"hair_tuft": N, "skin_tag": Y}),
    ("no hair, just a small tag", {"hair_tuft": N, "skin_tag": Y}),
    ("no hair but it's leaking", {"hair_tuft": N, "drainage": Y}),
    ("no hair though there is a tiny lump", {"hair_tuft": N, "lump": Y}),
    ("no hair; there's a birthmark", {"hair_tuft": N, "discoloration": Y}),
    ("no marks except a little skin tag", {"discoloration": N, "skin_tag": Y}),
    ("it doesn't have hair and it has a tag", {"hair_tuft": N, "skin_tag": Y}),
    ("there isn't any hair, it's got a lump though", {"hair_tuft": N, "lump": Y}),
    ("no hair. There is a lump.", {"hair_tuft": N, "lump": Y}),
    ("no hair, leaking a bit", {"hair_tuft": N, "drainage": Y}),
    ("I don't think there's any hair", {"hair_tuft": N}),
    ("it doesn't look infected", {"infection": N}),
    ("it doesn't seem to be leaking", {"drainage": N}),
    ("I haven't noticed any fluid or pus", {"drainage": N}),
    ("it's not just a dent", {"deep": Y}),
    ("it isn't shallow", {"deep": Y}),
    # hedged presence counts as present
    ("I think there's a bit of hair", {"hair_tuft": Y}),
    ("maybe a small tag", {"skin_tag": Y}),
    ("looks like some fluid", {"drainage": Y}),
    ("might be a lump", {"lump": Y}),
    ("possibly a bit red", {"discoloration": Y}),
    # hedged absence is not a firm no
    ("it might not be deep", {"deep": U}),
    # explicit uncertainty
    ("not sure if there's hair", {"hair_tuft": U}),
    ("I can't tell whether it's leaking", {"drainage": U}),
    ("I'm not sure if it's deep", {"deep": U}),
    ("no idea if that's a birthmark or a bruise", {"discoloration": U}),
    ("hard to tell if there's a lump", {"lump": U}),
    ("not sure about hair but there's definitely a tag", {"hair_tuft": U, "skin_tag": Y}),
    # a correction later on keeps the red flag
    ("no hair... actually wait, there's a tiny bit of hair", {"hair_tuft": Y}),
    # checklist style
    ("hair: no, tag: yes, lump - not sure", {"hair_tuft": N, "skin_tag": Y, "lump": U}),
    ("Any hair? No.", {"hair_tuft": N}),
    ("Is it deep? Not sure.", {"deep": U}),
]


@pytest.mark.parametrize("text,expected", SCOPE_ROWS)
def test_negation_scope_and_hedges(text, expected):
    check_findings(text, expected)


# ---------------------------------------------------------------------------
# Questions and hypotheticals go to asked_about, not findings
# ---------------------------------------------------------------------------

QUESTION_ROWS = [
    ("Is a tuft of hair a bad sign?", {}, {"hair_tuft"}),
    ("What if it starts leaking pus?", {}, {"drainage"}),
    ("does a hairy dimple mean spina bifida", {}, {"hair_tuft"}),
    ("Can a skin tag near the dimple be serious?", {}, {"skin_tag"}),
    ("should I worry if it gets red and swollen?", {}, {"infection"}),
    ("How deep is too deep?", {}, {"deep"}),
    ("If it ever leaks, should I go to A&E?", {}, {"drainage"}),
    ("Is it an emergency if he has a seizure?", {}, {EMERGENCY}),
    ("is a 2nd dimple worse?", {}, {"multiple"}),
    ("My son has a tuft of hair on his dimple, is that bad?", {"hair_tuft": Y}, set()),
    ("Is it bad that my baby has hair on her dimple?", {"hair_tuft": Y}, set()),
    ("Why is it leaking?", {"drainage": Y}, set()),
    ("It's leaking, what should I do?", {"drainage": Y}, set()),
    ("There's no hair, but is a lump a bad sign?", {"hair_tuft": N}, {"lump"}),
    ("she has a skin tag. Is hair worse than a tag?", {"skin_tag": Y}, {"hair_tuft"}),
    ("He has a dimple with hair?? is that normal", {"hair_tuft": Y}, set()),
]


@pytest.mark.parametrize("text,expected,asked", QUESTION_ROWS)
def test_questions_are_not_findings(text, expected, asked):
    result = extract(text)
    assert dict(result.findings) == expected, f"{text!r}: {result.findings}"
    assert set(result.asked_about) == asked, f"{text!r}: {result.asked_about}"


# ---------------------------------------------------------------------------
# Real messages: several findings at once
# ---------------------------------------------------------------------------

MESSAGE_ROWS = [
    (
        "My 3 week old son has a small dimple at the top of his bum crack, no hair or marks, "
        "but there's a little skin tag",
        {
            "skin_tag": Y,
            "hair_tuft": N,
            "discoloration": N,
            "high": N,
            "large": N,
            "drainage": ABSENT,
        },
    ),
    (
        "hi, my daughter (6 months) has a deep dimple with a tuft of hair and a red mark "
        "next to it",
        {"deep": Y, "hair_tuft": Y, "discoloration": Y, "infection": ABSENT},
    ),
    (
        "It's red, hot and swollen and there's yellow stuff coming out of it. He has a temperature",
        {"infection": Y, "drainage": Y},
    ),
    (
        "dimple is tiny and shallow, right in the middle, no hair, no tag, no discolouration",
        {
            "large": N,
            "deep": N,
            "off_midline": N,
            "hair_tuft": N,
            "skin_tag": N,
            "discoloration": N,
        },
    ),
    (
        "I'm 34 and just noticed a dimple at the top of my bum crack, it's been leaking and "
        "smells bad",
        {"drainage": Y},
    ),
    ("MY BABY HAS A HOLE ABOVE HER BUM AND YOU CANT SEE THE BOTTOM!!! 😭😭", {"deep": Y}),
    (
        "midwife said its a simple dimple, shallow, under 5mm, in the crease, nothing else",
        {"deep": N, "large": N, "high": N},
    ),
    (
        "he's 2 and has started tripping a lot and walking funny, the dimple has hair",
        {"neuro_symptoms": Y, "hair_tuft": Y},
    ),
    (
        "no fluid, not red, not swollen, no hair, but it's quite far above the crease and a bit "
        "off to the left",
        {"drainage": N, "infection": N, "hair_tuft": N, "high": Y, "off_midline": Y},
    ),
    ("there's a lump and hair and a birthmark", {"lump": Y, "hair_tuft": Y, "discoloration": Y}),
    (
        "Her crease is a bit wonky and there are two dimples in the midline",
        {"cleft_abnormal": Y, "multiple": Y},
    ),
    (
        "the dimple is not deep and you can see the base, no leaking whatsoever",
        {"deep": N, "drainage": N},
    ),
    ("baby is floppy and not breathing normally", {EMERGENCY: Y}),
    ("hes not peeing much and his legs look weak 😟", {"neuro_symptoms": Y}),
    (
        "tiny dimple in the crease, straight crease, walks fine, no probs with wee or poo",
        {"large": N, "high": N, "cleft_abnormal": N, "neuro_symptoms": N},
    ),
    ("hairy dimple, leaking, fever", {"hair_tuft": Y, "drainage": Y, "infection": Y}),
    ("It's NOT leaking and there's NO hair", {"drainage": N, "hair_tuft": N}),
    (
        "I'm worried because there's a dark patch and a bit of fuzz",
        {"discoloration": Y, "hair_tuft": Y},
    ),
    ("The colour is normal and it's dry.", {"discoloration": ABSENT, "drainage": N}),
    ("nope no hair lol", {"hair_tuft": N}),
]


# Phrasings that once read a present sign as absent (or invented one): kept as regressions.
SAFETY_ROWS = [
    (
        "There's no tuft of hair, no skin tag, no swelling, nothing leaking and no discolouration",
        {"hair_tuft": N, "skin_tag": N, "infection": N, "drainage": N, "discoloration": N},
    ),
    ("no one noticed the hair until now", {"hair_tuft": Y}),
    ("the GP didn't mention the lump", {"lump": Y}),
    ("It's not the hair that worries me, it's the leaking", {"hair_tuft": Y, "drainage": Y}),
    ("It never used to leak but now it does", {"drainage": Y}),
    ("It's not leaking now, though it did last week", {"drainage": Y}),
    ("it doesn't leak but it used to", {"drainage": Y}),
    ("not a lot of hair but some", {"hair_tuft": Y}),
    ("there's not much fluid, just a little", {"drainage": Y}),
    ("hardly any hair", {"hair_tuft": Y}),
    ("its not really red just pinkish", {"discoloration": Y}),
    ("no other marks", {"discoloration": N}),
    ("couldn't see any hair", {"hair_tuft": N}),
    (
        "There's a little pinprick hole with a hair coming out of it",
        {"hair_tuft": Y, "drainage": ABSENT},
    ),
    ("I'm worried it might be infected", {"infection": Y}),
    ("I don't think it's infected but it's a little red", {"infection": N, "discoloration": Y}),
    ("it's red but not swollen or warm", {"discoloration": Y, "infection": N}),
    ("no swelling, legs are fine", {"infection": N, "neuro_symptoms": N}),
    ("she doesn't seem to feel anything in her feet", {"neuro_symptoms": Y}),
    ("he doesn't pee as much", {"neuro_symptoms": Y}),
    ("baby is very sleepy and not interested in feeding", {"infection": Y}),
    ("we saw a tuft of hair on it yesterday", {"hair_tuft": Y}),
    ("It's not a big deal but there's some hair", {"hair_tuft": Y, "large": ABSENT}),
    ("it's 2cm above his bum hole", {"high": N}),
    ("over 2.5cm above his bottom", {"high": Y}),
    ("It's the size of a 5p", {"large": Y}),
    ("<b>no</b> <i>hair</i>", {"hair_tuft": N}),
    ("Hair? none. Leaking? yes", {"hair_tuft": N, "drainage": Y}),
    ("the crease is a bit skew-whiff", {"cleft_abnormal": Y}),
    # A wet nappy is wees; wet underwear near the dimple is a leak.
    ("his nappy is really wet", {"drainage": ABSENT}),
    ("my underwear is wet from the dimple", {"drainage": Y}),
    ("her knickers are always wet near the dimple", {"drainage": Y}),
    # "of fluid" was read as drinking talk ("plenty of fluids"): a missed leak
    ("a bit of fluid", {"drainage": Y}),
    ("i think there is a tiny bit of fluid in it", {"drainage": Y}),
    ("she is drinking plenty of fluids", {"drainage": ABSENT}),
    ("give him lots of fluids", {"drainage": ABSENT}),
    ("there's a bit of wetness in it", {"drainage": Y}),
    ("there's some moisture in it", {"drainage": Y}),
    ("his nappy is a bit damp", {"drainage": ABSENT}),
    ("a damp nappy this morning", {"drainage": ABSENT}),
]


@pytest.mark.parametrize("text,expected", SAFETY_ROWS)
def test_safety_regressions(text, expected):
    check_findings(text, expected)


TYPO_ROWS = [
    ("its sweeling", {"infection": Y}),
    ("it's leakng", {"drainage": Y}),
    ("some dischrage", {"drainage": Y}),
    ("a brithmark", {"discoloration": Y}),
    ("haemangeoma", {"discoloration": Y}),
    ("he had a seisure", {EMERGENCY: Y}),
    ("it's hariy", {"hair_tuft": Y}),
    ("skin tagg", {"skin_tag": Y}),
    ("swolen and infectd", {"infection": Y}),
    ("its very deeeeep", {"deep": Y}),
    ("the crese is crooked", {"cleft_abnormal": Y}),
    ("numbnes in her legs", {"neuro_symptoms": Y}),
    # real words one letter away from a red flag are not "corrected" into one
    ("my baby keeps sleeping", {"drainage": ABSENT}),
    ("he had his injection", {"infection": ABSENT}),
    ("it's a simple dimple", {"multiple": ABSENT}),
    ("fewer feeds than usual", {"infection": ABSENT}),
    ("we went cruising", {"discoloration": ABSENT}),
]


@pytest.mark.parametrize("text,expected", TYPO_ROWS)
def test_typos(text, expected):
    check_findings(text, expected)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("no weakness or numbness in his legs", {"neuro_symptoms": N}),
        ("not sore", {"infection": N}),
        ("it might not be sore", {"infection": U}),
        ("shallow? no", {"deep": Y}),
        ("shallow: not sure", {"deep": U}),
        ("I'm feeling a bit weak", {"neuro_symptoms": U}),
        ("his wee smells strong", {"drainage": ABSENT}),
        ("It was hot yesterday so he was sweaty", {"infection": ABSENT}),
    ],
)
def test_intrinsic_polarity(text, expected):
    check_findings(text, expected)


@pytest.mark.parametrize(
    "text,asked",
    [
        ("any chance it's infected?", {"infection"}),
        ("I read that hair can be a sign of spina bifida", {"hair_tuft"}),
        ("I was told to watch for redness or swelling", {"infection"}),
        ("the GP said to come back if it starts leaking", {"drainage"}),
    ],
)
def test_generic_or_hypothetical_mentions(text, asked):
    result = extract(text)
    assert result.findings == {}, result.findings
    assert set(result.asked_about) == asked


# Parents' own words for the urgent signs: each must come back YES (urgent advice).
PARENT_URGENT_ROWS = [
    # Hearsay about the person's own dimple is still a report (a professional may have
    # said so); only hearsay about dimples in general is not (NOT_URGENT_ROWS).
    ("apparently it is leaking", {"drainage": Y}),
    ("we have been told it is infected", {"infection": Y}),
    ("apparently the dimple is oozing pus", {"drainage": Y}),
    ("we've been told his dimple is weeping", {"drainage": Y}),
    ("she's started favouring one leg", {"neuro_symptoms": Y}),
    ("he's been favoring his left leg since yesterday", {"neuro_symptoms": Y}),
    ("my toddler won't put weight on his right leg", {"neuro_symptoms": Y}),
    ("she's stopped using her left leg", {"neuro_symptoms": Y}),
    ("he can't seem to stand up on his legs anymore", {"neuro_symptoms": Y}),
    ("her leg keeps giving way", {"neuro_symptoms": Y}),
    ("his legs seem weaker than last week", {"neuro_symptoms": Y}),
    ("he has started to wobble when he stands", {"neuro_symptoms": Y}),
    ("he's dragging one foot when he walks", {"neuro_symptoms": Y}),
    ("she's lost feeling in her legs", {"neuro_symptoms": Y}),
    ("my son has suddenly started limping", {"neuro_symptoms": Y}),
    ("she keeps falling over, which she never used to", {"neuro_symptoms": Y}),
    ("my baby hasn't done a wee in 12 hours", {"neuro_symptoms": Y}),
    ("my baby's nappy has been dry all day", {"neuro_symptoms": Y, "drainage": ABSENT}),
    ("he's peeing much less than normal", {"neuro_symptoms": Y}),
    ("he hasn't had a wet nappy since breakfast", {"neuro_symptoms": Y}),
    ("she has no control over her poo anymore", {"neuro_symptoms": Y}),
    ("my son can't hold his wee anymore", {"neuro_symptoms": Y}),
    ("she is struggling to poo and it's new", {"neuro_symptoms": Y}),
    ("she's been dribbling wee constantly since Tuesday", {"neuro_symptoms": Y}),
    ("he's wetting himself again even though he was potty trained", {"neuro_symptoms": Y}),
    ("she went stiff and jerked for a minute", {EMERGENCY: Y}),
    ("he's gone limp", {EMERGENCY: Y, "neuro_symptoms": Y}),
    ("she's breathing strangely and won't wake up", {EMERGENCY: Y}),
    ("there's yellowish gunk coming out of the little hole", {"drainage": Y}),
    ("I noticed some clear liquid seeping from it", {"drainage": Y}),
    ("the dimple has a yellow head on it and leaks", {"drainage": Y}),
    ("it's oozing a little when I press it", {"drainage": Y}),
    ("the skin around it has gone red and puffy", {"infection": Y}),
    ("it looks inflamed and angry today", {"infection": Y}),
    ("she's been running a temperature of 38.5 since last night", {"infection": Y}),
    ("the spot over his tailbone is red hot", {"infection": Y}),
]


# Descriptions that went wrong: hairs "sticking out" are not a skin tag; an end that
# cannot be seen is a deep dimple.
@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "my baby has a dimple near his bottom with a few hairs sticking out",
            {"hair_tuft": Y, "skin_tag": ABSENT, "high": N},
        ),
        ("there's a little bit of skin sticking out", {"skin_tag": Y}),
        ("the hole is pretty wide and you can't see where it ends", {"large": Y, "deep": Y}),
    ],
)
def test_description_fixes(text, expected):
    check_findings(text, expected)


@pytest.mark.parametrize("text,expected", PARENT_URGENT_ROWS)
def test_parent_wordings_of_urgent_signs(text, expected):
    assert is_urgent(check_findings(text, expected))


# Denied, asked about, read about or said in general: never an urgent sign, and always
# `mentioned`, so the assistant knows it was not an unknown wording of one.
NOT_URGENT_ROWS = [
    ("his nappies are as wet as usual", {"neuro_symptoms"}),
    ("her wees and poos are completely normal", {"neuro_symptoms"}),
    ("she moves her legs perfectly well", {"neuro_symptoms"}),
    ("she's kicking both legs like normal", {"neuro_symptoms"}),
    ("he's feeding well and hasn't had a temperature", {"infection"}),
    ("she doesn't have a temperature", {"infection"}),
    ("the skin isn't red", {"infection"}),
    ("why would a dimple ooze pus?", {"drainage"}),
    ("can a dimple that leaks be dangerous?", {"drainage"}),
    ("apparently pus from a dimple means infection", {"drainage", "infection"}),
    ("I've heard that some dimples can get infected", {"infection"}),
    ("we've been told that redness can mean infection", {"infection"}),
    ("the nurse said to call if he has trouble with his wee", {"neuro_symptoms"}),
    ("I've been told dimples can leak", {"drainage"}),
    ("supposedly a dimple can ooze pus", {"drainage"}),
]


@pytest.mark.parametrize("text,mentioned", NOT_URGENT_ROWS)
def test_denied_or_general_urgent_signs_are_mentioned_not_urgent(text, mentioned):
    result = extract(text)
    assert not is_urgent(result), f"{text!r}: {result.findings}"
    assert mentioned <= set(result.mentioned), f"{text!r}: {result.mentioned}"


def test_mentioned_holds_every_named_finding_and_nothing_else():
    result = extract("no hair, is a lump bad? there's a small skin tag")
    assert set(result.mentioned) == {"hair_tuft", "lump", "skin_tag"}
    assert extract("hello there").mentioned == frozenset()


@pytest.mark.parametrize("text,expected", MESSAGE_ROWS)
def test_realistic_messages(text, expected):
    check_findings(text, expected)


# ---------------------------------------------------------------------------
# Who, how old, where
# ---------------------------------------------------------------------------

SUBJECT_ROWS = [
    ("my baby has a dimple", "baby"),
    ("my newborn son has a dimple", "baby"),
    ("my little one has a dimple above her bum", "baby"),
    ("my infant daughter", "baby"),
    ("my son is 8 months old", "baby"),
    ("my toddler has a dimple", "child"),
    ("my 5 year old has a dimple on her back", "child"),
    ("my daughter has a dimple", "child"),
    ("my son, 18 months, has a dimple", "child"),
    ("I have a dimple at the bottom of my back", "self"),
    ("I've got two dimples on my lower back", "self"),
    ("my husband has a hole above his bum crack", "other"),
    ("my girlfriend has back dimples", "other"),
    ("my mum has one too", "other"),
    ("is it bad?", None),
    ("18 months", None),
    ("I'm a mum and worried about my son", "child"),
    ("my lad has a dimple", "child"),
    ("I have a question about a dimple", None),
    ("I noticed a dimple when changing her", None),
    ("do I have a sacral dimple?", "self"),
    ("I'm 34 and have a dimple", "self"),
    ("me too", "self"),
]


@pytest.mark.parametrize("text,subject", SUBJECT_ROWS)
def test_subject(text, subject):
    assert extract(text).subject == subject


AGE_ROWS = [
    ("my 3 week old", 0.7),
    ("she's two weeks old", 0.5),
    ("he is 2 days old", 0.0),
    ("newborn baby", 0.0),
    ("my 18 month old", 18.0),
    ("my 18-month-old son", 18.0),
    ("he's 2 years old", 24.0),
    ("my son is 2", 24.0),
    ("she is six months", 6.0),
    ("my 5 yo", 60.0),
    ("a year and a half old", 18.0),
    ("he's 4wks", 0.9),
    ("it's been there for 2 weeks", None),
    ("at his 6 week check the GP saw it", None),
    ("it's about 3 mm", None),
    ("18 months", 18.0),
    ("about 6 weeks", 1.4),
    ("for 2 weeks", None),
    ("I'm 34 and have a dimple", 408.0),
]


@pytest.mark.parametrize("text,months", AGE_ROWS)
def test_age(text, months):
    got = extract(text).age_months
    if months is None:
        assert got is None
    else:
        assert got == pytest.approx(months, abs=0.11)


PATTERN_ROWS = [
    ("two dimples, one on each side", "two_sides"),
    ("a dimple either side of the spine", "two_sides"),
    ("dimples of venus", "two_sides"),
    ("they look like back dimples", "two_sides"),
    ("one dimple in the middle", "one_midline"),
    # Typed answers to "where is it?" in few words, as on a phone.
    ("low down middle", "one_midline"),
    ("middle, low down", "one_midline"),
    ("low down middle but off to the left a bit", "off_side"),
    ("a single dimple above the crease", "one_midline"),
    ("right at the top of the bum crack", "one_midline"),
    ("two in the middle", "several_midline"),
    ("more than one dimple", "several_midline"),
    ("it's off to one side", "off_side"),
    ("to the left of the crease", "off_side"),
    ("not sure where exactly", "unsure"),
    ("it's deep", None),
    # a midline dimple next to back dimples still needs the red-flag questions
    ("She has dimples either side of her spine and one in the middle", "one_midline"),
    # "only one" says nothing about where, and one_midline would imply off_midline = no
    ("there is only one dimple", None),
]


@pytest.mark.parametrize("text,pattern", PATTERN_ROWS)
def test_pattern(text, pattern):
    assert extract(text).pattern == pattern


# ---------------------------------------------------------------------------
# Bare replies to a yes/no question
# ---------------------------------------------------------------------------

ANSWER_ROWS = [
    ("yes", Y),
    ("Yeah", Y),
    ("yep!", Y),
    ("i think so", Y),
    ("yes there is", Y),
    ("👍", Y),
    ("nope", N),
    ("No.", N),
    ("nah", N),
    ("not really", N),
    ("none", N),
    ("nothing", N),
    ("I don't think so", N),
    ("not that i can see", N),
    ("no, it's fine", N),
    ("not sure", U),
    ("dunno", U),
    ("idk", U),
    ("no idea", U),
    ("can't tell", U),
    ("hard to say", U),
    ("maybe", U),
    ("I'm not sure", U),
    ("🤷‍♀️", U),
    ("no hair", None),
    ("there is a lump", None),
    ("maybe a small tag", None),
    ("it's deep", None),
    ("nothing leaking", None),
    ("", None),
    ("definitely not", N),
    ("absolutely not", N),
    ("not much", Y),
    ("a little", Y),
]


@pytest.mark.parametrize("text,answer", ANSWER_ROWS)
def test_bare_answer(text, answer):
    assert extract(text).answer == answer


# ---------------------------------------------------------------------------
# Urgency
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,urgent",
    [
        ("it's leaking pus", True),
        ("red hot and swollen", True),
        ("his legs have gone weak", True),
        ("she had a seizure", True),
        ("there is a tuft of hair", False),
        ("no leaking, no swelling, legs are fine", False),
        ("what if it leaks?", False),
        ("not sure if it leaks", False),
    ],
)
def test_is_urgent(text, urgent):
    assert is_urgent(extract(text)) is urgent


def test_is_urgent_on_empty_extraction():
    assert is_urgent(Extraction()) is False


# ---------------------------------------------------------------------------
# Robustness: never raises, always well-formed, fast
# ---------------------------------------------------------------------------

ODD_INPUTS: List[Any] = [  # not all text, on purpose
    "",
    " ",
    "\n\t  \n",
    "\x00\x1b",
    "\x00" * 50,
    "a" * 100_000,
    "hair " * 20_000,
    "<script>alert(1)</script>",
    "<b>no</b> <i>hair</i>",
    "&lt;hair&gt; &amp;",
    "هل هذه الغمازة خطيرة؟",
    "‏יש לו גומה עם שיער",
    "\u202ehair on it\u202c",
    "😀😀😀",
    "👍🏽" * 3000,
    "🤷‍♀️",
    "???",
    "...",
    "!!!!!!!!",
    "-" * 10_000,
    "(" * 5000,
    "\ud800 lone surrogate",
    "ｆｕｌｌｗｉｄｔｈ ｈａｉｒ",
    "hair\u200bhair",
    "1" * 5000,
    "999999999999 cm",
    "1e308 mm",
    "nan cm",
    "-5 weeks old",
    "0.0000001 mm",
    "no " * 3000,
    "not sure if " * 1000,
    "? " * 3000,
    "if " * 3000,
    None,
    42,
    b"no hair",
    ["hair"],
    {"text": "hair"},
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_odd_inputs_never_raise(text):
    result = extract(text)  # must not raise
    assert isinstance(result, Extraction)
    assert set(result.findings) <= set(FINDINGS) | {EMERGENCY}
    assert all(isinstance(v, Answer) for v in result.findings.values())
    assert result.subject is None or result.subject in SUBJECTS
    assert result.pattern is None or result.pattern in PATTERNS
    assert result.age_months is None or 0 <= result.age_months <= 1440
    assert not (set(result.asked_about) & set(result.findings))
    is_urgent(result)


def test_property_random_soup_never_raises():
    import random

    rng = random.Random(1234)
    vocab = (
        "no not hair tag lump red swollen leaking deep shallow if what is it , . ? ; but "
        "and or none nothing my baby son 3 weeks old cm mm 😭 <b> \x00 can't isn't n't "
        "sure maybe crease middle side one two dimples high low"
    ).split()
    for _ in range(300):
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 40)))
        result = extract(text)
        assert isinstance(result, Extraction)
        assert not (set(result.asked_about) & set(result.findings))


def test_no_error_is_swallowed():
    # extract() turns any exception into an empty result, which would silently drop a red
    # flag; so the inner function must not raise on odd input either.
    from screening.extraction import _extract

    for text in ODD_INPUTS:
        _extract(text)
    rng = __import__("random").Random(99)
    pieces = [
        "no",
        "not",
        "hair",
        "?",
        ",",
        "if",
        "but",
        "3",
        "cm",
        "weeks",
        "old",
        "can't",
        "see",
        "the",
        "bottom",
        "😭",
        "\n",
        ":",
        "-",
        "none",
        "yes",
        "red",
        "and",
        "a",
    ]
    for _ in range(300):
        _extract(" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 25))))


def test_result_is_frozen():
    result = extract("there's hair")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.subject = "self"  # type: ignore[misc]


def test_time_per_message_is_recorded(record_figure):
    # A figure, not a pass/fail: a timed assertion fails on a busy machine, not on slow code.
    extract("warm up")
    text = (
        "My 3 week old son has a small dimple at the top of his bum crack, no hair or marks, "
        "but there's a little skin tag and it seems a bit red and swollen? Should I worry?"
    )
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(10):
            result = extract(text)
        timings.append((time.perf_counter() - start) / 10)
    assert result.findings, "the message was read"
    record_figure(f"extraction: {min(timings) * 1000:.2f} ms per message (best of 5 x 10)")


def test_long_input_is_bounded():
    extract("warm up")
    text = "My baby has a dimple with a little hair, no leaking, not red. " * 2000
    start = time.perf_counter()
    result = extract(text)
    assert time.perf_counter() - start < 1.0
    assert result.findings.get("hair_tuft") == Y
