"""Test stories with user text (tests/stories/): every FAQ topic, the core intents
and the screening's entry points, run by `rasa test core` against the trained model.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Tuple

import pytest

from scripts.processes import ROOT
from tests import background

pytestmark = pytest.mark.rasa_cli


@background.job("stories_run", needs=("model_path", "log_dir"))
def _stories_run(model: Path, log_dir: Path) -> Tuple[subprocess.CompletedProcess, str]:
    """`rasa test core` on tests/stories; (the finished process, the failed stories)."""
    out = Path(tempfile.mkdtemp(prefix="stories-", dir=log_dir))
    result = subprocess.run(
        # nice: it runs in the background, next to the other tests.
        [
            "nice",
            "-n",
            "10",
            sys.executable,
            "-m",
            "rasa",
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            "tests/stories",
            "--out",
            str(out),
            "--fail-on-prediction-errors",
            "--no-plot",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    failed = out / "failed_test_stories.yml"
    return result, failed.read_text() if failed.exists() else ""


@pytest.fixture(scope="module")
def stories_run(model_path, log_dir):
    """Run in the background from the start of the session (tests/background.py)."""
    return background.result("stories_run", lambda: _stories_run(model_path, log_dir))


def test_stories_with_user_text_predict_every_turn(stories_run, record_figure):
    result, detail = stories_run
    assert result.returncode == 0, detail + (result.stdout + result.stderr)[-4000:]
    record_figure("test stories: all turns predicted as written (rasa test core)")
