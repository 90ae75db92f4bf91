"""Test stories with user text (tests/stories/): every FAQ topic, the core intents
and the screening's entry points, run by `rasa test core` against the trained model.
"""
import os
import subprocess
import sys

from tests.stack import ROOT


def test_stories_with_user_text_predict_every_turn(model_path, tmp_path, record_figure):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(model_path),
         "--stories", "tests/stories", "--out", str(tmp_path), "--fail-on-prediction-errors",
         "--no-plot"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
    )
    failed = (tmp_path / "failed_test_stories.yml")
    detail = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, detail + (result.stdout + result.stderr)[-4000:]
    record_figure("test stories: all turns predicted as written (rasa test core)")
