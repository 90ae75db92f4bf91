"""The rules (``data/rules.yml``) and the small pattern language their phrases are written in.

A phrase is a sequence of tokens separated by spaces:

- ``a|b`` one token, either word; ``x?`` an optional token; ``_`` any one token;
- ``( a b | c )`` a group of multi-word alternatives, ``)?`` makes the group optional;
- ``{NAME}`` a macro from ``macros:`` (one token, any of its words).

Words are matched against each token's NORM (see normalise.py), so a phrase is written
in lower case, with American spelling and contractions spelt out ("can not").
``load_rules`` checks every rule before the engine uses it; see docs/extraction.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from ..findings import EMERGENCY, FINDINGS, PATTERNS, Answer
from .loader import (
    DATA_DIR,
    SCHEMAS,
    WordListError,
    check_keys,
    check_unique,
    read_table,
    word_list,
)
from .normalise import why_never_seen

# One Matcher token pattern, e.g. {"NORM": {"IN": ["hair", "hairs"]}, "OP": "?"}.
TokenPattern = Dict[str, Any]

FINDING_KEYS: FrozenSet[str] = frozenset(FINDINGS) | {EMERGENCY}
# What a rule can find besides a finding: "red" (discoloration or inflammation, decided
# later), where the dimple is ("pat:<pattern>"), a cue that changes the words after it,
# or "supp", a phrase that only hides other matches inside it ("tail bone").
CUE_KEYS = frozenset({"cue:neg", "cue:unsure", "cue:hyp"})
RULE_KEYS: FrozenSet[str] = (
    FINDING_KEYS | {"red", "supp"} | CUE_KEYS | {"pat:" + pattern for pattern in PATTERNS}
)
SUPPRESSIBLE: FrozenSet[str] = (
    FINDING_KEYS | {"red", "cue"} | {"pat:" + pattern for pattern in PATTERNS}
)
_ANSWERS = {answer.value: answer for answer in Answer}
_RULE_FIELDS = frozenset(
    {"key", "answer", "phrases", "suppresses", "ignore_when_absent", "it_means_dimple"}
)


@dataclass(frozen=True)
class Rule:
    key: str  # a finding key, "red", "pat:<pattern>", "cue:<kind>" or "supp"
    pol: Optional[Answer]  # what a match says about the finding, before negation
    specs: Tuple[str, ...]  # the phrases, with macros expanded
    # The Matcher patterns of each phrase, in order (expanded once, when loading).
    patterns: Tuple[Tuple[List[TokenPattern], ...], ...] = field(default=(), compare=False)
    suppress: FrozenSet[str] = frozenset()  # keys whose spans inside this one are dropped
    # A negated/NO reading is dropped ("no fever" says nothing about the dimple itself).
    ignore_when_absent: bool = False
    it_means_dimple: bool = False  # "it is tiny": only trusted when "it" can only be the dimple


@dataclass(frozen=True)
class RuleSet:
    rules: Tuple[Rule, ...]
    # Words too common to decide whether a pattern is worth trying on a message.
    common_words: FrozenSet[str]


_SPEC_TOKEN_RE = re.compile(r"\(|\)\??|[^\s()]+")
# A long list of words may wrap after a "|" ("hair|hairs|\n  tuft"): YAML folds the line
# break into a space, which is taken out again here. A group's " | " has a space before it.
_WRAPPED_RE = re.compile(r"(?<=[^\s(|])\|\s+")
_MACRO_RE = re.compile(r"\{([^{}]*)\}")


def expand(spec: str) -> List[List[TokenPattern]]:
    """One phrase (macros already expanded) -> the Matcher patterns it stands for."""
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
                out = [[*a, tokens[i]] for a in out]
                i += 1
        return out, i

    sequences, _ = seq(0)
    return [[token_pattern(part) for part in sequence] for sequence in sequences if sequence]


def token_pattern(part: str) -> TokenPattern:
    optional = part.endswith("?") and len(part) > 1
    if optional:
        part = part[:-1]
    tok: TokenPattern
    if part == "_":
        tok = {}
    else:
        alts = list(dict.fromkeys(part.split("|")))
        tok = {"NORM": alts[0]} if len(alts) == 1 else {"NORM": {"IN": alts}}
    if optional:
        tok["OP"] = "?"
    return tok


def pattern_words(pattern: Sequence[TokenPattern]) -> List[FrozenSet[str]]:
    """The words each token of a pattern accepts (empty for "_")."""
    out = []
    for tok in pattern:
        norm = tok.get("NORM")
        if isinstance(norm, str):
            out.append(frozenset([norm]))
        elif isinstance(norm, dict):
            out.append(frozenset(norm["IN"]))
        else:
            out.append(frozenset())
    return out


def rule_words(rules: Sequence[Rule]) -> FrozenSet[str]:
    """Every word a rule uses: these are never 'corrected' by the typo check."""
    words: set[str] = set()
    for rule in rules:
        for patterns in rule.patterns:
            for pattern in patterns:
                for accepted in pattern_words(pattern):
                    words.update(accepted)
    return frozenset(words)


def trigger_words(pattern: Sequence[TokenPattern], common: FrozenSet[str]) -> FrozenSet[str]:
    """The words of the most selective required token: the pattern cannot match without one."""
    best: Optional[Tuple[Tuple[bool, int], FrozenSet[str]]] = None
    for tok, words in zip(pattern, pattern_words(pattern), strict=True):
        if tok.get("OP") == "?" or not words:
            continue
        score = (bool(words & common), len(words))
        if best is None or score < best[0]:
            best = (score, words)
    if best is None:
        raise ValueError(f"pattern without a required word: {pattern}")
    return best[1]


def _check_syntax(source: str, entry: str, spec: str) -> None:
    """Unbalanced groups, empty alternatives and stray characters in one phrase."""
    depth = 0
    previous = "("
    for token in _SPEC_TOKEN_RE.findall(spec):
        if token == "(":
            depth += 1
        elif token in (")", ")?"):
            depth -= 1
            if depth < 0:
                raise WordListError(source, entry, "')' without '('")
            if previous in ("(", "|"):
                raise WordListError(source, entry, "an empty alternative in a group")
        elif token == "|":
            if depth == 0:
                raise WordListError(
                    source,
                    entry,
                    "'|' between words needs no spaces (write a|b, or ( a b | c ) for phrases)",
                )
            if previous in ("(", "|"):
                raise WordListError(source, entry, "an empty alternative in a group")
        else:
            word_part = token[:-1] if token.endswith("?") and len(token) > 1 else token
            if any(alt == "" for alt in word_part.split("|")):
                raise WordListError(source, entry, f"an empty alternative in {token!r}")
            if word_part != word_part.lower():
                raise WordListError(source, entry, f"{token!r}: words are matched in lower case")
            if "{" in word_part or "}" in word_part:
                raise WordListError(source, entry, f"{token!r}: a macro must be a whole token")
            check_unique(source, f"{entry} {token!r}", tuple(word_part.split("|")))
        previous = token
    if depth != 0:
        raise WordListError(source, entry, "'(' without ')'")


def _spec_words(spec: str) -> set[str]:
    """Every word a phrase names, whatever group it is in."""
    words: set[str] = set()
    for token in _SPEC_TOKEN_RE.findall(spec):
        if token in ("(", ")", ")?", "|", "_"):
            continue
        words.update((token[:-1] if token.endswith("?") and len(token) > 1 else token).split("|"))
    return words


def _expand_macros(source: str, entry: str, spec: str, macros: Dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in macros:
            raise WordListError(source, entry, f"undefined macro {{{name}}}")
        return macros[name]

    return _MACRO_RE.sub(replace, spec)


def _flag(source: str, entry: str, rule: Dict[str, Any], name: str) -> bool:
    value = rule.get(name, False)
    if not isinstance(value, bool):
        raise WordListError(source, f"{entry}.{name}", "must be true or false")
    return value


def _read_rule(source: str, index: int, item: object, macros: Dict[str, str]) -> Rule:
    entry = f"rules[{index}]"
    if not isinstance(item, dict):
        raise WordListError(source, entry, "must be a mapping with key and phrases")
    key = item.get("key")
    if isinstance(key, str):
        entry = f"rules[{index}] ({key})"
    check_keys(source, entry, item, _RULE_FIELDS, frozenset({"key", "phrases"}))
    if key not in RULE_KEYS:
        raise WordListError(source, entry, f"unknown finding key {key!r}")
    assert isinstance(key, str)
    answer_value = item.get("answer")
    if isinstance(answer_value, bool):
        raise WordListError(
            source,
            f"{entry}.answer",
            'write "yes" or "no" in quotes (bare yes/no are true/false in YAML)',
        )
    if answer_value is not None and answer_value not in _ANSWERS:
        raise WordListError(
            source, f"{entry}.answer", f"unknown answer {answer_value!r} (allowed: yes, no, unsure)"
        )
    is_finding = key not in CUE_KEYS and key != "supp"
    if is_finding and answer_value is None:
        raise WordListError(source, entry, "a finding rule needs an answer")
    if not is_finding and answer_value is not None:
        raise WordListError(source, entry, "a cue or suppressor has no answer")
    suppress_value = item.get("suppresses", [])
    if not isinstance(suppress_value, list) or not all(isinstance(s, str) for s in suppress_value):
        raise WordListError(source, f"{entry}.suppresses", "must be a list of keys")
    for suppressed in suppress_value:
        if suppressed not in SUPPRESSIBLE:
            raise WordListError(
                source, f"{entry}.suppresses", f"unknown finding key {suppressed!r}"
            )
    check_unique(source, f"{entry}.suppresses", tuple(suppress_value))
    if key == "supp" and not suppress_value:
        raise WordListError(source, entry, "a suppressor (key supp) must say what it suppresses")
    phrases = item["phrases"]
    if not isinstance(phrases, list) or not phrases:
        raise WordListError(source, f"{entry}.phrases", "must be a non-empty list")
    specs = []
    expanded = []
    for number, phrase in enumerate(phrases):
        where = f"{entry}.phrases[{number}] {phrase!r}"
        if not isinstance(phrase, str) or not phrase.split():
            raise WordListError(source, where, "must be a non-empty string")
        spec = _expand_macros(source, where, _WRAPPED_RE.sub("|", phrase), macros)
        _check_syntax(source, where, spec)
        patterns = expand(spec)
        if not patterns:
            raise WordListError(source, where, "matches nothing")
        for pattern in patterns:
            if all(tok.get("OP") == "?" or not tok for tok in pattern):
                raise WordListError(
                    source,
                    where,
                    "needs at least one word that is not optional (it would match anywhere)",
                )
        for word in sorted(_spec_words(spec)):
            reason = why_never_seen(word)
            if reason is not None:
                raise WordListError(source, where, f"can never match: {reason}")
        specs.append(spec)
        expanded.append(tuple(patterns))
    check_unique(source, f"{entry}.phrases", tuple(phrases))
    answer = _ANSWERS[answer_value] if answer_value is not None else None
    return Rule(
        key,
        answer,
        tuple(specs),
        tuple(expanded),
        frozenset(suppress_value),
        _flag(source, entry, item, "ignore_when_absent"),
        _flag(source, entry, item, "it_means_dimple"),
    )


def load_rules(path: Path) -> RuleSet:
    """Read and check a rules file; raises WordListError naming the file and the entry."""
    rules_table = read_table(path, SCHEMAS["rules.yml"])
    source = rules_table.source
    raw_macros = rules_table.raw("macros")
    if not isinstance(raw_macros, dict):
        raise WordListError(source, "macros", "must be a mapping of NAME: words")
    macros: Dict[str, str] = {}
    for name, value in raw_macros.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            raise WordListError(source, f"macros.{name}", "a macro name is in capitals")
        macros[name] = "|".join(word_list(source, f"macros.{name}", value))
    raw_rules = rules_table.raw("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise WordListError(source, "rules", "must be a non-empty list")
    rules = tuple(_read_rule(source, index, item, macros) for index, item in enumerate(raw_rules))
    return RuleSet(rules, rules_table.word_set("common_words"))


RULE_SET = load_rules(DATA_DIR / "rules.yml")
RULES = RULE_SET.rules
