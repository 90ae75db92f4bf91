"""What the extractor returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Optional

from ..findings import EMERGENCY, URGENT_FINDINGS, Answer


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
    # A typed reply to the offer once the advice is settled: "finish" or "stop".
    offer: Optional[str] = None
    # "..., nothing else": the signs of the open list the message does not name are not there.
    rest_none: bool = False


def is_urgent(extraction: Extraction) -> bool:
    """True if any urgent red flag or an emergency sign is present (YES)."""
    findings = getattr(extraction, "findings", None) or {}
    return any(findings.get(key) == Answer.YES for key in (*URGENT_FINDINGS, EMERGENCY))
