"""Read a person's free-text message and say what it tells about a sacral dimple.

Why rules and not a trained model: there is no pretrained spaCy model here (only
``spacy.blank("en")``), the vocabulary of red flags is small and fixed, and every
decision must be explainable and testable line by line. A missed red flag is the
worst bug, so the rules are written to lean to YES or UNSURE, never to NO, when a
message is ambiguous.

How it works, in four passes over the spaCy tokens:

1. Normalise: strip markup and control characters, expand "can't" to "can not",
   and give every token a NORM that corrects British spellings and common typos
   (explicit variants plus an edit-distance-1 check on long, unknown words).
2. Match: spaCy ``Matcher`` patterns find finding phrases (each with its own polarity:
   "shallow" is deep=NO, "can not see the bottom" is deep=YES), cue phrases
   (negation, uncertainty, hypotheticals) and suppressors ("tail bone" is not a tail).
   Phrases that contain their own negation ("not breathing", "not in the middle")
   swallow the cue, so it cannot negate anything else.
3. Scope: walking each sentence left to right, a negation cue covers the finding
   after it and then runs on over a list ("no hair, tags or marks"), but stops at
   contrast words (but, though, except...), ";", a new clause ("and it ...",
   ", it ...", "and a ...") or anything that is not plainly the next list item, so
   "no hair or marks, but there's a little skin tag" keeps the tag. A sign named with
   "the/his/her" is presupposed ("nobody noticed the hair") and is not negated; a
   hedged negation ("it might not be deep") gives UNSURE, never NO.
   An uncertainty cue ("not sure if", "can't tell whether") makes what follows
   UNSURE; an "if"/"what if" makes it hypothetical. The same sign said twice keeps
   the safest reading (YES over UNSURE over NO).
4. Questions: a clause that asks ("is a tuft of hair bad?") puts its findings in
   ``asked_about`` unless it also asserts something about the person's own case
   ("is it bad that he has hair?", "why is it leaking?").

Subject, age and a bare yes/no reply are read with small hand-written scanners.
"""
from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from .findings import (
    EMERGENCY,
    FINDINGS,
    PATTERN_OFF_SIDE,
    PATTERN_ONE_MIDLINE,
    PATTERN_SEVERAL_MIDLINE,
    PATTERN_TWO_SIDES,
    PATTERN_UNSURE,
    URGENT_FINDINGS,
    Answer,
)

YES, NO, UNSURE = Answer.YES, Answer.NO, Answer.UNSURE
_LOG = logging.getLogger(__name__)

# Long messages are cut here so one pathological message cannot stall the bot;
# the first few thousand characters always hold the description.
MAX_CHARS = 5000
MAX_TOKENS = 1200


@dataclass(frozen=True)
class Extraction:
    findings: Dict[str, Answer] = field(default_factory=dict)
    subject: Optional[str] = None
    age_months: Optional[float] = None
    pattern: Optional[str] = None
    answer: Optional[Answer] = None
    asked_about: FrozenSet[str] = frozenset()
    # Every finding the message names, whatever it says of it: stated, denied (also
    # "no fever", which sets nothing), asked about or hypothetical. Redness counts as
    # a possible sign of infection. Lets a caller tell "denied or asked" from "unknown".
    mentioned: FrozenSet[str] = frozenset()


def is_urgent(extraction: Extraction) -> bool:
    """True if any urgent red flag or an emergency sign is present (YES)."""
    findings = getattr(extraction, "findings", None) or {}
    return any(findings.get(key) == YES for key in URGENT_FINDINGS + (EMERGENCY,))


# ---------------------------------------------------------------------------
# 1. Normalisation
# ---------------------------------------------------------------------------

# Only real markup: a known HTML tag name, then name=value attributes, or a comment.
# "<5mm", "<3", "->" and "< 2 cm ... >" are text: a looser pattern read everything
# between a "<" and a ">" as a tag and dropped the red flags in it.
_TAG_NAMES = (
    "a|abbr|b|blockquote|body|br|button|center|code|del|div|em|embed|font|form|h[1-6]|head|hr|"
    "html|i|iframe|img|input|ins|label|li|link|mark|meta|object|ol|option|p|pre|q|s|script|"
    "select|small|span|strike|strong|style|sub|sup|svg|table|tbody|td|textarea|tfoot|th|thead|"
    "title|tr|tt|u|ul"
)
_TAG_RE = re.compile(
    r"<!--[^<>]{0,300}?-->"
    r"|</?(?:" + _TAG_NAMES + r")"
    r"(?:\s+[a-z][a-z0-9:_-]*\s*=\s*(?:\"[^\"<>]{0,300}\"|'[^'<>]{0,300}'|[^\s<>\"']{1,300}))*"
    r"\s*/?>",
    re.IGNORECASE,
)
_SYMBOL_RUN_RE = re.compile(r"([^\w\s])\1{3,}")
_EMOJI_RUN_RE = re.compile(
    "(?:[\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf\u2b00-\u2bff\U0001F000-\U0001FAFF]"
    "[\ufe0f\u200d\u2640\u2642\U0001F3FB-\U0001F3FF]*\\s*)+")
_BLANKS_RE = re.compile(r"[^\S\n]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")
_LONG_RUN_RE = re.compile(r"\S{40}(?=\S)")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE_RE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
                           r"\ufff9-\ufffb\ud800-\udfff]")
_CONTRACTIONS = [
    (re.compile(r"\b(ca|can)n[’'`]?t\b"), "can not"),
    (re.compile(r"\bcannot\b"), "can not"),
    (re.compile(r"\bwo(n[’'`]t|nt)\b"), "will not"),
    (re.compile(r"\bain[’'`]?t\b"), "is not"),
    (re.compile(r"\bshan[’'`]?t\b"), "shall not"),
    (re.compile(r"n[’'`]t\b"), " not"),
    # Apostrophe-less forms are common in phone typing.
    (
        re.compile(
            r"\b(do|does|did|is|are|was|were|has|have|had|could|should|would|must|need)nt\b"
        ),
        r"\1 not",
    ),
    (re.compile(r"\bim\b"), "i am"),
    (re.compile(r"\bive\b"), "i have"),
    (re.compile(r"\btheres\b"), "there is"),
    (re.compile(r"\b(he|she)s\b"), r"\1 is"),
    (re.compile(r"\by\s*[/.]\s*o\b\.?"), " yo"),
]
# "3-week-old", "off-centre", "skin-tag": the parts are the words we match.
_HYPHEN_RE = re.compile(r"(?<=[a-z0-9])[-‐‑–](?=[a-z])|(?<=[a-z])[-‐‑–](?=[0-9])")
_RANGE_RE = re.compile(r"(?<=\d)\s*[-–]\s*(?=\d)")
_NUM_UNIT_RE = re.compile(r"(\d)(?=(?!p\b)[a-z])")  # "8mm" -> "8 mm", but "5p" (a coin) stays
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")  # "soooo deeeep" -> "soo deep"


def _clean_text(text: object) -> Tuple[str, Optional[Answer]]:
    """The text the rules read, and the reply an emoji-only message gives ("👍")."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "ignore")
    if not isinstance(text, str):
        return "", None
    text = text[: MAX_CHARS * 2]
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    # Control characters split words; bidi, zero-width and lone surrogates carry no meaning.
    text = _CONTROL_RE.sub(" ", text)
    text = _INVISIBLE_RE.sub("", text)
    if len(text) > MAX_CHARS:
        cut = text.rfind(" ", 0, MAX_CHARS)
        text = text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    # The tokenizer peels affixes off a word one at a time, which is quadratic on a long run
    # without spaces (5,000 emoji took seconds): give emoji room and cap word length.
    text = _SYMBOL_RUN_RE.sub(r"\1\1\1", text)
    emoji_answer = _emoji_answer(text)
    # Emoji end a thought like a full stop ("it has hair 😭 is that bad"); as tokens they
    # only cost time, so each run of them becomes one stop.
    text = _EMOJI_RUN_RE.sub(" . ", text)
    text = _LONG_RUN_RE.sub(r"\g<0> ", text)
    text = text.lower()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'").replace("´", "'")
    text = text.replace("“", '"').replace("”", '"')
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    text = _RANGE_RE.sub(" to ", text)
    text = _HYPHEN_RE.sub(" ", text)
    text = _NUM_UNIT_RE.sub(r"\1 ", text)
    text = _REPEAT_RE.sub(r"\1\1", text)
    # Runs of blanks would become whitespace tokens that sit between a cue and its word.
    text = _BLANKS_RE.sub(" ", text)
    text = _NEWLINES_RE.sub("\n", text).strip()
    return text, emoji_answer


# Spelling variants and typos seen in parents' messages -> the word the rules use.
_NORM_MAP = {
    "'m": "am", "'re": "are", "'ve": "have", "'ll": "will", "'d": "would", "’s": "'s",
    "colour": "color", "coloured": "colored", "colours": "colors",
    "discoloured": "discolored", "discolour": "discolor", "discolouration": "discoloration",
    "discolouring": "discoloring", "discolourd": "discolored",
    "centre": "center", "centred": "centered", "centreline": "midline",
    "haemangioma": "hemangioma", "haemangiomas": "hemangiomas", "hemangeoma": "hemangioma",
    "heamangioma": "hemangioma", "hemangiona": "hemangioma", "angioma": "hemangioma",
    "odour": "odor", "nappy": "diaper", "nappies": "diapers", "grey": "gray", "greyish": "grayish",
    "greyey": "gray", "mummy": "mom", "mum": "mom", "mam": "mom", "mother": "mom",
    "paediatrician": "pediatrician", "oesophagus": "esophagus",
    "hiar": "hair", "hiars": "hairs", "hari": "hair", "har": "hair", "hairr": "hair", "hary": "hairy",
    "hairey": "hairy", "tagg": "tag", "taggs": "tags", "noo": "no", "soo": "so", "yess": "yes",
    "haemangeoma": "hemangioma", "heamangeoma": "hemangioma", "haemangiona": "hemangioma",
    "thats": "that", "whats": "what", "deepp": "deep", "lumpp": "lump",
    "tuf": "tuft", "tuff": "tuft", "tufft": "tuft", "tuftt": "tuft",
    "puss": "pus", "leeking": "leaking", "leakin": "leaking", "leeks": "leaks",
    "oozin": "oozing", "oozeing": "oozing", "swolen": "swollen", "swolled": "swollen",
    "swollon": "swollen", "sweling": "swelling", "brithmark": "birthmark", "birthmarc": "birthmark",
    "dimpel": "dimple", "dimpple": "dimple", "dimle": "dimple", "dimpe": "dimple", "dimpels": "dimples",
    "dimpls": "dimples", "dimps": "dimples", "dimp": "dimple",
    "deap": "deep", "shalow": "shallow", "shallo": "shallow", "creese": "crease", "crese": "crease",
    "fevor": "fever", "feaver": "fever", "fevre": "fever", "temp": "temperature",
    "temprature": "temperature", "temperture": "temperature", "tempreture": "temperature",
    "lil": "little", "litle": "little", "abit": "bit", "alot": "lot", "u": "you", "ur": "your",
    "bubba": "baby", "bubs": "baby", "bub": "baby", "babys": "baby", "baby's": "baby",
    "newborne": "newborn", "toddlr": "toddler", "daugther": "daughter", "dauther": "daughter",
    "skintags": "skintag", "butthole": "anus", "bumhole": "anus",
    "arsehole": "anus", "bumcrack": "crack", "buttcrack": "crack", "midle": "middle",
    "wierd": "weird", "funy": "funny", "numbe": "numb", "tinglin": "tingling",
    "siezure": "seizure", "seizur": "seizure", "sezure": "seizure", "seziure": "seizure",
    "siezures": "seizures",
    "breathin": "breathing", "breething": "breathing", "bleading": "bleeding",
    "discharg": "discharge", "dischage": "discharge", "inflammed": "inflamed", "infectd": "infected",
    "millimetre": "mm", "millimetres": "mm", "millimeter": "mm", "millimeters": "mm", "mms": "mm",
    "centimetre": "cm", "centimetres": "cm", "centimeter": "cm", "centimeters": "cm", "cms": "cm",
    "inches": "inch", "ins": "inch", "wks": "weeks", "wk": "week", "wkd": "weeks", "mths": "months",
    "mth": "month", "mnths": "months", "mnth": "month", "mos": "months", "mo": "month",
    "yrs": "years", "yr": "year", "yo": "yo",
}

# Edit-distance-1 targets: long, distinctive words whose typos should still count.
_FUZZY_TARGETS = (
    "hairy", "tufts", "swollen", "swelling", "leaking", "oozing", "discharge", "birthmark",
    "hemangioma", "infected", "infection", "inflamed", "numbness", "tingling", "weakness",
    "seizure", "seizures", "convulsion", "convulsions", "unresponsive", "bleeding", "weeping",
    "constipated", "constipation", "bladder", "crooked", "shallow", "feverish", "lethargic",
    "temperature", "discolored", "discoloration", "strawberry", "appendage", "clumsy",
    "limping", "breathing", "newborn", "toddler", "daughter", "dimples", "swelling",
    "bottomless", "asymmetrical", "asymmetric", "lopsided", "incontinence", "incontinent",
    "pigmented", "crease", "unwell", "smelly", "sticky", "bruising", "purple", "purplish",
)
# Real words one edit away from a target: never "correct" these.
_FUZZY_STOP = frozenset(
    """harry dairy fairy hoary hairs hardy turfs tufty dwelling smelling spelling selling shelling
    swilling swelled leaning leading leaping peaking leaving leafing beaking reaking dozing boozing
    oozier discharged infested injected inflected injection infections inflated inflames tinkling
    jingling mingling tingeing weakens bleeping breeding bleating keeping peeping sweeping weeding
    seeping beeping ladder bladders blander cooked crooned crooked swallow hallow shadow fewer never
    sloppy flappy clumsily limiting lisping breathing breathe creases grease ceased creased
    daughters laughter toddled toddles newborns dimpled simple dimpler purples purpler smelled
    stickly sticks sticker bruisin pimples pimple create creates shallot sallow stocky shelly
    blabber singling cruising clumpy inflection brooked unveil""".split()
)


def _fuzzy_index() -> Tuple[Dict[str, str], Dict[str, str]]:
    """Deletion-neighbourhood index so a typo check costs a few set look-ups."""
    exact: Dict[str, str] = {}
    deletes: Dict[str, str] = {}
    for word in _FUZZY_TARGETS:
        exact[word] = word
        for i in range(len(word)):
            deletes.setdefault(word[:i] + word[i + 1:], word)
    return exact, deletes


_FUZZY_EXACT, _FUZZY_DELETES = _fuzzy_index()


def _fuzzy(word: str) -> Optional[str]:
    if len(word) < 5 or not word.isalpha() or word in _FUZZY_STOP:
        return None
    if word in _FUZZY_DELETES:  # one letter missing
        return _FUZZY_DELETES[word]
    for i in range(len(word)):
        shorter = word[:i] + word[i + 1:]
        if shorter in _FUZZY_EXACT:  # one letter too many
            return _FUZZY_EXACT[shorter]
        if shorter in _FUZZY_DELETES and len(_FUZZY_DELETES[shorter]) == len(word):
            return _FUZZY_DELETES[shorter]  # one letter wrong
    for i in range(len(word) - 1):  # two letters swapped
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if swapped in _FUZZY_EXACT:
            return swapped
    return None


# ---------------------------------------------------------------------------
# 2. Rules
# ---------------------------------------------------------------------------

_MACROS = {
    "POSS": "the|his|her|my|their|our|its|your|this|that|a|an|baby|son|daughter",
    "BUM": "bum|butt|buttock|buttocks|bottom|gluteal|natal|booty|arse|ass|bottoms|bums",
    "CREASE": "crease|cleft|crack|creases|crevice|line",
    "CREASEONLY": "crease|cleft|crack|creases|crevice",
    "COLOR": "red|reddish|purple|purplish|dark|darker|blue|bluish|blueish|brown|brownish|pink|"
    "pinkish|black|gray|grayish|darkish|bruised|violet|maroon|wine|plum|tan|beige|"
    "white|whitish|pale|paler|discolored|different",
    "NONRED": "purple|purplish|dark|darker|blue|bluish|blueish|brown|brownish|pinkish|black|"
    "gray|grayish|darkish|bruised|violet|discolored",
    "CMARK": "mark|marks|marking|markings|patch|patches|spot|spots|stain|stains|area|skin|"
    "color|discoloration|blotch|blotches|splotch|tinge|tint|birthmark|birthmarks|blemish|"
    "shade|circle|colored|tone|bit|pigment|pigmentation",
    "DIMPLE": "dimple|dimples|hole|dent|pit|indent|indentation|dip|pinhole|opening",
    "DIMPLEIT": "it|its|dimple|hole|dent|pit|indent|indentation|dip|opening",
    "ADV": "very|quite|really|pretty|fairly|rather|so|super|bit|slightly|kinda|somewhat|extremely|"
    "too|fairly|reasonably|relatively|definitely|kind|sort|of|a|more|a|bit|little|lot",
    "BE": "is|'s|was|looks|seems|appears|feels|are|were|look|seem|appear|feel|be|being|been",
    "BIG": "large|big|huge|wide|largish|biggish|sizeable|sizable|massive|giant|enormous|bigger|"
    "larger|wider|broad",
    "SMALL": "tiny|small|teeny|teensy|minute|mini|microscopic|pinprick|miniscule|minuscule|"
    "smallish|titchy|weeny|itty",
    "BIGREF": "pea|peas|eraser|rubber|fingertip|penny|dime|5p|button|marble|grape|coin|"
    "thumbnail|nail|fingernail|nickel|raisin|blueberry|chickpea",
    "SMALLREF": "pinhead|pin|pinprick|rice|seed|freckle|match|pencil|pen|dot|ant|sesame|"
    "pinpoint|sand|poppy|grain",
    "DIAPER": "diaper|diapers|pants|underwear|knickers",
    "TOILET": "peeing|weeing|pooing|pooping|urinating|toilet|toileting|wee|poo|pee|poop|wees|poos|"
    "pees|poops|bladder|bowels|bowel|urine|stools|stool|bowel|movements",
    "LEGS": "legs|leg|feet|foot|ankles|knees|toes",
    "BREATHE": "breathe|breathing|breath|breaths|breathes",
}


@dataclass(frozen=True)
class _Rule:
    key: str  # a finding key, "red", "pat:<pattern>", "cue:<kind>" or "supp"
    pol: Optional[Answer]
    specs: Tuple[str, ...]
    suppress: FrozenSet[str] = frozenset()  # keys whose spans inside this one are dropped
    neg_ok: bool = True  # False: a negated/NO reading is dropped (e.g. "no fever" says nothing local)
    it_pred: bool = False  # "it is tiny": only trusted when "it" can only be the dimple


_RULES: List[_Rule] = []


def _r(key, pol, *specs, suppress=(), neg_ok=True, it_pred=False):
    _RULES.append(_Rule(key, pol, tuple(specs), frozenset(suppress), neg_ok, it_pred))


# Spec syntax: tokens separated by spaces; "a|b" = one token, either word; "x?" = optional
# token; "( a b | c )" = a group of multi-word alternatives, ")?" makes the group optional;
# "_" = any token; {NAME} = a macro from _MACROS.

# --- hair_tuft ---
_r("hair_tuft", YES, "hair|hairs|hairy|tuft|tufts|fuzz|fuzzy|furry|fur|fluff|fluffy|wispy|wisps|"
   "hairiness|hairier|whiskers|strands", "few hairs", "hairy patch",
   "tuft|tufts|patch|patches|bit|strands|strand|wisp|wisps|clump|few|couple|tuft of {ADV}? hair|hairs")
_r("supp", None, "head of hair", "hair on {POSS}? head", "{POSS} head hair",
   "hair cut|dryer|brush|band|bands|tie|ties|wash|clip|clips|loss|dye|do|style",
   "pulling {POSS}? hair", suppress=("hair_tuft",))

# --- skin_tag ---
_r("skin_tag", YES, "skintag", "skin tag|tags", "tag|tags", "tag of skin", "flap|flaps",
   "flap of skin", "skin flap|flaps", "growth|growths", "tail|tails", "appendage|appendages",
   "nub|nubbin|nubbins|stalk|polyp|polyps|wart|warts|outgrowth", "bit|piece of skin",
   "skin sticking|hanging|poking out", "sticking|poking out")
_r("supp", None, "tail bone|bones", "tail end", "name|price tag",
   "growth spurt|spurts|chart|charts|scan|rate|percentile|centile|centiles|check",
   "his|her|their|baby|normal|good growth", "tag you|me",
   "hair|hairs|fuzz|strands sticking|poking out", suppress=("skin_tag",))

# --- lump ---
_r("lump", YES, "lump|lumps|lumpy|bump|bumps|bumpy|bulge|bulges|bulging|mass|cyst|cysts|lipoma|"
   "lipomas|knot|nodule|nodules|protrusion|protruding|squishy",
   "swelling|swollen under|underneath|beneath {POSS}? skin", "soft swelling",
   "raised bit|area|skin|patch|spot", "{BE} {ADV}? {ADV}? raised",
   suppress=("infection",))
_r("supp", None, "baby bump", "goose bumps", "speed bump|bumps", "bump|bumped into",
   "bump on {POSS}? head", "raised temperature|concerns|concern|question", "mass of",
   "knot|knots in {POSS}? stomach|tummy", suppress=("lump",))

# --- discoloration ---
_r("discoloration", YES,
   "birthmark|birthmarks|hemangioma|hemangiomas|discolored|discoloration|discolor|discoloring|"
   "pigmented|pigmentation|hyperpigmentation|bruise|bruises|bruising|bruised|mole|moles|mark|marks|"
   "markings|marking|stain|stained|blotch|blotchy|blotches|splotch|splotchy|strawberry|"
   "portwine|birthmarked",
   "birth mark|marks", "port wine", "stork bite|bites|mark", "salmon patch|patches",
   "mongolian blue? spot|spots", "cafe au lait", "{COLOR} {COLOR}? {CMARK}",
   "{BE} {ADV}? {ADV}? {NONRED}|pink", "different color|colored", "color {BE} different",
   "bruise like", "pinkish|purplish|bluish|blueish|brownish|darkish|grayish|pinky", suppress=("red",))
_r("supp", None, "stretch mark|marks", "question mark|marks", "mark my words", "marks out of",
   "skid|tide|teeth|scratch mark|marks", suppress=("discoloration",))
# A bare "red" is discoloration unless swelling/warmth words make it inflammation.
_r("red", YES, "red|reddish|redness|reddened|reddening|redder|reddy", "pinky red", "red ish")
_r("supp", None, "red flag|flags", "red face|faced", "red in the face", "go|goes|went red",
   "red book", "red eyes", suppress=("red",))

# --- deep ---
_r("deep", YES, "deep|deeper|deepish|bottomless|pinhole|tunnel|tract|sinus|cavern",
   "pin hole", "( can not | could not | unable to ) {ADV}? see {POSS}? bottom|base|end|inside",
   "( can not | could not | unable to ) {ADV}? see|tell where it|the|its? ends|stops|end|bottom",
   "no visible? bottom|base", "see no bottom",
   "like|is|'s a {ADV}? little|small|tiny|deep|proper|real|actual? hole",
   "looks like a {ADV}? little|small|tiny|deep|proper|real? hole",
   "goes|go|going|went|extends|extending right|quite|way|all? in|down|inside|deep|deeply|inwards|inward|far",
   "goes|go|going|went in|down ( a long | a fair | a good | quite a ) way",
   "not just|only a {ADV}? little|small|slight|tiny? dent|dip|indent|indentation|dimple")
_r("deep", NO, "shallow|shallower|superficial",
   "can|could see {POSS}? bottom|base", "bottom|base {BE} visible",
   "just|only a {ADV}? little|small|slight|tiny|wee|shallow? dent|dip|indent|indentation",
   "little|small|slight|tiny|wee|shallow dent|dip|indent|indentation", "{BE} flat")
_r("supp", None, "deep red|purple|blue|brown|pink|breath|breaths|sleep|sleeper|down|voice|"
   "breathing|sigh|dive|thought|thoughts|concern|end|sleeping|clean|dark",
   "in deep", suppress=("deep",))

# --- large (measurements are read separately) ---
_r("large", YES, "{BIG} {DIMPLE}", "{BIG} sized|size {DIMPLE}",
   "bigger|larger|wider than a|an? pencil? {BIGREF}", "size of a|an? pencil? {BIGREF}",
   "as big|large|wide as a|an? pencil? {BIGREF}", "{BIGREF} sized|size", "{BIG} one",
   "good|decent|fair size|sized")
_r("large", YES, "{DIMPLEIT} {BE} {ADV}? {ADV}? {BIG}", it_pred=True)
_r("supp", None, "not? a|an? {ADV}? big|huge|large|massive|small|tiny deal|worry|concern|problem|thing|difference|issue|"
   "fuss|brother|sister|boy|girl|help|relief|question|chance|risk", suppress=("large",))
_r("large", NO, "{SMALL} {ADV}? {DIMPLE}", "pinprick|pinpoint|pinhead", "pin prick|point|head",
   "smaller than a|an? pencil? {BIGREF}",
   "size of a|an? {SMALLREF} prick|head|seed|tip|grain|dot?", "size of a grain of rice|sand",
   "no|not bigger|larger|wider than a|an? {SMALLREF} prick|head|seed|tip|grain|dot? of? rice|sand?",
   "{SMALLREF} sized|size")
_r("large", NO, "{DIMPLEIT} {BE} {ADV}? {ADV}? {SMALL}", "not {ADV}? big|large|huge|wide", it_pred=True)

# --- high ---
_r("high", YES,
   "well|way|far|high|much|higher|further|quite|clearly|significantly above {POSS}? {BUM}? {CREASE}",
   "well|way|far|high|much|higher|further|quite|clearly above {POSS}? anus|bum|butt|bottom|buttocks|bottoms",
   "a long|fair|good way above", "higher|high up", "up high", "higher than normal|usual|expected|i",
   "up on|at|in {POSS}? lower|low|mid|middle? back",
   "middle|mid of {POSS}? back", "mid back", "near|by|at|around {POSS}? waist|waistband|waistline",
   "waist level|height|line", "halfway up {POSS}? back", "above the top of {POSS}? {BUM}? {CREASE}",
   "very|quite|pretty|really|fairly|rather|too|so high", "{BE} {ADV}? {ADV}? high", "up near|towards {POSS}? lower? back",
   "not in|inside|near|at {POSS}? {BUM}? {CREASEONLY}", "nowhere near {POSS}? {BUM}? {CREASE}")
_r("high", NO,
   "in|inside|within|into|between {POSS}? {BUM}? {CREASEONLY}", "between {POSS}? {BUM}? cheeks",
   "just|right|very? at the very? top|start of {POSS}? {BUM}? {CREASEONLY}",
   "just|right|directly|immediately|straight above {POSS}? {BUM}? {CREASEONLY}",
   "just|right|directly|immediately above {POSS}? bum|butt|bottom|buttocks|anus",
   "low down", "down low", "{BE} {ADV}? {ADV}? low", "low on {POSS}? back|spine",
   "( near | by | next to | close to ) {POSS}? anus|bottom|bum",
   "start|top of {POSS}? {BUM}? {CREASEONLY}")
_r("supp", None, "a|very|quite|really|so? high temperature|fever|chance|risk|pitched|chair|five",
   "temperature|fever {BE} {ADV}? high", "low temperature|risk|chance", "low grade",
   suppress=("high",))

# --- cleft_abnormal ---
_CLEFTADJ = ("split|forked|fork|forks|forking|crooked|curved|curvy|curves|curving|bends|bent|"
             "bending|asymmetric|asymmetrical|uneven|lopsided|wonky|deviated|deviates|deviating|"
             "veers|veering|skewed|slanted|slants|slanting|angled|duplicated|double|twisted|"
             "diverted|divided|divides|splits|branches|branching|sideways|unusual|abnormal|odd|"
             "weird|strange|funny|irregular|off|misshapen|tilted|tilts|skew|skewed|askew|squint|"
             "squiffy|whiff")
_r("cleft_abnormal", YES,
   f"{_CLEFTADJ} looking? {{BUM}}? {{CREASEONLY}}", "y|v shaped|shape {BUM}? {CREASEONLY}?",
   f"{{CREASEONLY}} {{BE}}? {{ADV}}? {{ADV}}? {_CLEFTADJ}",
   "{CREASEONLY} {BE}? goes|curves|bends|veers|leans|runs|slants|turns|heads|drifts|deviates off? "
   "to|towards one|the|a side|left|right",
   "{CREASEONLY} {BE}? not {ADV}? straight|symmetrical|symmetric|even|normal|central|centered",
   "{CREASEONLY} {BE} in|like a y|v|fork", "{CREASEONLY} {BE}? {ADV}? y|v shaped",
   "goes|curves|bends|veers off? to one side", "not straight",
   "two {BUM}? creases|cracks|clefts", "double {BUM}? crease|crack|cleft",
   "{BUM} cheeks {BE}? {ADV}? uneven|asymmetric|asymmetrical|lopsided|different",
   "forked|forking|crooked", suppress=("off_midline",))
_r("cleft_abnormal", NO, "straight {BUM}? {CREASEONLY}",
   "{CREASEONLY} {BE} {ADV}? straight|normal|fine|symmetrical|symmetric|even|ok|okay|central",
   "{CREASEONLY} looks normal|fine|ok|okay")

# --- multiple ---
_r("multiple", YES, "more than one {DIMPLE}?", "another|second|2nd|extra|additional|third {DIMPLE}",
   "several|multiple|many|three|3|four|4|five|lots {ADV}? of? {DIMPLE}",
   "two|2|couple of? small|little|tiny|shallow? dimples|holes|pits|dents _? _? _? "
   "in|on|down|along|inside|within|at {POSS}? middle|midline|center|spine|crease|crack|cleft|line|top",
   "two|2 in|on {POSS}? middle|midline|spine|crease|crack|center",
   "dimples|holes|pits|ones|one ( above | on top of | below | under ) {POSS}? other|another",
   "one above|below {POSS}? other", "on top of each other", "in a row|line",
   "dimples|holes|pits in|on {POSS}? middle|midline|spine|crease|crack|cleft")
_r("multiple", NO, "only|just one {DIMPLE}?", "one|a single {DIMPLE}", "single {DIMPLE}",
   "only|just the one", "one {ADV}? {DIMPLE}", "no other {DIMPLE}", "no more than one")

# --- off_midline ---
_r("off_midline", YES, "off to one|the side", "to one|the side",
   "off|slightly|bit|little|more|over|veers|leans to the left|right|side",
   "to the left|right of {POSS}? {BUM}? crease|crack|spine|middle|midline|center|cleft|bum|butt|line",
   "on {POSS}? left|right ( side | hand side )?", "off center|centered|central|line",
   "offcenter|offcentre|lateral|laterally|eccentric",
   "not {ADV}? right|exactly|quite|dead? in|on {POSS}? middle|midline|center|spine|line",
   "not {ADV}? centered|central|centrally|midline|middle",
   "off {POSS}? midline|middle|center|spine",
   "left|right of {POSS}? middle|center|midline|crease|spine|crack",
   "to one side of {POSS}? spine|crease|crack|middle", "side of {POSS}? spine|crease|crack")
_r("off_midline", NO,
   "right|dead|exactly|perfectly|smack|bang|directly|straight? in|on {POSS}? middle|midline|center",
   "in {POSS}? midline", "midline", "centered|central|centrally", "on|along|over {POSS}? spine",
   "in line with {POSS}? spine|crease|crack",
   "middle of {POSS}? back|spine|crease|crack|bum|bottom|lower")
_r("supp", None, "middle of the night|day|feed|diaper", "in the middle of changing|a|feeding",
   "central nervous", suppress=("off_midline",))

# --- drainage ---
_r("drainage", YES,
   "fluid|fluids|pus|discharge|discharging|discharges|leak|leaks|leaking|leaked|leaky|leakage|ooze|"
   "oozes|oozing|oozed|oozy|weep|weeps|weeping|wept|wet|moist|damp|sticky|smelly|smells|stinks|stinky|"
   "smell|odor|bleeding|bleeds|bled|bleed|blood|gunk|goo|gooey|liquid|seeping|seeps|seep|drain|"
   "draining|drainage|drains|drained|secretion|secretions|mucus|crusty|crust|crusted|crusting|whiffy|"
   "gunky|exudate",
   "yellow|white|clear|green|yellowish|greenish stuff|liquid|gunk",
   "stuff coming|comes|came out")
_r("drainage", NO, "{BE} {ADV}? {ADV}? dry", "always|completely|totally|bone dry", "clean and dry")
_r("supp", None, "wet {DIAPER}", "wet the bed", "wet {POSS}? bed|pants",
   "blood test|tests|pressure|sugar|work|vessel|vessels|type",
   "discharged from|home", "discharge letter|papers|summary", "fluid filled", "smell of poo|poop",
   "leak|leaks|leaking|leaked into", "wet wipe|wipes|weather", "dry {DIAPER}",
   "{TOILET}|diaper|diapers|breath|feet|vomit|sick smells|smell|smelly|stinks|stinky|whiffy",
   "drink|drinking|drinks|plenty|enough|taking|take|more|his|her|of fluid|fluids",
   "{DIAPER} leak|leaks|leaking|leaked|leakage", "nose bleed|bleeds|bleeding",
   "{DIAPER} {BE} {ADV}? {ADV}? wet", "as wet as",
   suppress=("drainage",))

# --- infection (local signs) ---
_r("infection", YES, "swollen|swelling|swell|swells|puffy|inflamed|inflammation|infected|infection|"
   "infections|abscess|abscesses|boil|boils|cellulitis|pustule|pustules|warm|warmth|hot|heat",
   "angry looking?", "looks|looking angry", "red hot")
_r("infection", UNSURE, "tender|sore|painful", "{DIMPLEIT}|area|spot|skin hurts|aches",
   "hurts|painful when touched|pressed|touch|press|i")
_r("supp", None, "warm bath|water|room|weather|clothes|blanket|day|hands", "keep {POSS}? warm",
   "hot bath|water|weather|day|room|tub|drink",
   "risk|risks|chance|chances|prevent|avoid|stop of? infection|infections",
   "heat rash", "in the heat", "growing pains", "pain killers|relief",
   "hot|warm yesterday|today|outside|out|weather|day|night|summer|lately|recently|room|house|car|flush|flushes",
   "swollen|swelling gums|eyes|eye|eyelid|glands|belly|tummy|ankles|feet|face|lip|lips|cheek|cheeks",
   "ear|chest|throat|eye|urine|urinary|kidney|bladder|viral|tummy|stomach|water|yeast|thrush infection|infections",
   suppress=("infection",))
_r("supp", None, "gums|eyes|eye|eyelids|glands|belly|tummy|ankles|feet|face|lips|nose|throat "
   "{BE}? {ADV}? {ADV}? swollen|puffy|red|hot|warm|sore|inflamed", suppress=("infection", "red"))
# Whole-body signs: a fever is urgent, but "no fever" says nothing about the dimple itself.
_r("infection", YES, "fever|fevers|feverish|febrile|pyrexia|temperature|temperatures|lethargic|"
   "listless|lethargy|unwell", "high|raised|slight temperature", "temperature of|over|above",
   "{BE} {ADV}? {ADV}? poorly|ill|sick", "very|really|quite|so|seriously poorly|ill|sick",
   "not feeding|eating|drinking {ADV}? well|properly|much|normally?",
   "( will not | can not | wo not ) feed|eat|drink",
   "refusing|refuses|refused feeds|food|milk|bottle|bottles|breast", "refusing|refuses|refused to feed|eat",
   "off {POSS}? feeds|food|milk", "poor feeding|appetite", "feeding poorly|badly",
   "not taking {POSS}? feeds|bottle|milk|bottles", "hard to wake|rouse",
   "not interested in feeding|feeds|food|milk|eating|the bottle",
   "unusually|very|really|extremely|abnormally|so sleepy|drowsy", "burning up", "boiling hot",
   neg_ok=False)
_r("supp", None, "took|take|check|checked|taking|checking|measured {POSS}? temperature",
   "temperature {BE} {ADV}? normal|fine|ok|okay|good", "normal temperature", "room temperature",
   suppress=("infection",))

# --- neuro_symptoms ---
_r("neuro_symptoms", YES,
   "weak|weakness|weaker {LEGS}", "weak|weakness|weaker in {POSS}? {LEGS}",
   "numb|numbness|tingling|tingly|tingle|tingles|clumsy|clumsier|clumsiness|"
   "unsteady|wobbly|wobbling|unbalanced|limp|limps|limping|limped|incontinence|incontinent|"
   "bedwetting|paralysis|paralysed|paralyzed|bladder|bowel|bowels",
   "pins and needles", "falls|falling|fell over|down", "keeps falling|tripping",
   "trips|tripping|tripped|stumbles|stumbling",
   "( can not | unable to | will not | could not | struggles to | struggling to ) walk|stand|crawl",
   "stopped walking|crawling|standing",
   "not walking|crawling {ADV}? properly|normally|right|well|straight",
   "walk|walks|walking|walked|runs|running differently|funny|funnily|strangely|oddly|weird|weirdly|"
   "strange|odd|unevenly|abnormally|badly|awkwardly",
   "walk|walks|walking|walked on {POSS}? toes|tiptoes", "toe walking", "with a limp",
   "change|changes in {POSS}? walking|gait|walk", "drag|drags|dragging {POSS}? {LEGS}",
   "floppy {LEGS}", "{LEGS} {BE} {ADV}? {ADV}? weak|floppy|numb|wobbly|stiff|tingly|dead",
   "{LEGS} have|has|'ve|keep|keeps? gone|got|become|going|getting|giving {ADV}? weak|floppy|numb|wobbly|tingly|dead|way",
   "can|could not feel {POSS}? {LEGS}", "no feeling in {POSS}? {LEGS}",
   "not {ADV}? seem? to? feel anything|much|it in {POSS}? {LEGS}",
   "dribbling|dribbles|dribble|leaking|leaks|leak|leaked dribbles? of? urine|wee|pee|wees|pees|poo",
   "not|never peeing|weeing|urinating|pooing|pooping|pee|wee|urinate|poo|poop",
   "not pee|wee|peeing|weeing|poo|pooing as|very? much|often", "not passing urine|water|stools",
   "has|have not peed|weed|pooed|pooped", "has|have not had a wee|poo|wet", "not had a wet {DIAPER}?",
   "( fewer | less | no | dry | hardly any | not many | not as many ) wet? {DIAPER}",
   "wetting|wets|wet|soiling|soils again|himself|herself|myself|themselves",
   "wetting|wets|soiling|soils the bed",
   "wetting|wets|wet|soiling|soils|soiled|peeing|weeing|pooing|pooping|peed|weed|pooed|pooped "
   "{POSS}? pants|himself|herself|myself|knickers|trousers|underwear",
   "bed wetting", "accidents",
   "( can not | could not | unable to | struggling to | struggles to ) control {POSS}? {TOILET}",
   "problems|problem|trouble|difficulty|issues|issue|pain|straining with? {POSS}? {TOILET}",
   "lost control of {POSS}? {TOILET}",
   "new|severe|bad|really|very|terrible|awful|sudden|horrible|worse constipation|constipated",
   "constipated|constipation {BE}? {ADV}? new|severe|bad|worse|terrible",
   # Parents' words for the same signs.
   "favoring|favors|favor|favored|favouring|favours|favour|favoured {POSS}? one|left|right|other|"
   "good? {LEGS}|side",
   "( can not | could not | will not | unable to ) seem? to? stand|walk|crawl",
   "not|wo|will|wont|refuses|refusing|refused|unable to? put|putting|bear|bearing|take|taking "
   "any? weight on {POSS}? left|right|one|other? {LEGS}",
   "not|stopped|stops|stop using|use|moving {POSS}? left|right|one|other? {LEGS}",
   "{LEGS} {BE}? {ADV}? keeps|keep|kept giving|gave|give|gives way|out",
   "{LEGS} {BE} {ADV}? {ADV}? weaker",
   "wobble|wobbles|wobbled",
   "drag|drags|dragging|dragged one|both|a|the {LEGS}",
   "( no | lost | losing | loses | lose | not much ) control over|of {POSS}? {TOILET}",
   "( can not | could not | unable to | not able to ) hold {POSS}? {TOILET}|it|in",
   "( struggling | struggles | struggled | straining | strains | unable | not able ) to "
   "{TOILET}|pee|wee|poo|poop",
   "lost|losing|loses|lose feeling|sensation in {POSS}? {LEGS}",
   "has|have not done|passed|produced a|any {TOILET}",
   "{TOILET} much|far|way|a|lot? {ADV}? less|fewer",
   "{DIAPER} has|have|had been {ADV}? dry", "{DIAPER} {BE} {ADV}? dry all|since|for",
   suppress=("off_midline", "drainage"))
# "Weak" alone may be tiredness; not ruled out, so the legs question is still asked.
_r("neuro_symptoms", UNSURE, "constipated|constipation|constipating", "weak|weakness|weaker")
_r("neuro_symptoms", NO,
   "walk|walks|walking|walked|moves|moving|kicks|kicking|crawls|crawling|runs|running|stands|standing "
   "fine|normally|well|ok|okay|perfectly|normal|properly|great|happily",
   "{LEGS} {BE} {ADV}? fine|normal|ok|okay|strong|good",
   "moves|kicks|moving|kicking {POSS}? {LEGS} {ADV}? fine|normally|well|ok|okay|lots",
   "{TOILET} {ADV}? fine|normally|ok|okay|well|normal", "normal {TOILET}|diapers",
   "plenty of wet {DIAPER}", "{BE} walking fine|normally",
   "{TOILET} {BE} {ADV}? completely|totally|perfectly|all? fine|normal|normally|ok|okay|good",
   "moves|kicks|moving|kicking {POSS}? both? {LEGS} perfectly|completely|totally|just|like|as? "
   "fine|normally|well|ok|okay|normal|usual|always",
   "{DIAPER} {BE} {ADV}? as wet as usual|normal|always|ever")
_r("supp", None, "not walking|crawling|standing yet", "( can not | could not ) walk|crawl|stand yet",
   "too young to walk", "bladder infection", "weak spot", "hand foot and",
   suppress=("neuro_symptoms",))

# --- emergency ---
_r(EMERGENCY, YES,
   "not {BREATHE} {ADV}? normally|properly|right|well?", "stopped|stops|stop {BREATHE}",
   "struggling|struggle|struggles|difficulty|trouble|problems|fighting to? {BREATHE}",
   "( can not | unable to | could not ) breathe", "hard to breathe", "gasping|choking",
   "{BREATHE} {BE}? {ADV}? strangely|funny|weird|oddly|abnormally|badly|fast|heavily|hard|noisy|"
   "noisily|shallow|irregular",
   "blue lips", "lips {BE}? {ADV}? turning|turned|going|gone|went? blue|purple|gray",
   "turning|turned|going|gone|went|goes blue|gray|purple", "seizure|seizures|seizing|seized",
   "a|having|had|has|another|have fit|fits", "fitting", "convulsion|convulsions|convulsing|convulsed",
   "unresponsive", "not responding|responsive|reacting",
   "( will not | can not | could not ) wake {POSS}? him|her|them? up?",
   "not waking up?", "floppy", "gone|went|is|'s|goes limp", "unconscious", "passed out", "collapsed",
   "not moving", "unrousable",
   "went|goes|gone|going|go|becomes|became stiff and|then? "
   "jerked|jerking|jerky|shaking|shook|twitching",
   "jerking|twitching|shaking|jerky movements|arms|limbs|all over",
   suppress=("discoloration",))
_r(EMERGENCY, NO, "{BREATHE} {BE}? {ADV}? normally|fine|ok|okay|well|normal|good",
   "{BE} alert|responsive")
_r("supp", None, "fit and well|healthy", "fits in|into", "fit in", "fits well",
   "floppy {LEGS}", "floppy hat|ears", "deep breath|breaths",
   "blue spot|spots|mark|marks|patch|birthmark|tinge|tint|area|color", suppress=(EMERGENCY,))
_r("supp", None, "limp and|, floppy", suppress=("neuro_symptoms",))

# --- where the dimple is (pattern) ---
_r("pat:" + PATTERN_TWO_SIDES, YES,
   "one|1|a dimple? on|at each|either|both side|sides",
   "on|at? each|either|both side|sides of {POSS}? spine|back|bum|butt|crease|crack|middle|bottom|"
   "midline|tailbone|cleft|buttocks",
   "either|each|both side|sides", "dimples of venus|apollo", "venus|apollo dimples|dimple|dimpled",
   "back dimples|dimple", "symmetrical|symmetric|matching dimples",
   "one|1 on {POSS}? left|right and one|1|another|the other? on {POSS}? left|right",
   "pair of dimples", "two|2 dimples on|at either|each|both", "like back dimples",
   suppress=("off_midline", "multiple", "pat:" + PATTERN_ONE_MIDLINE))
_r("pat:" + PATTERN_ONE_MIDLINE, YES,
   "one|single|a dimple|hole|dent {ADV}? right|just|directly? in|on|at|above {POSS}? "
   "middle|midline|center|spine|top|base|crease|crack|cleft|tailbone|coccyx",
   "above {POSS}? {BUM}? {CREASEONLY}", "base of {POSS}? spine",
   "top of {POSS}? {BUM}? {CREASEONLY}", "on|at|over {POSS}? tailbone|coccyx|sacrum")
_r("pat:" + PATTERN_UNSURE, YES,
   "not sure|certain exactly? where", "( can not | could not ) tell|say exactly? where",
   "do not know exactly? where", "no idea where", "hard|difficult to say|tell where", "unsure where")

# --- cues ---
_r("cue:neg", None, "no|not|never|without|none|nothing|neither|nor|nowhere|zero|nil|absent|"
   "absence|lacks|lacking",
   "no sign|signs|evidence|trace of", "free of|from", "lack of", "not any", "not a single",
   "no longer", "not anymore")
_r("cue:unsure", None, "not sure|certain|positive|convinced", "unsure|uncertain|unclear", "not clear",
   "do|did not know", "dunno|idk", "no idea|clue", "not a clue",
   "can|could not tell|say", "( can not | could not ) work|figure|make out",
   "can|could not see if|whether", "can not be sure",
   "hard|difficult|tricky|impossible to tell|say|see|know",
   "not 100 %?", "wondering|wonder if|whether", "who knows", "no way to tell|know", "unable to tell|say",
   "might|may or may not", "not able to tell|see", "whether or not",
   "( can not | do not | could not ) remember|recall if|whether")
_r("cue:hyp", None, "if|unless|suppose|supposing|imagine|hypothetically|whether",
   "what if", "in case", "even if", "watch|watching|look|looking out? for", "keep an eye out? for",
   "check|checked|checking|look|looked for", "signs|things to look for",
   "should it", "worried|worry|scared|afraid it might|could|will|may get|become|start",
   # Reading about signs is not having them.
   "i|we read|heard|googled that?", "i|we 've|have|had read|heard|googled that?",
   "i|we 've|have|had been told that?",
   "apparently|supposedly|reportedly|allegedly", "( read | seen | saw ) online|somewhere",
   "( read | seen | saw ) on the? google|internet|forum|forums|nhs|tiktok|facebook",
   "google|internet|nhs|website|article|forum|leaflet|people|they say|says|said")
_r("supp", None, "not only|just", "not worried|bothered|concerned|fussed", "not too worried",
   "no worries", "nothing to worry about", "nothing wrong", "no doubt", "never mind",
   "not long ago", "not that bad", "no matter", "no one|body", "noone|nobody",
   "not much|many|loads|tons|lots", "not a lot|bunch|ton", "not that|too|very|so much|many",
   "not a huge|big|great amount|number|deal", "not a large amount|number",
   "no doctor|gp|midwife|nurse|one|health|visitor|paediatrician|pediatrician|consultant|specialist|scan",
   suppress=("cue",))

_FINDING_KEYS = frozenset(FINDINGS) | {EMERGENCY}


_SPEC_TOKEN_RE = re.compile(r"\(|\)\??|[^\s()]+")


def _expand(spec: str) -> List[List[dict]]:
    """One spec string -> the Matcher patterns it stands for."""
    for name, value in _MACROS.items():
        spec = spec.replace("{" + name + "}", value)
    tokens = _SPEC_TOKEN_RE.findall(spec)

    def seq(i: int) -> Tuple[List[List[str]], int]:
        out: List[List[str]] = [[]]
        while i < len(tokens) and tokens[i] not in (")", ")?", "|"):
            if tokens[i] == "(":
                alts: List[List[str]] = []
                i += 1
                while True:
                    part, i = seq(i)
                    alts.extend(part)
                    if tokens[i] == "|":
                        i += 1
                        continue
                    if tokens[i] == ")?":
                        alts.append([])
                    i += 1
                    break
                out = [a + b for a in out for b in alts]
            else:
                out = [a + [tokens[i]] for a in out]
                i += 1
        return out, i

    sequences, _ = seq(0)
    return [[_token_pattern(part) for part in sequence] for sequence in sequences if sequence]


def _token_pattern(part: str) -> dict:
    optional = part.endswith("?") and len(part) > 1
    if optional:
        part = part[:-1]
    if part == "_":
        tok: dict = {}
    else:
        alts = list(dict.fromkeys(part.split("|")))
        tok = {"NORM": alts[0]} if len(alts) == 1 else {"NORM": {"IN": alts}}
    if optional:
        tok["OP"] = "?"
    return tok


def _rule_words() -> FrozenSet[str]:
    """Every word a rule uses: these are never 'corrected' by the typo check."""
    words = set()
    for rule in _RULES:
        for spec in rule.specs:
            for tok in (t for pattern in _expand(spec) for t in pattern):
                norm = tok.get("NORM")
                if isinstance(norm, str):
                    words.add(norm)
                elif isinstance(norm, dict):
                    words.update(norm["IN"])
    return frozenset(words)


# Words too common to decide whether a pattern is worth trying on a message.
_COMMON_WORDS = frozenset(
    """is 's was are were be been being looks seems appears feels look seem appear feel the his her
    my their our its your this that a an baby son daughter it to of in on at and or not no very
    quite really pretty fairly rather so super bit slightly kinda somewhat extremely too reasonably
    relatively definitely kind sort more little lot""".split()
)


def _trigger_words(pattern: List[dict]) -> FrozenSet[str]:
    """The words of the most selective required token: the pattern cannot match without one."""
    best: Optional[Tuple[Tuple[bool, int], FrozenSet[str]]] = None
    for tok in pattern:
        if tok.get("OP") == "?" or "NORM" not in tok:
            continue
        norm = tok["NORM"]
        words = frozenset([norm]) if isinstance(norm, str) else frozenset(norm["IN"])
        score = (bool(words & _COMMON_WORDS), len(words))
        if best is None or score < best[0]:
            best = (score, words)
    if best is None:
        raise ValueError(f"pattern without a required word: {pattern}")
    return best[1]


class _Pipeline:
    """The blank English pipeline plus the rule matchers, built once per process.

    One spaCy Matcher holding every pattern costs a few microseconds per pattern and
    token, so the patterns are bucketed by a word they require and only the buckets
    whose word occurs in the message are run (about 0.5 ms instead of 5 ms).
    """

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import Matcher

        self.nlp = spacy.blank("en")
        buckets: Dict[str, Dict[int, List[List[dict]]]] = {}
        for index, rule in enumerate(_RULES):
            for spec in rule.specs:
                for pattern in _expand(spec):
                    for word in _trigger_words(pattern):
                        buckets.setdefault(word, {}).setdefault(index, []).append(pattern)
        self.matchers: Dict[str, Matcher] = {}
        for word, by_rule in buckets.items():
            matcher = Matcher(self.nlp.vocab)
            for index, patterns in by_rule.items():
                matcher.add(f"r{index}", patterns)
            self.matchers[word] = matcher
        self.rule_of = {self.nlp.vocab.strings[f"r{i}"]: rule for i, rule in enumerate(_RULES)}
        self.known = _rule_words() | frozenset(_NORM_MAP.values()) | frozenset(_NORM_MAP)

    def matches(self, doc, norms: Sequence[str], sentences) -> List[Tuple[int, int, int]]:
        """All rule matches. Rules never cross a sentence end, so each bucket is run on
        the sentences that contain its word only (a call costs ~0.4 us per token)."""
        found = set()
        whole = len(sentences) == 1 and sentences[0][1] - sentences[0][0] <= _WINDOW
        for s, e in _windows(sentences) if not whole else [(0, len(doc))]:
            part = doc if (s, e) == (0, len(doc)) else doc[s:e]
            for word in set(norms[s:e]):
                matcher = self.matchers.get(word)
                if matcher is not None:
                    found.update((m, a + s, b + s) for m, a, b in matcher(part))
        return sorted(found, key=lambda m: (m[1], m[2]))


# Run-on sentences are matched in overlapping windows; no pattern is longer than the overlap.
_WINDOW = 64
_OVERLAP = 14


def _windows(sentences) -> List[Tuple[int, int]]:
    out = []
    for s, e, _ in sentences:
        start = s
        while True:
            end = min(e, start + _WINDOW)
            out.append((start, end))
            if end >= e:
                break
            start = end - _OVERLAP
    return out


_PIPELINE: Optional[_Pipeline] = None
_LOCK = threading.Lock()


def _pipeline() -> _Pipeline:
    global _PIPELINE
    if _PIPELINE is None:
        with _LOCK:
            if _PIPELINE is None:
                _PIPELINE = _Pipeline()
    return _PIPELINE


# ---------------------------------------------------------------------------
# 3. Spans, sentences and scope
# ---------------------------------------------------------------------------


@dataclass
class _Span:
    key: str
    pol: Optional[Answer]
    start: int
    end: int
    rule: Optional[_Rule] = None
    final: Optional[Answer] = None
    hyp: bool = False
    asked: bool = False

    @property
    def length(self) -> int:
        return self.end - self.start


def _filter_longest(spans: List[_Span]) -> List[_Span]:
    """Keep the longest of overlapping spans (ties: the earliest), like spaCy's filter_spans."""
    kept: List[_Span] = []
    taken = set()
    for span in sorted(spans, key=lambda s: (-s.length, s.start)):
        if not any(i in taken for i in range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


_SENT_END_RE = re.compile(r"^[.!?…]+$")
_BREAK_TOKENS = {";", ":", "(", ")", "[", "]", "-", "–", "—", "|", "•", "*"}
_CONTRAST = {"but", "though", "although", "however", "except", "whereas", "apart", "besides",
             "aside", "only", "just", "also", "plus", "because", "cause", "cos", "since",
             "otherwise", "instead", "while", "whilst", "unlike", "yet", "anyway", "still",
             "then", "tho", "altho", "excluding", "bar"}
_SUBJ_PRON = {"it", "there", "he", "she", "i", "we", "they", "you", "this", "its", "that",
              "these", "those"}
_PREPS = {"on", "in", "around", "near", "of", "at", "from", "to", "with", "by", "about", "under",
          "above", "over", "inside", "beside", "next", "into", "onto", "below", "behind", "for",
          "like", "round", "within", "across", "through", "is", "'s", "are", "was", "does", "did",
          "has", "have", "do", "can", "will", "would", "could", "should", "think", "say", "mean",
          "feel", "notice", "see", "find"}
_AND_BREAK = {"a", "an", "some", "the", "there", "it", "he", "she", "i", "we", "they", "my", "his",
              "her", "our", "their", "this", "also", "has", "have", "is", "'s", "was", "looks", "seems",
              "got", "its", "you", "one", "now", "then", "still", "yet", "another", "what"}
_VERB_STOP = {"has", "have", "had", "'s", "is", "are", "was", "were", "got", "gets", "seems",
              "looks", "appears", "does", "did", "keeps", "can", "could", "will", "would", "might",
              "may", "should", "must", "'ve", "'d", "am", "be", "now", "still"}
_SKIP = {"any", "obvious", "visible", "sign", "signs", "of", "a", "an", "the", "real", "really",
         "very", "too", "at", "all", "kind", "sort", "other", "apparent", "evidence", "noticeable",
         "noticeably", "actual", "such", "thing", "things", "sort", "type", "kinds", "much",
         "more", "extra", "further", "either", "definitely", "certainly", "even", "to", "be",
         "been", "seem", "look", "appear", "anything", "something", "like", "from", "what",
         "i", "can", "could", "see", "tell", "with"}
_COMMA_OK = {"any", "obvious", "visible", "other", "no", "nor", "or", "real", "actual", "noticeable",
             "apparent", "unusual", "odd", "weird", "strange"}
_MENTAL = {"think", "believe", "reckon", "suppose", "look", "looks", "seem", "seems", "appear",
           "appears", "feel", "feels", "notice", "noticed", "see", "seen", "saw", "spot", "spotted",
           "find", "found", "say", "said", "like", "sound", "sounds", "imagine", "know", "knew",
           "guess", "expect", "realise", "realize", "think"}
_HEDGE_NEG = {"might", "may", "maybe", "possibly", "perhaps", "probably", "likely"}


def _sentences(doc, norms: Sequence[str]) -> List[Tuple[int, int, bool]]:
    """(start, end, ends_with_question_mark) for each sentence."""
    out = []
    start = 0
    n = len(doc)
    for i, tok in enumerate(doc):
        text = tok.text
        is_end = bool(_SENT_END_RE.match(text))
        if tok.is_space and "\n" in text:
            is_end = True
        elif not is_end and not tok.is_space and _is_symbol(text):
            is_end = True  # emoji between clauses work like a full stop
        if is_end:
            if i > start:
                out.append((start, i, "?" in text))
            elif out and "?" in text:
                s, e, _ = out[-1]
                out[-1] = (s, e, True)
            start = i + 1
    if start < n:
        out.append((start, n, False))
    return [(s, e, q) for s, e, q in out if e > s]


def _is_symbol(text: str) -> bool:
    if not text or text[0].isalnum():
        return False
    return all(unicodedata.category(ch) in ("So", "Sk", "Sm", "Mn", "Me") for ch in text)


class _Neg:
    def __init__(self, norms: Sequence[str], start: int, end: int, hedged: bool) -> None:
        self.hedged = hedged
        self.seen = False
        self.gap = 0
        self.gap_after = 0
        self.conn: Optional[str] = None
        self.conn_idx = -1
        following = norms[end:end + 3]
        # "I don't think there's hair": the cue reaches over one new subject.
        self.allow_subj = 1 if any(w in _MENTAL for w in following) else 0
        self.last_keys: set = set()
        self.last_end = -1


class _Mod:
    def __init__(self, kind: str) -> None:
        self.kind = kind  # "unsure" or "hyp"
        self.subjects = 0
        self.last_cue_end = -1


def _reply_to(pol: Optional[Answer], reply: Answer) -> Answer:
    """A yes/no reply about a phrase: "shallow? no" means deep."""
    if reply == UNSURE or pol != NO:
        return reply
    return YES if reply == NO else NO


def _flip(pol: Optional[Answer]) -> Optional[Answer]:
    """A negated phrase: "not shallow" is deep, "not sore" rules soreness out."""
    if pol == NO:
        return YES
    return NO


def _walk(norms: Sequence[str], s: int, e: int, spans: List[_Span], cues: List[_Span]) -> None:
    """Give every finding span in one sentence its polarity and hypothetical flag."""
    spans_at: Dict[int, List[_Span]] = {}
    for span in spans:
        spans_at.setdefault(span.start, []).append(span)
    cues_at = {cue.start: cue for cue in cues}
    neg: Optional[_Neg] = None
    mod: Optional[_Mod] = None
    negated: List[_Span] = []
    covered_until = -1
    i = s
    while i < e:
        n = norms[i]
        if n in _BREAK_TOKENS or n in _CONTRAST or (n == "other" and i + 1 < e and norms[i + 1] == "than"):
            if n in _CONTRAST and negated and _elliptic_yes(norms, i + 1, e):
                # "it never used to leak but now it does": the ellipsis revokes the "no".
                for span in negated:
                    span.final = YES
                negated.clear()
            neg = mod = None
            i += 1
            continue
        cue = cues_at.get(i)
        if cue is not None:
            kind = cue.key[4:]
            if kind == "neg":
                if _is_answer_no(norms, i, e):
                    i = cue.end
                    continue
                hedged = any(w in _HEDGE_NEG for w in norms[max(s, i - 3):i])
                neg = _Neg(norms, cue.start, cue.end, hedged)
            elif not (kind == "hyp" and mod is not None and mod.kind == "unsure" and mod.last_cue_end >= i - 1):
                # "not sure if ..." stays uncertain rather than becoming hypothetical.
                mod = _Mod(kind)
            if mod is not None:
                mod.last_cue_end = cue.end
            i = cue.end
            continue
        here = spans_at.get(i, [])
        for span in here:
            pol = span.pol
            # "nobody noticed the hair", "not sure what the lump is": "the" says it exists.
            presupposed = (span.start > s and norms[span.start - 1] in _DEF_DETS
                           and norms[span.start] in _NOUN_FINDING_WORDS)
            if neg is not None and _neg_admits(neg, norms, span, e, spans_at):
                if not presupposed:
                    # "it might not be deep" is not a firm no.
                    pol = (YES if pol == NO else UNSURE) if neg.hedged else _flip(pol)
                    if pol == NO:
                        negated.append(span)
            elif neg is not None and span is here[0]:
                neg = None
            if mod is not None:
                if mod.kind == "unsure":
                    pol = pol if presupposed else UNSURE
                else:
                    span.hyp = True
            span.final = pol
        if here:
            if neg is not None:
                neg.seen = True
                neg.conn = None
                neg.gap_after = 0
                neg.last_keys = {sp.key for sp in here}
                neg.last_end = max(sp.end for sp in here)
            covered_until = max(covered_until, max(sp.end for sp in here))
        if i < covered_until:
            i += 1
            continue
        # A plain token: does it end the cue's reach?
        nxt = norms[i + 1] if i + 1 < e else ""
        prev = norms[i - 1] if i > s else ""
        if neg is not None:
            if n == ",":
                if not neg.seen:
                    neg = None
                else:
                    neg.conn, neg.conn_idx = ",", i
            elif n in ("or", "nor", "/", "&"):
                if neg.seen:
                    neg.conn, neg.conn_idx = "or", i
            elif n == "and":
                if nxt in _AND_BREAK:
                    neg = None
                elif neg.seen:
                    neg.conn, neg.conn_idx = "and", i
            elif n in _SUBJ_PRON and prev not in _PREPS:
                if neg.allow_subj > 0 and not neg.seen:
                    neg.allow_subj -= 1
                else:
                    neg = None
            elif neg.seen and n in _VERB_STOP:
                neg = None
            elif n not in _SKIP:
                if not neg.seen:
                    neg.gap += 1
                    if neg.gap > 5:
                        neg = None
                elif neg.conn is None:
                    neg.gap_after += 1
                    if neg.gap_after > 4:
                        neg = None
        if mod is not None:
            if n == "," and (mod.kind == "hyp" or nxt in _SUBJ_PRON or nxt in ("my", "his", "her", "our")):
                mod = None
            elif n == "and" and nxt in ("it", "there", "he", "she", "i", "we", "they", "my", "his", "her", "our"):
                mod = None
            elif mod.kind == "hyp" and n in _SUBJ_PRON and prev not in _PREPS:
                mod.subjects += 1
                if mod.subjects > 1:
                    mod = None
        i += 1


_DEF_DETS = {"the", "that", "this", "those", "these", "his", "her", "its", "their"}
_ELLIPSIS_SUBJ = {"it", "he", "she", "there", "they", "its", "we", "i"}
_ELLIPSIS_AUX = {"does", "is", "has", "did", "was", "do", "are", "have", "'s", "can", "used", "were",
                 "had", "might", "may", "could", "will"}


_WHEN_WORDS = {"now", "recently", "lately", "sometimes", "today", "yesterday", "last", "week",
               "weeks", "night", "month", "months", "before", "earlier", "once", "twice", "a", "few",
               "days", "day", "ago", "then", "at", "times", "occasionally", "on", "and", "off", "this",
               "morning", "actually", "definitely", "really", "again", "still", "to", "in", "the",
               "past", "couple", "of", "when", "he", "she", "was", "born", "first", ","}


def _elliptic_yes(norms: Sequence[str], k: int, e: int) -> bool:
    """'... but now it does', '... though it did last week', '... but it used to'."""
    # Symbols and numbers after it ("... but now it does <3", "!!") do not undo it.
    words = [w for w in norms[k:e] if any(c.isalpha() for c in w)
             and w not in ("now", "recently", "lately", "actually", "definitely",
                           "really", "sometimes", "still")]
    return len(words) >= 2 and words[0] in _ELLIPSIS_SUBJ and words[1] in _ELLIPSIS_AUX \
        and all(w in _WHEN_WORDS for w in words[2:])


def _neg_admits(neg: _Neg, norms, span: _Span, e: int, spans_at) -> bool:
    if not neg.seen:
        return True
    if neg.conn is None:
        # "no tuft of hair": two words for the same sign belong to one phrase.
        return span.key in neg.last_keys and span.start - neg.last_end <= 2
    if span.pol == NO or any(w in _VERB_STOP for w in norms[span.start:span.end]):
        return False  # "no swelling, legs are fine": a clause of its own, not a list item
    if neg.conn == ",":
        if any(norms[k] not in _COMMA_OK for k in range(neg.conn_idx + 1, span.start)):
            return False
        after = norms[span.end] if span.end < e else ""
        return after in ("", ",", "or", "and", "nor", "/", "&", ".", ";") or after in _CONTRAST \
            or span.end in spans_at or after in _BREAK_TOKENS
    return True


def _is_answer_no(norms: Sequence[str], i: int, e: int) -> bool:
    """A 'no' that is a reply ("No, it leaks") rather than a determiner ("no hair")."""
    if norms[i] != "no":
        return False
    nxt = norms[i + 1] if i + 1 < e else ""
    if not nxt or nxt.isspace() or _is_symbol(nxt):
        return True
    return nxt in (",", ".", "!", "no", "nope", "-", "thanks", "thank", "sorry", "i", "it", "he",
                   "she", "there", "but", "just", "its", "we", "they", "that", "the")


# ---------------------------------------------------------------------------
# 4. Questions
# ---------------------------------------------------------------------------

_Q_AUX = {"is", "are", "am", "was", "were", "can", "could", "does", "do", "did", "should", "would",
          "will", "shall", "has", "have", "any"}
_Q_WH = {"what", "why", "how", "where", "which", "who", "whats", "hows", "when", "wat", "wot", "whether"}
_Q_PREV = {",", ";", ":", "-", "and", "but", "so", "or", "also", "then", "just", "like", "hi", "hello",
           "hey", "ok", "okay", "well", "um", "erm", "question", "quick", "please", "pls", "plz",
           "thanks", "anyway", "now", "basically", "honestly", "seriously", "sorry", "also"}
_INTERJ = {"hi", "hello", "hey", "ok", "okay", "so", "well", "um", "erm", "uh", "hmm", "hm", "oh", "ah",
           "sorry", "please", "and", "also", "quick", "question", "honestly", "basically", "right",
           "dear", "doctor", "thanks", ",", "-", "er", "uhm", "anyway", "just", "also", "yo", "hiya"}
_OPENERS = {"i", "my", "he", "she", "it", "there", "his", "her", "our", "we", "they", "its", "this",
            "baby", "son", "daughter", "mine", "me"}
_INVERTED_SUBJ = {"it", "that", "this", "there", "he", "she", "i", "we", "they", "you", "my", "his",
                  "her", "our", "your", "its", "these", "those"}
_COMPLEMENTIZER = {"that", "because", "cos", "since", "as"}
_EMBED_VERBS = {"has", "have", "'s", "is", "got", "keeps", "seems", "looks", "had", "was", "'ve",
                "smells", "leaks", "feels", "started", "looked", "seemed", "gets"}
_HYP_WORDS = {"if", "whether", "when", "whenever", "unless", "case"}
_NOUN_FINDING_WORDS = {"hair", "hairs", "tuft", "tufts", "fuzz", "tag", "tags", "skintag", "skin",
                       "flap", "growth", "lump", "lumps", "bump", "bumps", "bulge", "mass", "cyst",
                       "birthmark", "birthmarks", "mark", "marks", "patch", "spot", "stain",
                       "hemangioma", "fluid", "pus", "discharge", "leaking", "leak", "oozing",
                       "swelling", "redness", "fever", "temperature", "bleeding", "blood", "smell",
                       "hole", "bruise", "bruising", "mole", "weakness", "numbness", "tingling",
                       "constipation"}
_ASSERT_DETS = {"the", "this", "that", "his", "her", "my", "these", "those", "its", "our", "their"}


def _question_ranges(norms: Sequence[str], s: int, e: int, qmark: bool) -> List[Tuple[int, int, bool]]:
    """(start, end, why) for each interrogative clause of a sentence."""
    first = s
    while first < e and norms[first] in _INTERJ:
        first += 1
    starts: List[Tuple[int, bool]] = []
    for k in range(first, e):
        n = norms[k]
        at_start = k == first or norms[k - 1] in _Q_PREV
        if not at_start:
            continue
        nxt = norms[k + 1] if k + 1 < e else ""
        if n in _Q_AUX or n in ("what", "why", "how", "where", "which", "who", "whats", "hows", "wat", "wot"):
            if n == "any" and not qmark:
                continue
            if n in _Q_AUX and n != "any":
                # Only an inverted subject makes "is/has/can ..." a question: "and is red"
                # or "can not tell how deep" (subject dropped) is a statement.
                if nxt in ("not", "be", "been") and not qmark:
                    continue
                if k != first and nxt not in _INVERTED_SUBJ and not (qmark and nxt in ("a", "an", "the", "any")):
                    continue
                if n in ("have", "has") and nxt not in _INVERTED_SUBJ and nxt not in ("anyone", "anybody"):
                    continue
            if k != first and not qmark and n in ("what", "how", "which", "who", "where"):
                continue
            why = n == "why" or (n == "how" and k + 1 < e and norms[k + 1] == "come")
            starts.append((k, why))
        elif n == "when" and qmark:
            starts.append((k, False))
    if not starts and qmark and first < e and norms[first] not in _OPENERS:
        starts.append((first, False))
    ranges = []
    for start, why in starts:
        end = e
        for k in range(start + 1, e - 1):
            if norms[k] in (",", "and", "but", "because", "cos", ";") and norms[k + 1] in _OPENERS:
                end = k
                break
            if norms[k] in ("but", ";"):
                end = k
                break
        ranges.append((start, end, why))
    return ranges


_GENERIC_MODALS = {"would", "could", "might", "may", "can", "do", "does", "should", "will"}
_GENERIC_SUBJ = {"a", "an", "some", "any", "dimples", "babies", "people", "kids", "children",
                 "someone", "anyone", "you"}


def _asserted_in_question(norms: Sequence[str], qstart: int, span: _Span, why: bool) -> bool:
    if why:
        # "Why is it leaking?" tells; "why would a dimple ooze pus?" asks about dimples in
        # general.
        words = norms[qstart + 1:qstart + 3]
        return not (len(words) == 2 and words[0] in _GENERIC_MODALS and words[1] in _GENERIC_SUBJ)
    between = norms[qstart:span.start]
    if any(w in _HYP_WORDS for w in between):
        return False
    for k in range(qstart + 2, span.start):
        w = norms[k]
        if w == "that" and norms[k - 2] in ("a", "an", "any", "some"):
            continue  # "can a dimple that leaks be ...": a relative clause, not a report
        if w in _COMPLEMENTIZER:
            return True
        # Not "it": "any chance it's infected?" asks, "is it bad he has hair?" tells.
        if w in ("he", "she", "there", "i", "we", "they") and k + 1 < len(norms) \
                and norms[k + 1] in _EMBED_VERBS and norms[k - 1] not in _Q_AUX:
            return True
        if w in ("my", "our") and k + 2 < len(norms):
            if norms[k + 1] in _EMBED_VERBS or (norms[k + 2] in _EMBED_VERBS and norms[k + 1] != "to"):
                return True
    if span.start > qstart and norms[span.start - 1] in _ASSERT_DETS \
            and norms[span.start] in _NOUN_FINDING_WORDS:
        return True
    return False


# ---------------------------------------------------------------------------
# 5. Bare replies
# ---------------------------------------------------------------------------

def _phrases(text: str, answer: Answer, follow: str):
    return [(tuple(p.split()), answer, follow) for p in text.split(";")]


# follow: what may come after the phrase for the message still to be a bare reply.
# "loose" = anything ("yes there's some hair"); "cont" = punctuation or a word that starts an
# elaboration ("no, it's fine", "no it isn't") but not a noun ("no hair" is a finding, not a
# reply); "strict" = punctuation only ("it is." but not "it is deep").
_ANSWER_PHRASES = sorted(
    _phrases("yes;yeah;yep;yup;ya;yea;yah;aye;y;yes please;yess;yass;yus;yeh;yeap;uh huh;mhm;"
             "mm hmm;i think so;think so;i believe so;i guess so;guess so;i reckon so;definitely;"
             "absolutely;of course;affirmative;yes it is;yes it does;yes there is;"
             "i would say so;seems so;looks like it;seems like it", YES, "loose")
    + _phrases("correct;indeed;probably;probably yes;it does;it is;there is;he does;she does;"
               "that is right;that 's right;that is correct;that 's correct;right;yes right;"
               "he has;she has;it has;there are;they are;kind of;sort of;kinda;sorta;a bit;"
               "a little;slightly;a little bit;a tiny bit;i do;we do;sure;looks that way;true;"
               "it is yes;i think it is;i think it does;i think there is;yes i think so;not much;"
               "not a lot;only a little;just a little;just a bit;a tiny bit;a wee bit;barely;hardly", YES, "strict")
    + _phrases("no;nope;nah;naw;nay;no way;not really;none;nothing;never;neither;not at all;"
               "i do not think so;do not think so;i do not believe so;not that i can see;"
               "not that i know of;not that i have noticed;not that i noticed;not that i have seen;"
               "not as far as i can tell;not as far as i know;not as far as i can see;"
               "no it is not;no it does not;no there is not;no not really;none at all;"
               "nothing at all;nope nothing;not that i am aware of;no sign;no signs;"
               "i have not noticed;have not noticed;not seen any;have not seen any;"
               "i have not seen any;no i do not think so;nope not that i can see;definitely not;"
               "nothing like that;i do not see any;do not see any;can not see any;"
               "can not see anything;can not see anything like that;i can not see anything;"
               "there is none;there 's none;there is nothing;there 's nothing;no none;"
               "i do not see anything;not seeing any;not seeing anything;"
               "absolutely not;certainly not;of course not;defo not;def not;nope definitely not;"
               "not at all no;no definitely not;no absolutely not", NO, "cont")
    + _phrases("n;it is not;it does not;there is not;he does not;she does not;it has not;"
               "there are not;they are not;not;negative;not one;i do not;we do not;false;"
               "i do not think it is;i do not think it does;i do not think there is", NO, "strict")
    + _phrases("not sure;unsure;dunno;do not know;i do not know;idk;no idea;not a clue;"
               "no clue;can not tell;can not say;can not really tell;hard to say;hard to tell;"
               "difficult to say;difficult to tell;maybe;possibly;perhaps;might be;could be;"
               "not certain;i am not sure;who knows;not 100 %;not 100 % sure;unclear;"
               "yes and no;no and yes;i can not tell;i can not say;i am unsure;probably not;"
               "maybe not;i have no idea;i am not certain;i do not really know;"
               "do not really know;not really sure;not too sure;not entirely sure;"
               "i could not say;could not say;could not tell;i could not tell;"
               "it is hard to say;it is hard to tell;i think maybe;maybe maybe not;"
               "can not be sure;i can not be sure;no idea tbh;i am not too sure;"
               "i really do not know;really not sure;honestly not sure;no i do not know;"
               "i have no clue;can not really see;it is hard to tell;it 's hard to tell;"
               "it is hard to say;it 's hard to say;i can not see it properly;can not see it properly;"
               "i can not see it well;i can not see it clearly;i honestly do not know;"
               "i have not checked;have not checked;not checked;i did not check;i have not looked;"
               "have not looked;not looked;i can not really tell;i am not really sure;"
               "i can not tell how;i am not sure what", UNSURE, "cont")
    + _phrases("can not see;i can not see;i can not really see;not sure really", UNSURE, "strict"),
    key=lambda p: -len(p[0]),
)
# "not sure if ...", "can't tell how deep": still a reply, the rest only says about what.
_UNSURE_CONT = {"how", "if", "whether", "what", "where", "exactly", "for", "about", "which"}
_ANSWER_BY_FIRST: Dict[str, List[Tuple[Tuple[str, ...], Answer, str]]] = {}
for _phrase in _ANSWER_PHRASES:  # longest first, as sorted above
    _ANSWER_BY_FIRST.setdefault(_phrase[0][0], []).append(_phrase)
_ANSWER_CONT = {"but", "it", "its", "there", "he", "she", "they", "i", "the", "just", "only",
                "thanks", "thank", "sorry", "lol", "haha", "tbh", "really", "not", "as", "far", "that",
                "at", "all", "x", "xx", "xxx", "though", "actually", "honestly", "so", "we", "you",
                "no", "nope", "nothing", "none", "to", "from", "either", "yet", "anyway",
                "mate", "doc", "again", "then", "now", "sadly", "thankfully", "luckily", "ok", "okay",
                "exactly", "whatsoever", "this", "his", "her", "my", "our", "unfortunately",
                "fortunately", "im", "ive", "hmm", "i'm"}


def _answer_at(norms: Sequence[str], i: int, e: int, strict: bool) -> Optional[Tuple[Answer, int]]:
    """A reply phrase at token i. strict: only punctuation (or "and") may follow it."""
    for words, answer, follow in _ANSWER_BY_FIRST.get(norms[i], ()) if i < e else ():
        end = i + len(words)
        if end > e or tuple(norms[i:end]) != words:
            continue
        nxt = norms[end] if end < e else ""
        if nxt == "" or nxt in (",", ".", "!", "?", ";", ":", "-", "...") or _is_symbol(nxt) \
                or nxt.isspace():
            return answer, end
        if strict or follow == "strict":
            if strict and nxt == "and":
                return answer, end
            continue
        if follow == "loose" and nxt not in ("not", "no", "nope", "never"):
            return answer, end
        if follow != "loose" and (nxt in _ANSWER_CONT or (answer == UNSURE and nxt in _UNSURE_CONT)):
            return answer, end
    return None


_EMOJI_ANSWERS = (("👍", YES), ("✅", YES), ("✔", YES), ("👎", NO), ("❌", NO), ("✖", NO),
                  ("🚫", NO), ("🤷", UNSURE))


def _emoji_answer(text: str) -> Optional[Answer]:
    stripped = text.strip()
    if stripped and all(_is_symbol(ch) or ch.isspace() or ch in "\u200d\ufe0f" for ch in stripped):
        for emoji, answer in _EMOJI_ANSWERS:
            if emoji in stripped:
                return answer
    return None


def _bare_answer(norms: Sequence[str]) -> Optional[Answer]:
    i, e = 0, len(norms)
    while i < e:
        found = _answer_at(norms, i, e, strict=False)  # "uh huh", "right" are replies too
        if found is not None:
            return found[0]
        if not (norms[i] in _INTERJ or norms[i].isspace()):
            return None
        i += 1
    return None


# ---------------------------------------------------------------------------
# 6. Numbers: sizes, distances and ages
# ---------------------------------------------------------------------------

_WORD_NUMS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
              "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
              "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
              "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
              "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1, "half": 0.5,
              "couple": 2, "few": 3}


_DECIMAL_RE = re.compile(r"^\d{1,6}(?:[.,]\d{1,3})?$")


def _number_at(norms: Sequence[str], i: int, e: int) -> Optional[Tuple[float, int]]:
    """A number starting at token i: (value, index after it)."""
    if i >= e:
        return None
    w = norms[i]
    value: Optional[float] = None
    j = i + 1
    if _DECIMAL_RE.match(w):
        value = float(w.replace(",", "."))
    else:
        if w in ("a", "an") and i + 1 < e and norms[i + 1] in ("couple", "few"):
            value = _WORD_NUMS[norms[i + 1]]
            j = i + 2
            if j < e and norms[j] == "of":
                j += 1
        elif w == "half" and i + 1 < e and norms[i + 1] in ("a", "an"):
            value, j = 0.5, i + 2
        elif w in _WORD_NUMS:
            value = float(_WORD_NUMS[w])
            if w in ("twenty", "thirty", "forty", "fifty") and j < e and norms[j] in _WORD_NUMS \
                    and _WORD_NUMS[norms[j]] < 10 and norms[j] not in ("a", "an", "half"):
                value += _WORD_NUMS[norms[j]]
                j += 1
            if w in ("couple", "few") and j < e and norms[j] == "of":
                j += 1
    if value is None:
        return None
    # "one and a half", "2 and a half"
    if norms[j:j + 3] == ["and", "a", "half"]:
        value += 0.5
        j += 3
    return value, j


_SIZE_UNITS = {"mm": 1.0, "cm": 10.0, "inch": 25.4, '"': 25.4, "in": 25.4}
_OTHER_NOUNS = {"birthmark", "mark", "lump", "bump", "tag", "patch", "hair", "tuft", "swelling",
                "bruise", "spot", "stain", "growth", "cyst", "area", "mole", "skintag", "long",
                "tall", "away", "apart", "across_from", "lumps", "strand", "strands", "hairs"}
_UPPER = {("less", "than"), ("no", "more", "than"), ("not", "more", "than"), ("no", "bigger", "than"),
          ("not", "bigger", "than"), ("smaller", "than"), ("at", "most"), ("up", "to"),
          ("under",), ("below",), ("<",), ("max",), ("no", "wider", "than"), ("no", "larger", "than"),
          ("not", "even",), ("barely",), ("less", "then"), ("not", "over",), ("not", "even", "a",)}
_LOWER = {("more", "than"), ("bigger", "than"), ("wider", "than"), ("larger", "than"), ("at", "least"),
          ("over",), (">",), ("more", "then"), ("bigger", "then"), ("easily",), ("well", "over")}
_APPROX = {"about", "around", "roughly", "approx", "approximately", "maybe", "like", "~", "nearly",
           "almost", "just", "only", "perhaps", "probably", "prob", "est", "c", "circa", "ish",
           "is", "'s", "be", "measures", "measured", "it", "was"}


def _measurements(norms: Sequence[str], s: int, e: int) -> List[_Span]:
    out = []
    i = s
    while i < e:
        parsed = _number_at(norms, i, e)
        if parsed is None or norms[i] in ("few", "couple") or \
                (norms[i] in ("a", "an") and (i + 1 >= e or norms[i + 1] not in _SIZE_UNITS)):
            i += 1
            continue
        value, j = parsed
        unit = norms[j] if j < e else ""
        if unit not in _SIZE_UNITS or (unit == "in" and j + 1 < e and norms[j + 1] not in ("wide", "across", "above", "up", "deep", ".", ",")):
            i += 1
            continue
        mm = value * _SIZE_UNITS[unit]
        start, end = i, j + 1
        bound = None
        k = i
        while k > s and norms[k - 1] in _APPROX:
            k -= 1
        for words in sorted(_UPPER | _LOWER, key=len, reverse=True):
            if k - len(words) >= s and tuple(norms[k - len(words):k]) == words:
                bound = "upper" if words in _UPPER else "lower"
                start = k - len(words)
                break
        nxt = norms[end] if end < e else ""
        nxt2 = norms[end + 1] if end + 1 < e else ""
        if nxt in ("above", "up", "from", "higher", "over", "away", "north") or (nxt == "or" and nxt2 == "so" and end + 2 < e and norms[end + 2] in ("above", "up", "from")):
            key = "high"
            threshold = 25.4  # "more than 2.5 cm / 1 inch above": exactly an inch is still low
            end = min(e, end + 4)
        elif nxt in ("deep", "down", "depth", "inwards", "in"):
            key = "deep"
            threshold = 5.0
            end += 1
        elif nxt in _OTHER_NOUNS or nxt2 in ("lump", "birthmark", "tag", "mark", "patch", "hair", "swelling", "bruise"):
            i = j + 1
            continue
        else:
            key = "large"
            threshold = 5.0
            if nxt in ("wide", "across", "diameter", "big", "round", "width", "wideness", "in"):
                end += 1
        if bound == "upper":
            pol = NO if mm <= threshold else UNSURE
        elif bound == "lower":
            pol = YES if mm >= min(threshold, 25.0 if key == "high" else threshold) else UNSURE
        else:
            pol = YES if mm > threshold else NO
        if key == "deep" and pol != YES:
            pol = None  # a measured shallow depth does not prove the bottom is visible
        out.append(_Span(key, pol, start, end, rule=None))
        i = end
    return [span for span in out if span.pol is not None] + [
        _Span("supp:deep", None, span.start, span.end) for span in out if span.key == "deep"]


_AGE_UNITS = {"day": "d", "days": "d", "week": "w", "weeks": "w", "month": "m", "months": "m",
              "year": "y", "years": "y", "yo": "y", "m": "m", "w": "w", "y": "y", "d": "d"}
_PERSON_AFTER = {"baby", "son", "daughter", "boy", "girl", "infant", "child", "toddler", "kid",
                 "newborn", "twins", "grandson", "granddaughter", "niece", "nephew"}
_PERSON_WORDS = {"he", "she", "son", "daughter", "baby", "child", "kid", "toddler", "boy", "girl", "grandson",
                 "i", "lo", "ds", "dd", "newborn", "infant", "little", "one", "grandson",
                 "granddaughter", "nephew", "niece"}


_NOT_AGE_AFTER = {"mm", "cm", "inch", '"', "times", "of", "percent", "%", "more", "or", "to", "x",
                  "-", "dimples", "dimple", "holes", "hairs", "weeks", "months", "years", "days",
                  "point", ".", "/", "out", "degrees", "c", "f", "ml", "oz", "kg", "lbs", "pounds"}


_DURATION_WORDS = {"for", "since", "ago", "last", "past", "every", "in", "after", "within", "been",
                   "over", "first", "next"}


def _to_months(value: float, unit: str) -> float:
    if unit == "d":
        return 0.0 if value < 7 else round(value / 30.4375, 1)
    if unit == "w":
        return round(value * 7 / 30.4375, 1)
    if unit == "m":
        return float(value)
    return float(value * 12)


def _age(norms: Sequence[str]) -> Tuple[Optional[float], bool]:
    """(age in months, whether it was the writer's own age)."""
    e = len(norms)
    for i in range(e):
        parsed = _number_at(norms, i, e)
        if parsed is None:
            continue
        value, j = parsed
        if value < 0 or value > 120:
            continue
        unit = _AGE_UNITS.get(norms[j]) if j < e else None
        if unit is not None and norms[j] in ("m", "w", "d", "y") and not (j + 1 < e and norms[j + 1] in ("old", "/")):
            unit = None
        if unit is None:
            # "he's 2", "my son is 2": a bare number after a person means years.
            if norms[i] in ("a", "an", "few", "couple", "half") or j >= e + 1:
                continue
            nxt = norms[j] if j < e else ""
            if nxt in _NOT_AGE_AFTER or value < 1:
                continue
            prev = norms[i - 1] if i >= 1 else ""
            who = norms[i - 2] if i >= 2 else ""
            own = who == "i" and prev in ("am", "'m")
            if prev in ("is", "'s", "am", "'m", "aged", "age", "turned", "turning", "turns") and \
                    (who in _PERSON_WORDS or who in _OTHER or (i >= 3 and norms[i - 3] in ("my", "our"))):
                if value <= (110 if own or who in _OTHER else 17):
                    return float(value * 12), own
            if prev in ("aged", "age") and value <= 17:
                return float(value * 12), False
            continue
        k = j + 1
        if norms[k:k + 3] == ["and", "a", "half"]:
            value += 0.5
            k += 3
        nxt = norms[k] if k < e else ""
        if nxt in ("check", "checkup", "appointment", "review", "scan", "jabs", "vaccines", "visit",
                   "ago", "later", "before", "earlier"):
            if nxt == "ago" and i >= 1 and norms[i - 1] == "born":
                return _to_months(value, unit), False
            continue
        before = norms[max(0, i - 4):i]
        own = "i" in before and ("am" in before or "'m" in before)
        if nxt == "old" or nxt == "olds" or norms[j] == "yo" or (nxt == "of" and k + 1 < e and norms[k + 1] == "age"):
            return _to_months(value, unit), own
        prev = norms[i - 1] if i >= 1 else ""
        prev2 = norms[i - 2] if i >= 2 else ""
        if prev in ("is", "'s", "am", "'m", "aged", "age", "turned", "turning", "(") or \
                (prev in ("just", "nearly", "almost", "now", "only", "over", "under", "about", "around")
                 and prev2 in ("is", "'s", "am", "'m", "aged", "turned", "turning")):
            if prev in ("is", "'s") and prev2 in ("it", "that", "there", "this", "been"):
                continue
            return _to_months(value, unit), own
        if prev in ("my", "our", "a", "an", "the", "your") and nxt in _PERSON_AFTER:
            return _to_months(value, unit), False
        if prev in ("my", "our") and norms[j] in ("month", "months", "week", "weeks", "yo"):
            return _to_months(value, unit), False  # "my 6mo has a dimple"
        if sum(1 for w in norms if w.isalnum()) <= 5 and not (set(norms[max(0, i - 2):i]) & _DURATION_WORDS):
            return _to_months(value, unit), False  # the reply to "how old?": "18 months"
    return None, False


# ---------------------------------------------------------------------------
# 7. Who it is about
# ---------------------------------------------------------------------------

_BABY = {"baby", "babies", "newborn", "newborns", "infant", "infants", "neonate", "preemie", "premmie",
         "babe", "lo", "bairn", "babygirl", "babyboy", "nb"}
_CHILD = {"toddler", "toddlers", "child", "children", "kid", "kids", "son", "daughter", "boy", "girl",
          "lad", "lass", "laddie", "lassie", "youngster", "boys", "girls",
          "preschooler", "ds", "dd", "ds1", "ds2", "dd1", "dd2", "stepson", "stepdaughter", "grandson",
          "granddaughter", "nephew", "niece", "teen", "teenager", "sons", "daughters", "kiddo",
          "schoolboy", "schoolgirl", "twins"}
_OTHER = {"partner", "wife", "husband", "friend", "girlfriend", "boyfriend", "mom", "mother", "dad",
          "father", "sister", "brother", "bf", "gf", "fiance", "fiancee", "spouse", "colleague",
          "grandma", "grandmother", "grandad", "granddad", "grandfather", "aunt", "uncle", "hubby",
          "missus", "mate", "flatmate", "roommate", "niece's", "patient", "client", "dh", "dp",
          "stepmom", "stepdad", "nan", "nana", "granny"}
_SELF_BODY = {"back", "lower", "bum", "butt", "bottom", "spine", "tailbone", "coccyx", "crack", "skin",
              "dimple", "dimples", "own", "buttocks", "crease", "cleft", "hips", "sacrum", "body",
              "lumbar"}
_THIRD_PERSON = {"he", "she", "him", "her", "his", "hers", "they", "them", "their", "he's", "she's"}
_BODY_WORDS = {"dimple", "dimples", "hole", "lump", "bump", "back", "mark", "hair", "tag", "skintag",
               "birthmark", "crease", "crack", "pit", "dent", "indent", "spine", "tailbone"}


def _subject(norms: Sequence[str], age: Optional[float], own_age: bool) -> Optional[str]:
    e = len(norms)
    baby = child = other = self_strong = self_weak = False
    for i, w in enumerate(norms):
        nxt = norms[i + 1] if i + 1 < e else ""
        if w in _BABY or (w == "little" and nxt == "one") or (w == "new" and nxt == "born") \
                or (w == "just" and nxt == "born"):
            baby = True
        elif w in _CHILD:
            child = True
        elif w in _OTHER:
            prev = norms[i - 1] if i > 0 else ""
            if prev in ("my", "our", "his", "her", "the") or nxt in ("has", "have", "'s", "is"):
                other = True
        if w == "my" and (nxt in _SELF_BODY or (i + 2 < e and nxt in ("lower", "own", "little", "small")
                                                   and norms[i + 2] in _SELF_BODY)):
            self_strong = True
        if w == "myself" or (w == "me" and ((i > 0 and norms[i - 1] in ("on", "with", "in", "about", "'s", "is"))
                                            or nxt == "too")):
            self_strong = True
        # "I have a dimple" - but parents also "have" or "noticed" things on a child, so
        # this only counts when no one else is mentioned (checked below).
        if w == "i" and nxt in ("have", "'ve", "got", "get", "had"):
            if any(x in _BODY_WORDS for x in norms[i + 2:i + 7]) and \
                    not any(x in ("question", "query", "concern", "worry") for x in norms[i + 2:i + 5]):
                self_weak = True
        if w in ("do", "have") and nxt == "i":
            if any(x in _BODY_WORDS for x in norms[i + 2:i + 8]):
                self_weak = True
    if own_age:
        self_strong = True
    if baby or child:
        if age is not None and not own_age:
            # "my 20 year old son" is an adult: asked about by someone else.
            return "baby" if age < 12 else "child" if age < 18 * 12 else "other"
        return "baby" if baby else "child"
    if self_strong:
        return "self"
    if other:
        return "other"
    if self_weak and not any(w in _THIRD_PERSON for w in norms):
        return "self"
    # "my 5 year old": the age says who; a bare "18 months" (a reply) does not say whose.
    if age is not None and not own_age and any(w in ("my", "our", "he", "she", "his", "her") for w in norms):
        if age < 12:
            return "baby"
        if age < 18 * 12:
            return "child"
    return None


# ---------------------------------------------------------------------------
# 8. Putting it together
# ---------------------------------------------------------------------------

_RANK = {YES: 3, UNSURE: 2, NO: 1}
_CONDITION_WORDS = {"tethered", "spina", "dysraphism", "sbo", "meningitis", "syrinx", "occult",
                    "spinal", "lipomyelomeningocele", "myelomeningocele"}
_OWN_CASE = {"my", "his", "her", "he", "she", "our", "i", "we", "it", "its", "baby", "son",
             "daughter", "me", "they", "their", "him", "has", "have", "had", "'s"}
_CHECKLIST_STARTS = {"no", "none", "nope", "nil", "yes", "yep", "yeah", "not", "absent", "present",
                     "unsure", "maybe", "nothing", "y", "n", "dunno", "idk"}
_NONDIMPLE_KEYS = {"hair_tuft", "skin_tag", "lump", "discoloration", "red"}


def _norms(doc, known: FrozenSet[str]) -> List[str]:
    out = []
    for tok in doc:
        w = tok.text
        if tok.is_space:
            w = "\n" if "\n" in w else " "
        else:
            w = _NORM_MAP.get(w, w)
            if w not in known:
                fixed = _fuzzy(w)
                if fixed is not None:
                    w = fixed
        tok.norm_ = w
        out.append(w)
    return out


def _collect(doc, pipe: _Pipeline, norms: List[str], sentences) -> Tuple[List[_Span], List[_Span]]:
    raw: List[_Span] = []
    for match_id, start, end in pipe.matches(doc, norms, sentences):
        rule = pipe.rule_of[match_id]
        raw.append(_Span(rule.key, rule.pol, start, end, rule=rule))
    raw.extend(_measurements(norms, 0, len(norms)))

    suppressors = [sp for sp in raw if sp.rule is not None and sp.rule.suppress]
    extra_supp = [sp for sp in raw if sp.key.startswith("supp:")]
    cues = [sp for sp in raw if sp.key.startswith("cue:")]
    findings = [sp for sp in raw if not sp.key.startswith(("cue:", "supp"))]

    # Longest phrase wins within one key ("not in the middle" over "in the middle").
    by_key: Dict[str, List[_Span]] = {}
    for span in findings:
        by_key.setdefault(span.key, []).append(span)
    findings = [sp for spans in by_key.values() for sp in _filter_longest(spans)]

    # Index suppressors by the tokens they cover: long messages have hundreds of spans.
    covering: Dict[int, List[_Span]] = {}
    finding_ids = {id(sp) for sp in findings}
    for sup in suppressors + extra_supp:
        for k in range(sup.start, sup.end):
            covering.setdefault(k, []).append(sup)

    def suppressed(span: _Span, key: str) -> bool:
        for sup in covering.get(span.start, ()):
            if sup is span or not (sup.start <= span.start and span.end <= sup.end):
                continue
            if sup.key.startswith("supp:"):
                if sup.key == "supp:" + key:
                    return True
                continue
            if key not in sup.rule.suppress:
                continue
            if sup.key != "supp" and id(sup) not in finding_ids:
                continue
            if sup.length > span.length or sup.key == "supp":
                return True
        return False

    findings = [sp for sp in findings if not suppressed(sp, sp.key)]
    in_finding = {k for sp in findings for k in range(sp.start, sp.end)}
    cues = [c for c in cues if not suppressed(c, "cue")]
    cues = [c for c in cues if not any(k in in_finding for k in range(c.start, c.end))]
    cues = _filter_longest(cues)
    return findings, cues


def extract(text: str) -> Extraction:
    """What a free-text message says about the dimple. Never raises."""
    try:
        return _extract(text)
    except Exception:  # noqa: BLE001 - a chat turn must never crash on odd input
        # Logged without the text: it is a health message. An empty result means the
        # dialogue still asks every question, so nothing is silently ruled out.
        _LOG.exception("extraction failed")
        return Extraction()


def _extract(text: str) -> Extraction:
    cleaned, emoji_answer = _clean_text(text)
    if emoji_answer is not None:
        return Extraction(answer=emoji_answer)
    if not cleaned.strip():
        return Extraction()
    pipe = _pipeline()
    doc = pipe.nlp.make_doc(cleaned)
    if len(doc) > MAX_TOKENS:
        # Punctuation or symbol soup: 5,000 characters can be 5,000 tokens.
        doc = pipe.nlp.make_doc(cleaned[: doc[MAX_TOKENS].idx])
    norms = _norms(doc, pipe.known)
    sentences = _sentences(doc, norms)
    findings, cues = _collect(doc, pipe, norms, sentences)

    bounds = [(0, 0)] * len(norms)  # the sentence each token belongs to
    for s, e, _ in sentences:
        for k in range(s, e):
            bounds[k] = (s, e)
    spans_in: Dict[int, List[_Span]] = {}
    cues_in: Dict[int, List[_Span]] = {}
    for span in findings:
        spans_in.setdefault(bounds[span.start][0], []).append(span)
    for cue in cues:
        cues_in.setdefault(bounds[cue.start][0], []).append(cue)

    for s, e, qmark in sentences:
        sent_spans = spans_in.get(s, [])
        if not sent_spans:
            continue
        _walk(norms, s, e, sent_spans, cues_in.get(s, []))
        if norms[s] in _CONDITION_WORDS and not any(w in _OWN_CASE for w in norms[s:e]):
            # "tethered cord and bladder problems": a topic, not a report about anyone.
            for span in sent_spans:
                span.asked = True
            continue
        for qstart, qend, why in _question_ranges(norms, s, e, qmark):
            for span in sent_spans:
                if qstart <= span.start < qend and not _asserted_in_question(norms, qstart, span, why):
                    span.asked = True

    _apply_following_answers(norms, sentences, findings)

    # Inline checklist answers: "hair: no", "leaking - not sure", "tag? yes".
    for span in findings:
        if span.key.startswith("pat:"):
            continue
        end_of_sentence = bounds[span.start][1]
        k = span.end
        skipped = 0
        while k < len(norms) and norms[k] in (":", "-", "–", "—", "=", "?", "=>", "->") and skipped < 2:
            k += 1
            skipped += 1
        if k < end_of_sentence and norms[k] in _CHECKLIST_STARTS:
            found = _answer_at(norms, k, end_of_sentence, strict=True)
            if found is not None:
                span.final = _reply_to(span.pol, found[0])
                span.asked = False
                span.hyp = False

    result: Dict[str, Answer] = {}
    asked: set = set()

    def put(key: str, pol: Optional[Answer]) -> None:
        if pol is None:
            return
        if key not in result or _RANK[pol] > _RANK[result[key]]:
            result[key] = pol

    pattern_votes: Dict[str, bool] = {}
    for span in findings:
        rule = span.rule
        pol = span.final if span.final is not None else span.pol
        if rule is not None and rule.it_pred and pol == NO:
            before = [f for f in spans_in.get(bounds[span.start][0], [])
                      if f.key in _NONDIMPLE_KEYS and f.start < span.start]
            if before:
                continue  # "a skin tag, it's tiny": "it" is the tag, not the dimple
        if rule is not None and not rule.neg_ok and pol == NO:
            continue
        key = span.key
        sent_spans = spans_in.get(bounds[span.start][0], [])
        if span.hyp or span.asked:
            if key == "red":
                asked.update(k for k, _ in _red_keys(span, norms, sent_spans, pol))
            elif not key.startswith("pat:"):
                asked.add(key)
            continue
        if key.startswith("pat:"):
            if pol == YES:
                pattern_votes[key[4:]] = True
            continue
        if key == "red":
            for k, p in _red_keys(span, norms, sent_spans, pol):
                put(k, p)
            continue
        put(key, pol)

    result = {k: v for k, v in result.items() if k in _FINDING_KEYS}
    asked_about = frozenset(k for k in asked if k in _FINDING_KEYS and k not in result)
    named = {"infection" if span.key == "red" else span.key for span in findings}
    mentioned = frozenset(k for k in named | set(result) | asked_about if k in _FINDING_KEYS)

    pattern = _pattern(result, pattern_votes, norms)
    if pattern == PATTERN_SEVERAL_MIDLINE:
        result.setdefault("multiple", YES)
    elif pattern == PATTERN_OFF_SIDE:
        result.setdefault("off_midline", YES)

    age, own_age = _age(norms)
    if age is None and any(w in ("newborn", "newborns", "neonate") or (w == "new" and n2 == "born")
                           or (w == "just" and n2 == "born")
                           for w, n2 in zip(norms, norms[1:] + [""])):
        age = 0.0
    subject = _subject(norms, age, own_age)
    answer = _bare_answer(norms)
    return Extraction(findings=result, subject=subject, age_months=age, pattern=pattern,
                      answer=answer, asked_about=asked_about, mentioned=mentioned)


def _red_keys(span: _Span, norms, sent_spans: List[_Span], pol) -> List[Tuple[str, Answer]]:
    """A red area is inflammation when the same sentence says swollen/warm/tender (and
    means it), otherwise a discoloration."""
    context = any(f.key == "infection" and (f.hyp or f.asked) == (span.hyp or span.asked)
                  and (f.final if f.final is not None else f.pol) in (YES, UNSURE)
                  for f in sent_spans)
    word = norms[span.start]
    if pol == NO and word == "redness":
        return [("infection", NO), ("discoloration", NO)]
    if context:
        return [("infection", pol)] + ([("discoloration", NO)] if pol == NO else [])
    return [("discoloration", pol)]


def _apply_following_answers(norms, sentences, findings: List[_Span]) -> None:
    """'Any hair? No.' / 'Is it deep? Not sure.': the reply belongs to the short question."""
    for idx, (s, e, qmark) in enumerate(sentences[:-1]):
        if not qmark or e - s > 8:
            continue
        first = s
        while first < e and norms[first] in _INTERJ:
            first += 1
        if first < e and norms[first] in _Q_WH:
            continue
        if first < e and norms[first] in _Q_AUX and norms[first] != "any":
            if first + 1 >= e or norms[first + 1] not in ("it", "there", "he", "she", "they", "its"):
                continue
        ns, ne, _ = sentences[idx + 1]
        found = _answer_at(norms, ns, ne, strict=False)
        if found is None:
            continue
        for span in findings:
            if s <= span.start < e and span.asked and not span.hyp:
                span.final = _reply_to(span.pol, found[0])
                span.asked = False


def _pattern(result: Dict[str, Answer], votes: Dict[str, bool], norms: Sequence[str]) -> Optional[str]:
    if result.get("multiple") == YES:
        return PATTERN_SEVERAL_MIDLINE
    if votes.get(PATTERN_TWO_SIDES):
        # "dimples either side and one in the middle": the middle one still needs the
        # red-flag questions, which back dimples (two_sides) would skip.
        return PATTERN_ONE_MIDLINE if result.get("off_midline") == NO else PATTERN_TWO_SIDES
    if result.get("off_midline") == YES:
        return PATTERN_OFF_SIDE
    plural = any(w in ("dimples", "holes", "pits") for w in norms)
    single = votes.get(PATTERN_ONE_MIDLINE) or result.get("off_midline") == NO
    if single and not plural:
        return PATTERN_ONE_MIDLINE
    if votes.get(PATTERN_UNSURE):
        return PATTERN_UNSURE
    return None


__all__ = ["Extraction", "extract", "is_urgent"]
