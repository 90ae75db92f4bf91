"""The names of docs/contract.md are the ones the assistant really uses.

Other systems rely on them, so renaming an intent, dropping an FAQ topic or letting the
screening report a red flag the contract does not list must fail here, and so must a contract
page that lists a name the assistant does not have.
"""

import re
from pathlib import Path
from typing import Dict, List, Set

import yaml

from screening.findings import FINDINGS, UNSURE_FLAG
from screening.triage import REASSURE, REFER, URGENT

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "docs" / "contract.md"


def _sections() -> Dict[str, str]:
    """The contract page's '## ' sections by title."""
    parts = re.split(r"^## +(.+)$", CONTRACT.read_text(encoding="utf-8"), flags=re.M)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def _first_column(table: str) -> List[str]:
    """The `code` names in the first column of a Markdown table."""
    return re.findall(r"^\| `([^`]+)` \|", table, flags=re.M)


def _nlu_intents() -> Set[str]:
    intents = set()
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                intents.add(block["intent"])
    return intents


DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
SECTIONS = _sections()
INTENTS = _first_column(SECTIONS["Intents"])
TOPICS = _first_column(SECTIONS["FAQ topics (`faq/<topic>`)"])
OUTCOME = SECTIONS["The screening's outcome"]


def test_the_page_lists_the_twelve_intents_and_eighteen_topics():
    assert len(INTENTS) == 12 and len(set(INTENTS)) == 12
    assert len(TOPICS) == 18 and all(t.startswith("faq/") for t in TOPICS)


def test_every_contract_intent_is_in_the_domain_and_trained():
    trained = _nlu_intents()
    retrieval = {name.split("/")[0] for name in trained}
    assert set(INTENTS) <= set(DOMAIN["intents"])
    assert not set(INTENTS) - trained - retrieval, "intents without training examples"


def test_every_contract_topic_has_an_answer_and_examples():
    responses = yaml.safe_load((ROOT / "data" / "responses" / "faq.yml").read_text())
    answered = {name.removeprefix("utter_") for name in responses["responses"]}
    assert set(TOPICS) <= answered
    assert set(TOPICS) <= _nlu_intents()


def test_the_outcome_slots_and_their_values():
    slots = DOMAIN["slots"]
    assert slots["screening_result"]["values"] == [URGENT, REFER, REASSURE]
    assert slots["red_flags"]["type"] == "list"
    results = re.search(r"`screening_result`:(.*?)\n- ", OUTCOME, flags=re.S)
    flags = re.search(r"`red_flags`:(.*?)It is empty", OUTCOME, flags=re.S)
    assert results and flags
    assert re.findall(r"`(\w+)` \(", results.group(1)) == [URGENT, REFER, REASSURE]
    # Every value the screening can report is listed, and nothing else.
    assert set(re.findall(r"`(\w+)`", flags.group(1))) == set(FINDINGS) | {UNSURE_FLAG}
