"""Measure a trained model on the held-out messages of tests/data/heldout_nlu.yml.

    .venv/bin/python -m scripts.heldout_nlu [--model models/back-dimples.tar.gz] [--errors]
    .venv/bin/python -m scripts.heldout_nlu --speed BEFORE.tar.gz AFTER.tar.gz [--rounds 5]

Loads the model in this process (no server), parses every held-out message and
prints intent macro-F1, FAQ-topic macro-F1 and the CPU time of one NLU parse.
The FAQ-topic figure is taken over all messages: a topic answered to a message
that is no FAQ question counts against that topic, and an FAQ question read as
another intent counts as a miss. The model's top guess is scored, as if the bot
always answered; asking "did you mean ...?" instead is not credited here.
"""

import argparse
import asyncio
import json
import logging
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "tests" / "data" / "heldout_nlu.yml"
NOT_FAQ = "-"


def load_heldout(path: Path = HELDOUT) -> List[Tuple[str, str]]:
    """(text, label) pairs; label is an intent or faq/<topic>."""
    data = yaml.safe_load(path.read_text())
    return [(text, label) for label, texts in data.items() for text in texts]


def intent_of(label: str) -> str:
    return label.split("/", 1)[0]


def topic_of(label: str) -> str:
    return label.split("/", 1)[1] if label.startswith("faq/") else NOT_FAQ


def predicted_label(parse: Dict) -> str:
    intent = (parse.get("intent") or {}).get("name") or "None"
    # faq_unclear: the bot asks "did you mean ...?"; its top topic is scored.
    if intent not in ("faq", "faq_unclear"):
        return intent
    response = parse.get("response_selector", {}).get("faq", {}).get("response", {})
    key = response.get("intent_response_key") or "faq/?"
    return key


def macro_f1(gold: List[str], predicted: List[str], labels: List[str]) -> float:
    """Mean over `labels` of per-label F1; predictions outside `labels` are misses."""
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


@dataclass
class Report:
    intent_macro_f1: float
    faq_topic_macro_f1: float
    cpu_ms_per_parse: float
    errors: List[Tuple[str, str, str]] = field(default_factory=list)


def score(pairs: List[Tuple[str, str]], predictions: List[str]) -> Tuple[float, float]:
    gold = [label for _, label in pairs]
    intents_gold = [intent_of(g) for g in gold]
    intents_pred = [intent_of(p) for p in predictions]
    topics_gold = [topic_of(g) for g in gold]
    topics_pred = [topic_of(p) for p in predictions]
    intent_labels = sorted(set(intents_gold))
    topic_labels = sorted(set(topics_gold) - {NOT_FAQ})
    return (
        macro_f1(intents_gold, intents_pred, intent_labels),
        macro_f1(topics_gold, topics_pred, topic_labels),
    )


def evaluate(model: Path, pairs: Optional[List[Tuple[str, str]]] = None) -> Report:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parse with its text at debug level; measure quietly.
    configure_structlog(logging.WARNING)

    pairs = pairs if pairs is not None else load_heldout()
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    try:
        # Warm up (lazy TensorFlow graph building) before timing.
        for _ in range(3):
            loop.run_until_complete(agent.parse_message("hello"))
        predictions, cpu = [], []
        for text, _ in pairs:
            start = time.process_time()
            parse = loop.run_until_complete(agent.parse_message(text))
            cpu.append(time.process_time() - start)
            predictions.append(predicted_label(parse))
    finally:
        loop.close()
    intent_f1, topic_f1 = score(pairs, predictions)
    errors = [
        (text, label, predicted)
        for (text, label), predicted in zip(pairs, predictions, strict=True)
        if predicted != label
    ]
    return Report(intent_f1, topic_f1, statistics.median(cpu) * 1000, errors)


def compare_speed(models: List[Path], rounds: int = 5) -> Dict[str, float]:
    """Median CPU ms of one NLU parse per model, over the held-out messages.

    The models are loaded side by side and take turns on every message, so a
    machine busy with other work slows them alike (2 shared cores here)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agents = [Agent.load(str(model)) for model in models]
    texts = [text for text, _ in load_heldout()]
    cpu: List[List[float]] = [[] for _ in agents]
    loop = asyncio.new_event_loop()
    try:
        for agent in agents:
            for _ in range(3):
                loop.run_until_complete(agent.parse_message("hello"))
        for _ in range(rounds):
            for text in texts:
                for index, agent in enumerate(agents):
                    start = time.process_time()
                    loop.run_until_complete(agent.parse_message(text))
                    cpu[index].append(time.process_time() - start)
    finally:
        loop.close()
    return {
        str(model): round(statistics.median(times) * 1000, 2)
        for model, times in zip(models, cpu, strict=True)
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(ROOT / "models" / "back-dimples.tar.gz"))
    parser.add_argument("--errors", action="store_true", help="list every misread message")
    parser.add_argument("--speed", nargs="+", help="models to time against each other")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    if args.speed:
        print(json.dumps(compare_speed([Path(m) for m in args.speed], args.rounds)))
        return
    report = evaluate(Path(args.model))
    if args.errors:
        for text, gold, predicted in report.errors:
            print(f"{gold:32} -> {predicted:32} {text}")
    print(
        json.dumps(
            {
                "intent_macro_f1": round(report.intent_macro_f1, 3),
                "faq_topic_macro_f1": round(report.faq_topic_macro_f1, 3),
                "cpu_ms_per_parse_median": round(report.cpu_ms_per_parse, 2),
                "errors": len(report.errors),
            }
        )
    )


if __name__ == "__main__":
    main()
