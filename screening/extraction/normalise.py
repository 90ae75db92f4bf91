"""Step 1: the text the rules read, and the word (NORM) they see for each token.

Markup, control characters and invisible characters go; contractions are spelt out
("can't" -> "can not"); each token's NORM corrects British spellings and common typos
from ``data/spelling.yml`` (explicit variants, plus an edit-distance-1 check on long,
unknown words against the ``fuzzy_targets``).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from typing import TYPE_CHECKING, Dict, FrozenSet, List, Optional, Sequence, Tuple

from .loader import table

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Long messages are cut here so one pathological message cannot stall the bot;
# the first few thousand characters always hold the description.
MAX_CHARS = 5000
MAX_TOKENS = 1200

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
    "(?:[\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]"
    "[\ufe0f\u200d\u2640\u2642\U0001f3fb-\U0001f3ff]*\\s*)+"
)
_BLANKS_RE = re.compile(r"[^\S\n]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")
_LONG_RUN_RE = re.compile(r"\S{40}(?=\S)")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE_RE = re.compile(
    r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
    r"\ufff9-\ufffb\ud800-\udfff]"
)
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
_PLAIN_WORD_RE = re.compile(r"[a-z]{1,40}")


def is_symbol(text: str) -> bool:
    """True for emoji and other symbol-only tokens, which end a thought like a full stop."""
    if not text or text[0].isalnum():
        return False
    return all(unicodedata.category(ch) in ("So", "Sk", "Sm", "Mn", "Me") for ch in text)


def words_only(norms: Sequence[str]) -> List[str]:
    """The normalised words of a message, without blanks and punctuation ("it 's", not ",")."""
    return [w for w in norms if any(c.isalnum() for c in w)]


def clean_text(text: object) -> Tuple[str, Optional[str]]:
    """The text the rules read, and the message itself if it is only symbols ("👍")."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "ignore")
    if not isinstance(text, str):
        return "", None
    text = text[: MAX_CHARS * 2]
    # Bidi, zero-width and lone surrogates carry no meaning. They go before the markup too:
    # one inside a tag ("<\u200b/b>") kept it from being read as markup, and "no</b> hair"
    # then read as hair.
    text = _INVISIBLE_RE.sub("", text)
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    # Control characters split words; invisible ones written as entities ("&#x200b;") go too.
    text = _CONTROL_RE.sub(" ", text)
    text = _INVISIBLE_RE.sub("", text)
    if len(text) > MAX_CHARS:
        cut = text.rfind(" ", 0, MAX_CHARS)
        text = text[: cut if cut > MAX_CHARS // 2 else MAX_CHARS]
    # The tokenizer peels affixes off a word one at a time, which is quadratic on a long run
    # without spaces (5,000 emoji took seconds): give emoji room and cap word length.
    text = _SYMBOL_RUN_RE.sub(r"\1\1\1", text)
    stripped = text.strip()
    symbols_only = (
        stripped
        if stripped
        and all(is_symbol(ch) or ch.isspace() or ch in "\u200d\ufe0f" for ch in stripped)
        else None
    )
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
    return text, symbols_only


_SPELLING = table("spelling.yml")
# Spelling variants and typos seen in parents' messages -> the word the rules use.
VARIANTS: Dict[str, str] = _SPELLING.mapping("variants")
_VARIANT_TARGETS = frozenset(VARIANTS.values())
# Edit-distance-1 targets: long, distinctive words whose typos should still count.
_FUZZY_TARGETS = _SPELLING.words("fuzzy_targets")
# Real words one edit away from a target: never "correct" these.
_NEVER_CORRECT = _SPELLING.word_set("never_correct")


def _fuzzy_index() -> Tuple[Dict[str, str], Dict[str, str]]:
    """Deletion-neighbourhood index so a typo check costs a few set look-ups."""
    exact: Dict[str, str] = {}
    deletes: Dict[str, str] = {}
    for word in _FUZZY_TARGETS:
        exact[word] = word
        for i in range(len(word)):
            deletes.setdefault(word[:i] + word[i + 1 :], word)
    return exact, deletes


_FUZZY_EXACT, _FUZZY_DELETES = _fuzzy_index()


def fuzzy(word: str) -> Optional[str]:
    """The fuzzy target one typo away from ``word``, if any."""
    if len(word) < 5 or not word.isalpha() or word in _NEVER_CORRECT:
        return None
    if word in _FUZZY_DELETES:  # one letter missing
        return _FUZZY_DELETES[word]
    for i in range(len(word)):
        shorter = word[:i] + word[i + 1 :]
        if shorter in _FUZZY_EXACT:  # one letter too many
            return _FUZZY_EXACT[shorter]
        if shorter in _FUZZY_DELETES and len(_FUZZY_DELETES[shorter]) == len(word):
            return _FUZZY_DELETES[shorter]  # one letter wrong
    for i in range(len(word) - 1):  # two letters swapped
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if swapped in _FUZZY_EXACT:
            return swapped
    return None


def norms(doc: Doc, known: FrozenSet[str]) -> List[str]:
    """The word each token stands for; also stored as the token's NORM for the Matcher."""
    out = []
    for tok in doc:
        w = tok.text
        if tok.is_space:
            w = "\n" if "\n" in w else " "
        else:
            w = VARIANTS.get(w, w)
            if w not in known:
                fixed = fuzzy(w)
                if fixed is not None:
                    w = fixed
        tok.norm_ = w
        out.append(w)
    return out


@functools.cache
def why_never_seen(word: str) -> Optional[str]:
    """Why a rule word can never be a token's NORM, or None if it can be.

    A rule written with "colour" never matches (the NORM is "color"), nor one with
    "can't" (the text says "can not" by then) or "2nd" (read as "2 nd").
    """
    if word in _VARIANT_TARGETS:
        return None
    if word in VARIANTS:
        return f"{word!r} is always read as {VARIANTS[word]!r} (data/spelling.yml)"
    # Only these steps change a short lower-case word; checking them alone keeps the
    # check of every rule word fast at start-up.
    if (
        _PLAIN_WORD_RE.fullmatch(word)
        and not _REPEAT_RE.search(word)
        and not any(pattern.search(word) for pattern, _ in _CONTRACTIONS)
    ):
        return None
    cleaned, _ = clean_text(word)
    if cleaned != word:
        return f"{word!r} becomes {cleaned!r} before the rules read it"
    return None
