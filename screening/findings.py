"""The vocabulary shared by extraction, triage and the Rasa actions.

Plain Python on purpose: no Rasa imports, so it can be tested by tables and used
both inside the NLU pipeline (Rasa server) and by the action server.
"""

from enum import Enum
from typing import Tuple


class Answer(str, Enum):
    """What we know about one sign."""

    YES = "yes"  # present (also: hedged presence such as "I think there's a bit of hair")
    NO = "no"  # clearly absent
    UNSURE = "unsure"  # the person cannot tell: counts as "not ruled out"


# Red-flag findings, named exactly as the `red_flags` values in docs/contract.md; what
# each means and its thresholds: docs/clinical-criteria.md.
# Order = the order the screening asks about them after the opening questions:
# the signs that make it urgent first, so a conversation cut short still covered them.
URGENT_FINDINGS: Tuple[str, ...] = (
    "drainage",  # fluid, pus or any discharge from the dimple
    "infection",  # redness, warmth or swelling around it; fever or very unwell with it
    "neuro_symptoms",  # new leg weakness/numbness, new bladder or bowel problems
)
REFERRAL_FINDINGS: Tuple[str, ...] = (
    "hair_tuft",
    "skin_tag",
    "lump",
    "discoloration",
    "deep",  # the bottom of the dimple cannot be seen
    "large",  # wider than about 5 mm
    "high",  # more than about 2.5 cm above the anus, clearly above the buttock crease
    "cleft_abnormal",  # split (duplicated) or crooked buttock crease
    "multiple",  # more than one dimple in the midline
    "off_midline",  # not in the middle
)
FINDINGS: Tuple[str, ...] = URGENT_FINDINGS + REFERRAL_FINDINGS

# Emergency signs (not breathing normally, unresponsive, seizure) are urgent too,
# but the advice is to call the emergency number now. They are reported in
# `red_flags` as neuro_symptoms, the nearest contract value.
EMERGENCY = "emergency"

# The `red_flags` value for a red-flag question answered "don't know".
UNSURE_FLAG = "unsure"

# Who the screening is about.
SUBJECTS = ("baby", "child", "self", "other")

# Where the dimple or dimples are, as answered to the opening "where is it" question.
PATTERN_ONE_MIDLINE = "one_midline"  # the usual sacral dimple
PATTERN_TWO_SIDES = "two_sides"  # dimples of Venus/Apollo: harmless back dimples
PATTERN_SEVERAL_MIDLINE = "several_midline"  # -> multiple = yes
PATTERN_OFF_SIDE = "off_side"  # a single dimple off the midline -> off_midline = yes
# One in the middle but higher up, clearly above the buttock crease -> high = yes.
PATTERN_HIGH_MIDLINE = "high_midline"
PATTERN_UNSURE = "unsure"
PATTERNS = (
    PATTERN_ONE_MIDLINE,
    PATTERN_HIGH_MIDLINE,
    PATTERN_TWO_SIDES,
    PATTERN_SEVERAL_MIDLINE,
    PATTERN_OFF_SIDE,
    PATTERN_UNSURE,
)

# The red-flag questions are asked by groups, each listing its open signs at once
# ("Do you see any of these?"): slot name -> the signs it covers, in the order asked.
# The urgent group comes first, so a conversation cut short has covered it.
SIGN_GROUPS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("signs_urgent", URGENT_FINDINGS),
    ("signs_marks", ("hair_tuft", "skin_tag", "lump", "discoloration")),
    ("signs_dimple", ("deep", "large")),
    ("signs_crease", ("cleft_abnormal",)),
    # Answered by the position question in most cases; asked when it was not.
    ("signs_position", ("high", "multiple", "off_midline")),
)
GROUP_SLOTS: Tuple[str, ...] = tuple(slot for slot, _ in SIGN_GROUPS)
GROUP_OF = {sign: slot for slot, signs in SIGN_GROUPS for sign in signs}


class GroupAnswer(str, Enum):
    """The answer to a group question (the value of its slot)."""

    NONE = "none"  # none of these: every open sign of the group is no
    SOME = "some"  # one or more: "Which ones?" comes next
    UNSURE = "unsure"  # each open sign is then asked on its own


# "Which ones?" after "Yes, one or more": a question only, never filled.
WHICH_SLOT = "signs_which"
# The offer once the advice is settled: finish the summary, or stop here.
MORE_SLOT = "screening_more"
MORE_FINISH = "finish"
MORE_STOP = "stop"
