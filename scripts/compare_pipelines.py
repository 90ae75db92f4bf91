"""Compare candidate NLU pipelines by cross-validation on the project's own data.

    .venv/bin/python -m scripts.compare_pipelines [--folds 3]

For each config in scripts/pipelines/ it runs `rasa test nlu --cross-validation`
and prints intent and FAQ-topic macro-F1 (mean over the test folds) and the
wall time. The figures chosen from are kept in docs/nlu-pipeline.md.
"""
import argparse
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
        [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", "data",
         "--config", str(config), "--cross-validation", "--folds", str(folds),
         "--out", str(out), "--no-plot"],
        cwd=ROOT, check=True, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    seconds = time.monotonic() - start
    intent = json.loads((out / "intent_report.json").read_text())["macro avg"]["f1-score"]
    faq = json.loads((out / "response_selection_report.json").read_text())["macro avg"]["f1-score"]
    return {"config": config.stem, "intent_macro_f1": round(intent, 3),
            "faq_topic_macro_f1": round(faq, 3), "seconds": round(seconds)}


def save_blank_spacy_pipeline() -> None:
    """Rasa's SpacyNLP loads a pipeline from disk and reads its meta.json, so the
    blank English pipeline (no pretrained model can be downloaded here) is saved
    where spacy_diet.yml points."""
    import spacy

    target = ROOT / "results" / "spacy-blank-en"
    if not (target / "meta.json").exists():
        spacy.blank("en").to_disk(target)


def main() -> None:
    save_blank_spacy_pipeline()
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", default="results/pipelines")
    args = parser.parse_args()
    for config in sorted((ROOT / "scripts" / "pipelines").glob("*.yml")):
        result = run(config, args.folds, ROOT / args.out / config.stem)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
