"""Timing the training of both bots, each in a temporary folder from an empty cache."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Tuple

from scripts.model import train_command
from scripts.processes import PYTHON, ROOT


def timed(command: List[str], cwd: Path, log: Path, env: Dict[str, str]) -> float:
    started = time.monotonic()
    with open(log, "ab") as out:
        result = subprocess.run(
            command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env}
        )
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(
            f"{' '.join(command[:4])} failed (exit {result.returncode}); log {log}:\n{tail}"
        )
    return time.monotonic() - started


def train_stock(work: Path) -> Tuple[Path, float]:
    """`rasa init --no-prompt` (creates the starter bot and trains it), timed."""
    bot = work / "stock-bot"
    bot.mkdir()
    print(
        "==> rasa init: creating and training stock Rasa's starter bot", file=sys.stderr, flush=True
    )
    seconds = timed(
        [PYTHON, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(bot)],
        bot,
        work / "stock-init.log",
        {"RASA_CACHE_DIRECTORY": str(work / "stock-cache")},
    )
    models = sorted((bot / "models").glob("*.tar.gz"))
    if not models:
        raise SystemExit(f"rasa init trained no model; see {work / 'stock-init.log'}")
    return models[-1], seconds


def train_ours(work: Path) -> float:
    """`rasa train --force` on a copy of this project's training inputs, timed."""
    project = work / "our-copy"
    project.mkdir()
    for name in ("config.yml", "domain.yml"):
        shutil.copy(ROOT / name, project / name)
    # The config's custom component needs its code.
    for name in ("data", "components", "screening"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    print(
        "==> rasa train --force on a copy of config.yml, domain.yml and data/ "
        "(the project's model is not touched)",
        file=sys.stderr,
        flush=True,
    )
    return timed(
        train_command(work / "our-models", "copy", "--force"),
        project,
        work / "our-train.log",
        {"RASA_CACHE_DIRECTORY": str(work / "our-cache")},
    )
