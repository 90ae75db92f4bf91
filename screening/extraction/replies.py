"""A bare reply ("yes", "not that I've seen", "no idea", "👍") and where one starts.

The phrases live in ``data/replies.yml``. ``follow`` says what may come after a phrase
for the message still to be a bare reply: "loose" = anything ("yes there's some hair");
"cont" = punctuation or a word that starts an elaboration ("no, it's fine", "no it
isn't") but not a noun ("no hair" is a finding, not a reply); "strict" = punctuation
only ("it is." but not "it is deep").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ..findings import MORE_FINISH, MORE_STOP, Answer
from .loader import WordListError, check_keys, phrase_list, table
from .normalise import is_symbol, words_only
from .questions import INTERJECTIONS

_FOLLOWS = ("loose", "cont", "strict")
_ANSWERS = {answer.value: answer for answer in Answer}


@dataclass(frozen=True)
class ReplyPhrase:
    words: Tuple[str, ...]
    answer: Answer
    follow: str  # "loose", "cont" or "strict"


def read_reply_phrases(source: str, groups: object) -> List[ReplyPhrase]:
    """The reply phrases, longest first (a phrase wins over a shorter one it starts with)."""
    if not isinstance(groups, list) or not groups:
        raise WordListError(source, "phrases", "must be a list of groups")
    out: List[ReplyPhrase] = []
    seen: Dict[Tuple[str, ...], str] = {}
    for index, group in enumerate(groups):
        entry = f"phrases[{index}]"
        if not isinstance(group, dict):
            raise WordListError(source, entry, "must be a mapping with answer, follow, phrases")
        check_keys(
            source,
            entry,
            group,
            frozenset({"answer", "follow", "phrases"}),
            frozenset({"answer", "follow", "phrases"}),
        )
        answer = group["answer"]
        if isinstance(answer, bool) or answer not in _ANSWERS:
            raise WordListError(
                source, f"{entry}.answer", 'must be "yes", "no" or "unsure" (in quotes)'
            )
        if group["follow"] not in _FOLLOWS:
            raise WordListError(source, f"{entry}.follow", f"must be one of {_FOLLOWS}")
        for phrase in phrase_list(source, f"{entry}.phrases", group["phrases"]):
            words = tuple(phrase.split())
            if words in seen:
                raise WordListError(
                    source,
                    f"{entry}.phrases",
                    f"{phrase!r} is listed twice (also in {seen[words]})",
                )
            seen[words] = entry
            out.append(ReplyPhrase(words, _ANSWERS[answer], group["follow"]))
    return sorted(out, key=lambda p: -len(p.words))


_WORDS = table("replies.yml")
_PHRASES = read_reply_phrases(_WORDS.source, _WORDS.raw("phrases"))
_BY_FIRST: Dict[str, List[ReplyPhrase]] = {}
for _phrase in _PHRASES:  # longest first, as sorted above
    _BY_FIRST.setdefault(_phrase.words[0], []).append(_phrase)
_CONTINUE = _WORDS.word_set("continue_after")
# "not sure if ...", "can't tell how deep": still a reply, the rest only says about what.
_CONTINUE_UNSURE = _WORDS.word_set("continue_after_unsure")
_EMOJI: Tuple[Tuple[str, Answer], ...] = tuple(
    (emoji, _ANSWERS[answer]) for emoji, answer in _WORDS.mapping("emoji").items()
)
for _emoji, _answer in _WORDS.mapping("emoji").items():
    if _answer not in _ANSWERS:
        raise WordListError(_WORDS.source, f"emoji.{_emoji}", "must be yes, no or unsure")


def answer_at(norms: Sequence[str], i: int, e: int, strict: bool) -> Optional[Tuple[Answer, int]]:
    """A reply phrase at token i. strict: only punctuation (or "and") may follow it."""
    for phrase in _BY_FIRST.get(norms[i], ()) if i < e else ():
        words, answer, follow = phrase.words, phrase.answer, phrase.follow
        end = i + len(words)
        if end > e or tuple(norms[i:end]) != words:
            continue
        nxt = norms[end] if end < e else ""
        if (
            nxt == ""
            or nxt in (",", ".", "!", "?", ";", ":", "-", "...")
            or is_symbol(nxt)
            or nxt.isspace()
        ):
            return answer, end
        if strict or follow == "strict":
            if strict and nxt == "and":
                return answer, end
            continue
        if follow == "loose" and nxt not in ("not", "no", "nope", "never"):
            return answer, end
        if follow != "loose" and (
            nxt in _CONTINUE or (answer == Answer.UNSURE and nxt in _CONTINUE_UNSURE)
        ):
            return answer, end
    return None


def emoji_answer(symbols_only: Optional[str]) -> Optional[Answer]:
    """The reply a message of only emoji gives ("👍" is yes), if any."""
    if symbols_only:
        for emoji, answer in _EMOJI:
            if emoji in symbols_only:
                return answer
    return None


def bare_answer(norms: Sequence[str]) -> Optional[Answer]:
    """The reply a whole message gives, after any greeting ("ok so no, it's dry")."""
    i, e = 0, len(norms)
    while i < e:
        found = answer_at(norms, i, e, strict=False)  # "uh huh", "right" are replies too
        if found is not None:
            return found[0]
        if not (norms[i] in INTERJECTIONS or norms[i].isspace()):
            return None
        i += 1
    return None


# The offer once the advice is settled: each phrase as words, and the choice it makes.
def read_offer_phrases(
    source: str, finish: Sequence[str], stop: Sequence[str]
) -> Dict[Tuple[str, ...], str]:
    """Each phrase of the offer's two lists as words, with the choice it makes."""
    offer: Dict[Tuple[str, ...], str] = {}
    for key, choice, phrases in (
        ("offer_finish", MORE_FINISH, finish),
        ("offer_stop", MORE_STOP, stop),
    ):
        for text in phrases:
            if tuple(text.split()) in offer:
                raise WordListError(source, key, f"{text!r} is on both sides of the offer")
            offer[tuple(text.split())] = choice
    return offer


_OFFER = read_offer_phrases(
    _WORDS.source, _WORDS.phrases("offer_finish"), _WORDS.phrases("offer_stop")
)
_OFFER_LONGEST = max(len(words) for words in _OFFER)


def offer_choice(norms: Sequence[str]) -> Optional[str]:
    """ "finish" or "stop" if the message's phrases for the offer all choose one of them."""
    words = words_only(norms)
    chosen = set()
    i = 0
    while i < len(words):
        for length in range(min(_OFFER_LONGEST, len(words) - i), 0, -1):
            choice = _OFFER.get(tuple(words[i : i + length]))
            if choice is not None:
                chosen.add(choice)
                i += length
                break
        else:
            i += 1
    return chosen.pop() if len(chosen) == 1 else None


_REST_NONE = [tuple(text.split()) for text in _WORDS.phrases("rest_none")]
_REST_NONE_AFTER_NO = [tuple(text.split()) for text in _WORDS.phrases("rest_none_after_no")]


def _holds(words: Sequence[str], phrases: Sequence[Tuple[str, ...]]) -> bool:
    return any(
        tuple(words[i : i + len(phrase)]) == phrase
        for phrase in phrases
        for i in range(len(words) - len(phrase) + 1)
    )


def rest_ruled_out(norms: Sequence[str], findings: Mapping[str, Answer]) -> bool:
    """Whether the message says the signs it does not name are not there: "nothing
    else", or "no hair or anything" (every sign it names denied)."""
    words = words_only(norms)
    if _holds(words, _REST_NONE):
        return True
    denied = bool(findings) and all(answer == Answer.NO for answer in findings.values())
    return denied and _holds(words, _REST_NONE_AFTER_NO)
