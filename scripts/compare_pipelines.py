"""Compare candidate NLU pipelines by cross-validation on the project's own data.

    .venv/bin/python -m scripts.compare_pipelines [--folds 3] [--only NAME ...]
    .venv/bin/python -m scripts.compare_pipelines --heldout [--only NAME ...]

For each config in scripts/pipelines/ it runs `rasa test nlu --cross-validation`
and prints intent and FAQ-topic macro-F1 (mean over the test folds) and the
wall time. With --heldout it instead trains each config on all the data and
scores it on tests/data/heldout_nlu.yml (scripts/heldout_nlu.py), with the
median CPU time of one parse. The figures chosen from are kept in
docs/nlu-pipeline.md.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(config: Path, folds: int, out: Path) -> dict:
    start = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "nlu",
            "--nlu",
            "data",
            "--config",
            str(config),
            "--cross-validation",
            "--folds",
            str(folds),
            "--out",
            str(out),
            "--no-plot",
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - start
    intent = json.loads((out / "intent_report.json").read_text())["macro avg"]["f1-score"]
    faq = json.loads((out / "response_selection_report.json").read_text())["macro avg"]["f1-score"]
    return {
        "config": config.stem,
        "intent_macro_f1": round(intent, 3),
        "faq_topic_macro_f1": round(faq, 3),
        "seconds": round(seconds),
    }


def run_heldout(config: Path, out: Path) -> dict:
    from scripts.heldout_nlu import evaluate

    start = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "nlu",
            "--nlu",
            "data",
            "--domain",
            "domain.yml",
            "--config",
            str(config),
            "--out",
            str(out),
            "--fixed-model-name",
            config.stem,
        ],
        cwd=ROOT,
        check=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - start
    report = evaluate(out / f"{config.stem}.tar.gz")
    return {
        "config": config.stem,
        "heldout_intent_macro_f1": round(report.intent_macro_f1, 3),
        "heldout_faq_topic_macro_f1": round(report.faq_topic_macro_f1, 3),
        "cpu_ms_per_parse": round(report.cpu_ms_per_parse, 2),
        "train_seconds": round(seconds),
    }


def save_blank_spacy_pipelines() -> None:
    """Rasa's SpacyNLP loads a pipeline from disk and reads its meta.json, so the
    blank English pipelines (no pretrained model can be downloaded here) are
    saved where the spacy_* configs point: one bare, one with the lookup
    lemmatizer, whose tables come from the spacy-lookups-data package."""
    import spacy

    target = ROOT / "results" / "spacy-blank-en"
    if not (target / "meta.json").exists():
        spacy.blank("en").to_disk(target)
    target = ROOT / "results" / "spacy-blank-en-lemma"
    if not (target / "meta.json").exists():
        if importlib.util.find_spec("spacy_lookups_data") is None:
            # Not a dependency of the assistant: its pipeline does not lemmatize.
            print(
                "spacy_lemma_logreg needs: .venv/bin/pip install --no-deps "
                "spacy-lookups-data==1.0.5",
                file=sys.stderr,
            )
            return
        nlp = spacy.blank("en")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        nlp.to_disk(target)


def main() -> None:
    save_blank_spacy_pipelines()
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", default="results/pipelines")
    parser.add_argument(
        "--heldout",
        action="store_true",
        help="train on all data, score on tests/data/heldout_nlu.yml",
    )
    parser.add_argument("--only", nargs="*", help="config names (file stems) to run")
    args = parser.parse_args()
    for config in sorted((ROOT / "scripts" / "pipelines").glob("*.yml")):
        if args.only and config.stem not in args.only:
            continue
        if args.heldout:
            result = run_heldout(config, ROOT / args.out / "heldout")
        else:
            result = run(config, args.folds, ROOT / args.out / config.stem)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
