"""The words of the screening outcome: advice, the reasons for it, and a summary.

Plain Python (no Rasa imports). Kept apart from triage so the decision can be
tested on its own, and the wording (aimed at about a grade-8 reading level) can
change without touching the decision.
"""

from typing import List, Mapping, Optional, Sequence

from screening.findings import (
    FINDINGS,
    PATTERN_HIGH_MIDLINE,
    PATTERN_OFF_SIDE,
    PATTERN_ONE_MIDLINE,
    PATTERN_SEVERAL_MIDLINE,
    PATTERN_TWO_SIDES,
    PATTERN_UNSURE,
    Answer,
)
from screening.triage import REASSURE, REFER, URGENT, Outcome

# What each finding means, as a reason the person can read back.
REASON = {
    "drainage": "fluid, pus or other discharge coming from the dimple",
    "infection": "redness, warmth, swelling, fever or seeming unwell, which can mean an infection",
    "neuro_symptoms": (
        "new weakness, numbness or clumsiness of the legs, or new bladder or bowel problems"
    ),
    "hair_tuft": "a tuft of hair near the dimple",
    "skin_tag": "a skin tag or other growth near the dimple",
    "lump": "a lump or swelling under the skin near the dimple",
    "discoloration": "a birthmark or a change in skin colour near the dimple",
    "deep": "a deep dimple (you cannot see its bottom)",
    "large": "a dimple wider than about 5 mm (about the size of a pea)",
    "high": "a dimple higher up, clearly above the buttock crease",
    "cleft_abnormal": "a buttock crease that is split or crooked",
    "multiple": "more than one dimple",
    "off_midline": "a dimple that is off to one side, not in the middle",
}

# Short labels for the summary a person can show a professional.
LABEL = {
    "drainage": "Fluid, pus or discharge",
    "infection": "Redness, warmth, swelling or fever",
    "neuro_symptoms": "New leg, bladder or bowel problems",
    "hair_tuft": "Tuft of hair",
    "skin_tag": "Skin tag or growth",
    "lump": "Lump under the skin",
    "discoloration": "Birthmark or colour change",
    "deep": "Deep (bottom not visible)",
    "large": "Wider than about 5 mm",
    "high": "Clearly above the buttock crease",
    "cleft_abnormal": "Split or crooked buttock crease",
    "multiple": "More than one dimple",
    "off_midline": "Off to one side",
}

SUBJECT_LABEL = {
    "baby": "a baby",
    "child": "a child",
    "self": "me (an adult)",
    "other": "someone else",
}
PATTERN_LABEL = {
    PATTERN_ONE_MIDLINE: "one dimple, in the middle",
    PATTERN_HIGH_MIDLINE: "one dimple, in the middle, higher up",
    PATTERN_TWO_SIDES: "two dimples, one on each side of the spine",
    PATTERN_SEVERAL_MIDLINE: "more than one dimple in the middle",
    PATTERN_OFF_SIDE: "one dimple, off to one side",
    PATTERN_UNSURE: "not sure",
}
ANSWER_LABEL = {Answer.YES.value: "yes", Answer.NO.value: "no", Answer.UNSURE.value: "not sure"}
# The summary's heading: the web page adds copy and print buttons to the message
# that starts with it, so the words must not change.
SUMMARY_HEADING = "Summary of your answers, to show a doctor or nurse:"
NOT_ASKED = "not asked"

NOT_A_DIAGNOSIS = (
    "This is information, not a diagnosis. If you are worried at any time, "
    "trust your instincts and contact a doctor or nurse."
)
EMERGENCY_NOW = (
    "If someone is not breathing normally, will not wake up or respond, or is "
    "having a seizure (fit), call your local emergency number now "
    "(for example 911 in the US, 999 in the UK, 112 in Europe)."
)
SAFETY_NET = (
    "Get it checked sooner if anything changes. Seek care the same day for fluid "
    "or pus from the dimple, redness, warmth or swelling around it, a fever with "
    "any of these, or new weakness in the legs or new bladder or bowel problems. "
    "Book a visit if hair, a skin tag, a lump or a mark appears near it."
)


# How "I've noted: ..." says back each answer a description gave (yes, no, not sure).
NOTED = {
    "drainage": ("fluid or pus from it", "no fluid or pus", "not sure about fluid or pus"),
    "infection": (
        "redness, warmth, swelling or fever",
        "no redness, swelling or fever",
        "not sure about redness, swelling or fever",
    ),
    "neuro_symptoms": (
        "new leg, bladder or bowel problems",
        "no new leg, bladder or bowel problems",
        "not sure about leg, bladder or bowel problems",
    ),
    "hair_tuft": ("some hair near it", "no hair", "not sure about hair"),
    "skin_tag": ("a skin tag or growth", "no skin tag", "not sure about a skin tag"),
    "lump": ("a lump under the skin", "no lump", "not sure about a lump"),
    "discoloration": (
        "a mark or colour change",
        "no mark or colour change",
        "not sure about a mark or colour change",
    ),
    "deep": ("it's deep", "you can see its bottom", "not sure how deep it is"),
    "large": ("it's wider than about 5 mm", "it's small", "not sure how big it is"),
    "high": ("it's higher up, above the crease", "it's low down", "not sure how high up it is"),
    "cleft_abnormal": (
        "the crease is split or crooked",
        "the crease is straight",
        "not sure about the crease",
    ),
    "multiple": ("more than one dimple", "just one dimple", "not sure how many there are"),
    "off_midline": ("it's off to one side", "it's in the middle", "not sure if it's in the middle"),
}
_NOTED_INDEX = {Answer.YES.value: 0, Answer.NO.value: 1, Answer.UNSURE.value: 2}
NOTED_SUBJECT = {"baby": "your baby", "child": "your child", "self": "you", "other": "someone else"}


def noted(values: Mapping[str, object]) -> Optional[str]:
    """One short line saying back what a description told ("I've noted: ..."); None if nothing.

    `values`: the screening slots the message set (name -> value).
    """
    parts = []
    subject = NOTED_SUBJECT.get(str(values.get("subject")))
    age = values.get("age_months")
    age_text = _age_text(age) if isinstance(age, (int, float)) else None
    if subject or age_text:
        parts.append(", ".join(part for part in (subject, age_text) if part))
    pattern = values.get("dimple_pattern")
    if pattern in PATTERN_LABEL and pattern != PATTERN_UNSURE:
        parts.append(PATTERN_LABEL[str(pattern)])
    for name in FINDINGS:
        if pattern and name in ("multiple", "off_midline"):
            continue  # the position above already says it
        index = _NOTED_INDEX.get(str(values.get(name)))
        if index is not None:
            parts.append(NOTED[name][index])
    return "I've noted: " + "; ".join(parts) + "." if parts else None


def noted_aside(updates: Mapping[str, object], requested_slot: Optional[str]) -> Optional[str]:
    """Says back a typed answer that told something, but not what the open question asks.

    The question is then asked again; without this line the person would see the same
    question come back and think they were not read ("a lil dent", said to the urgent
    signs' question, notes that the bottom of the dimple can be seen)."""
    if not requested_slot or requested_slot in updates:
        return None
    return noted(updates)


def _bullets(items: List[str]) -> str:
    return "\n".join(f"• {item}" for item in items)


def _age_text(age_months: Optional[float]) -> Optional[str]:
    if age_months is None or age_months < 0:
        return None
    if age_months < 1:
        weeks = round(age_months * 52 / 12)
        return "newborn" if weeks < 1 else f"{weeks} week{'s' if weeks != 1 else ''} old"
    if age_months < 24:
        months = round(age_months)
        return f"{months} month{'s' if months != 1 else ''} old"
    return f"{int(age_months // 12)} years old"


def _scan_advice(subject: Optional[str], age_months: Optional[float]) -> str:
    young_baby = subject == "baby" and (age_months is None or age_months < 6)
    if young_baby:
        return (
            "The doctor may suggest an ultrasound scan of the lower spine. It is "
            "painless, uses no radiation, and works best in the first few months "
            "of life, before the bones get harder."
        )
    return (
        "The doctor may suggest a scan of the lower spine: an ultrasound in young "
        "babies, or an MRI scan for older children and adults."
    )


def summary(
    answers: Mapping[str, Optional[str]],
    subject: Optional[str] = None,
    age_months: Optional[float] = None,
    pattern: Optional[str] = None,
    not_asked: Sequence[str] = (),
) -> str:
    """A short record of the answers that the person can show a professional.

    `not_asked`: red flags left out because the person stopped once the advice was
    settled; they are listed as not asked, so the doctor knows to look.
    """
    lines = []
    about = SUBJECT_LABEL.get(subject or "", "not given")
    age = _age_text(age_months)
    lines.append(f"About: {about}{', ' + age if age else ''}")
    if pattern:
        lines.append(f"Where: {PATTERN_LABEL.get(pattern, pattern)}")
    for name in FINDINGS:
        value = answers.get(name)
        if value is not None:
            lines.append(f"{LABEL[name]}: {ANSWER_LABEL.get(str(value), 'not sure')}")
        elif name in not_asked:
            lines.append(f"{LABEL[name]}: {NOT_ASKED}")
    return SUMMARY_HEADING + "\n" + _bullets(lines)


def advice_messages(
    outcome: Outcome,
    answers: Mapping[str, Optional[str]],
    subject: Optional[str] = None,
    age_months: Optional[float] = None,
    pattern: Optional[str] = None,
    not_asked: Sequence[str] = (),
) -> List[str]:
    """The messages that end a screening, in the order they are sent.

    `not_asked`: red flags left out because the person stopped once the advice was
    settled (see summary); they are not reported as "not sure".
    """
    messages: List[str] = []
    present = [REASON[n] for n in outcome.present]
    unsure = [REASON[n] for n in outcome.not_ruled_out if n not in not_asked]

    if outcome.result == URGENT:
        head = (
            "Please get medical care today: call your doctor, an urgent care service "
            "or an out-of-hours line now."
        )
        if outcome.emergency:
            messages.append(EMERGENCY_NOW)
        messages.append(head)
        why = "Why: you told me about " + ("; ".join(present) or "an urgent sign") + "."
        why += (
            " Fluid, pus, redness or swelling can mean an infection, and an open "
            "channel under a dimple can let germs reach the spine. New problems "
            "with the legs, bladder or bowel can mean the nerves need a quick check."
        )
        messages.append(why)
        if not outcome.emergency:
            messages.append(EMERGENCY_NOW)
    elif outcome.result == REFER:
        messages.append(
            "I suggest you see a doctor or health visitor about this dimple soon, "
            "within the next few weeks. It is not an emergency."
        )
        reasons = []
        if present:
            reasons.append("Why: you told me about\n" + _bullets(present))
        if unsure:
            reasons.append(
                "You were not sure about\n"
                + _bullets(unsure)
                + "\nWhen a sign cannot be ruled out, it is safest to let a professional look."
            )
        if not_asked:
            reasons.append(
                "You stopped before the last questions, so the summary marks those as "
                "not asked. The doctor can check them."
            )
        messages.append("\n".join(reasons))
        messages.append(
            "Signs like these are worth a check because, rarely, they go with a hidden "
            "problem of the lower spine. The more signs there are, the more reason to "
            "have it checked. Most dimples that get checked turn out to be harmless. "
            + _scan_advice(subject, age_months)
        )
        messages.append(SAFETY_NET)
    elif outcome.back_dimples:
        messages.append(
            "Two dimples, one on each side of the spine, are back dimples (dimples "
            "of Venus, or of Apollo in men). A short ligament holds the skin to the "
            "pelvis bone there. They are harmless and need no check or treatment."
        )
        messages.append(
            "Why: they sit at the sides, over the joints of the pelvis. A sacral "
            "dimple is different: a single dimple in the middle, low down near the "
            "buttock crease. If you also see one like that, just ask me to check a dimple."
        )
    else:
        messages.append(
            "From your answers, this sounds like a simple sacral dimple. These are "
            "common (about 2 to 4 in every 100 newborns) and almost always harmless. "
            "Mention it at the next routine check-up; no tests are usually needed."
        )
        messages.append(
            "Why: it is a single small dimple in the middle, low near the buttock "
            "crease, you can see its bottom, and there is no hair, skin tag, lump, "
            "mark, fluid or redness, and no new leg, bladder or bowel problems."
        )
        messages.append(SAFETY_NET)

    if not (outcome.back_dimples and outcome.result == REASSURE):
        messages.append(summary(answers, subject, age_months, pattern, not_asked))
    messages.append(NOT_A_DIAGNOSIS)
    return messages


__all__ = [
    "LABEL",
    "REASON",
    "REASSURE",
    "REFER",
    "URGENT",
    "advice_messages",
    "noted",
    "summary",
]
