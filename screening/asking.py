"""The words and buttons of the grouped questions. Plain Python, no Rasa imports.

Each question lists only the signs still open, one a line, so it reads the same
in web chat, on Slack, on Telegram and in the terminal. The buttons send intents
(/affirm, /deny, /dont_know) or /inform entities, as the other questions do.
"""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from screening.advice import REASON
from screening.findings import (
    FINDINGS,
    MORE_FINISH,
    MORE_SLOT,
    MORE_STOP,
    REFERRAL_FINDINGS,
    Answer,
)
from screening.questions import drilled_group, open_signs, remaining_groups, signs_of

# One line per sign in a group question: what the person looks for.
SIGN_LINE = {
    "drainage": "Fluid, pus or other discharge coming out of the dimple",
    "infection": "Red, warm or swollen skin around it, or a fever",
    "neuro_symptoms": (
        "New weakness or numbness in the legs, a change in walking, or new problems with wee or poo"
    ),
    "hair_tuft": "A tuft or patch of hair on or near it",
    "skin_tag": "A skin tag (a small flap or bump of skin)",
    "lump": "A soft lump or swelling under the skin",
    "discoloration": "A birthmark, or a red, purple or dark patch of skin",
    "deep": "It is deep: you can't see the bottom of it",
    "large": "It is wider than about 5 mm (a bit bigger than a pea)",
    "cleft_abnormal": "The buttock crease is split in two or crooked, not one straight line",
    "high": "It is higher up, clearly above the top of the buttock crease",
    "multiple": "There is more than one dimple in the middle",
    "off_midline": "It is off to one side, not in the middle",
}
# A short name per sign for the "Which ones?" buttons.
SIGN_BUTTON = {
    "drainage": "Fluid or pus",
    "infection": "Redness, swelling or fever",
    "neuro_symptoms": "Legs, wee or poo",
    "hair_tuft": "Hair",
    "skin_tag": "Skin tag",
    "lump": "Lump",
    "discoloration": "Birthmark or patch",
    "deep": "Deep",
    "large": "Wider than 5 mm",
    "cleft_abnormal": "Split or crooked crease",
    "high": "Higher up",
    "multiple": "More than one",
    "off_midline": "Off to one side",
}
# Each group question: what to look at, then the question.
GROUP_LEAD = {
    "signs_urgent": "",
    "signs_marks": "Look at the skin on and around the dimple.",
    "signs_dimple": "Now the dimple itself.",
    "signs_crease": "Now the buttock crease (the line between the buttocks).",
    "signs_position": "And where it is.",
}
GROUP_QUESTION = {
    "signs_urgent": "Do you see any of these now?",
    "signs_marks": "Do you see any of these?",
    "signs_dimple": "Is either of these true?",
    "signs_crease": "Do you see this?",
    "signs_position": "Is any of these true?",
}
# The same, when only one sign of the group is still open (the urgent signs keep
# their question: the first one asked, with all three open, unless the opening
# message answered some).
GROUP_QUESTION_ONE = {
    **GROUP_QUESTION,
    "signs_marks": "Do you see this?",
    "signs_dimple": "Is this true?",
    "signs_position": "Is this true?",
}
# Asked again after "Which ones?" for the group's other signs.
AS_WELL = "Any of these as well?"
# Pictures served by the web app (the text makes sense without them).
GROUP_IMAGE = {"signs_dimple": "/images/dimple-depth-size.png"}

NONE_OF_THESE = {"title": "None of these", "payload": "/deny"}
YES_SOME = {"title": "Yes, one or more", "payload": "/affirm"}
NOT_SURE = {"title": "Not sure", "payload": "/dont_know"}
NOT_SURE_WHICH = {"title": "Not sure which", "payload": "/dont_know"}

ENOUGH = "That's enough to recommend a doctor's visit."
FINISH_TITLE = "Finish the summary for the doctor ({n} more short question{s})"
STOP_TITLE = "Stop here"


@dataclass(frozen=True)
class Question:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    image: Optional[str] = None


def _lines(signs: Any) -> str:
    return "\n".join(f"• {SIGN_LINE[sign]}" for sign in signs)


def group_question(group_slot: str, slots: Mapping[str, Any]) -> Question:
    """ "Do you see any of these?" with the group's open signs."""
    signs = signs_of(group_slot)
    still_open = open_signs(slots, signs)
    already = any(slots.get(sign) == Answer.YES.value for sign in signs)
    asking = GROUP_QUESTION_ONE if len(still_open) == 1 else GROUP_QUESTION
    question = AS_WELL if already else asking[group_slot]
    intro = f"{GROUP_LEAD[group_slot]} {question}".strip()
    return Question(
        text=f"{intro}\n{_lines(still_open)}",
        buttons=[NONE_OF_THESE, YES_SOME, NOT_SURE],
        image=None if already else GROUP_IMAGE.get(group_slot),
    )


def which_question(slots: Mapping[str, Any]) -> Question:
    """ "Which ones?" after "Yes, one or more": a button per open sign."""
    group_slot = drilled_group(slots)
    still_open = open_signs(slots, signs_of(group_slot)) if group_slot else ()
    buttons = [
        {"title": SIGN_BUTTON[sign], "payload": f'/inform{{"sign": "{sign}"}}'}
        for sign in still_open
    ]
    return Question(
        text="Which ones? Tap one, or tell me in your own words (more than one is fine).\n"
        + _lines(still_open),
        buttons=[*buttons, NOT_SURE_WHICH],
    )


def settled_offer(slots: Mapping[str, Any]) -> Question:
    """Once the advice is settled: say so, with the reasons, and offer to stop."""
    present = [REASON[n] for n in REFERRAL_FINDINGS if slots.get(n) == Answer.YES.value]
    unsure = [REASON[n] for n in REFERRAL_FINDINGS if slots.get(n) == Answer.UNSURE.value]
    parts = [ENOUGH]
    if present:
        parts.append("You told me about:\n" + "\n".join(f"• {r}" for r in present))
    if unsure:
        parts.append("You were not sure about:\n" + "\n".join(f"• {r}" for r in unsure))
    parts.append(
        "I can ask a few more short questions, so the summary for the doctor is complete, "
        "or stop here."
    )
    n = len(remaining_groups(slots))
    finish = FINISH_TITLE.format(n=n, s="" if n == 1 else "s")
    return Question(
        text="\n".join(parts),
        buttons=[
            {"title": finish, "payload": f'/inform{{"{MORE_SLOT}": "{MORE_FINISH}"}}'},
            {"title": STOP_TITLE, "payload": f'/inform{{"{MORE_SLOT}": "{MORE_STOP}"}}'},
        ],
    )


def not_asked(slots: Mapping[str, Any]) -> List[str]:
    """Red flags left unasked because the person stopped once the advice was settled."""
    if slots.get(MORE_SLOT) != MORE_STOP:
        return []
    return [name for name in FINDINGS if slots.get(name) is None]
