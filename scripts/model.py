"""Train the model only when what it is built from has changed.

Rasa itself then retrains only the parts whose inputs changed (its training
cache), so editing an answer text re-packs the model in seconds.

`python -m scripts.model ensure` prints the model path, training first if the
config, domain or training data changed since the
model in models/ was trained. The fingerprint is a hash of those files, kept
next to the model, so the check takes milliseconds instead of Rasa's own
(which loads TensorFlow first).
"""

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
MODEL_NAME = "back-dimples"
MODEL = MODELS / f"{MODEL_NAME}.tar.gz"
FINGERPRINT = MODELS / f"{MODEL_NAME}.fingerprint"
# Everything the trained model is built from. (The custom NLU component keeps no
# trained state: its code is loaded when the model runs, so editing it needs no
# new training.)
INPUTS = ["config.yml", "domain.yml", "data", "requirements.lock"]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def is_current() -> bool:
    return (
        MODEL.exists() and FINGERPRINT.exists() and FINGERPRINT.read_text().strip() == fingerprint()
    )


def train_command(out: Path, name: str, *options: str) -> List[str]:
    """`rasa train` on the project's config, domain and data (run it in the project folder)."""
    return [
        sys.executable,
        "-m",
        "rasa",
        "train",
        *options,
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        "data",
        "--out",
        str(out),
        "--fixed-model-name",
        name,
    ]


def train() -> Path:
    MODELS.mkdir(exist_ok=True)
    print("==> Training the model (data, domain or config changed)", file=sys.stderr, flush=True)
    want = fingerprint()
    subprocess.run(train_command(MODELS, MODEL_NAME), cwd=ROOT, check=True)
    FINGERPRINT.write_text(want + "\n")
    return MODEL


def ensure() -> Path:
    return MODEL if is_current() else train()


if __name__ == "__main__":
    if sys.argv[1:] == ["ensure"]:
        print(ensure())
    elif sys.argv[1:] == ["train"]:
        print(train())
    else:
        sys.exit("usage: python -m scripts.model ensure|train")
