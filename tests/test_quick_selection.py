"""`./assistant test --quick` (pytest --quick) runs the pure-Python tables and nothing that
needs the trained model, a server or a rasa command line."""

import subprocess
import sys

from scripts.processes import ROOT

# Modules that import no Rasa code at collection, so that collecting them takes seconds.
MODULES = [
    "tests/test_triage.py",
    "tests/test_screening_e2e.py",
    "tests/test_persistence.py",
    "tests/test_stories.py",
    "tests/test_nlu_quality.py",
    "tests/test_web_widget.py",
]


def collected(*options: str) -> list:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *options, *MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if "::" in line]


def test_quick_keeps_the_tables_and_leaves_out_servers_models_and_rasa_commands():
    everything, quick = collected(), collected("--quick")
    assert set(quick) < set(everything)
    modules = {test.split("::")[0] for test in quick}
    # the exhaustive triage check and the connector's own tests, which need no server
    assert "tests/test_triage.py::test_every_combination_of_yes_no_unsure" in quick
    assert any(test.startswith("tests/test_web_widget.py::test_webchat_input") for test in quick)
    # a real Rasa server, the model through `rasa test`, an extra training, a browser
    assert not modules & {
        "tests/test_screening_e2e.py",
        "tests/test_persistence.py",
        "tests/test_stories.py",
    }
    # the held-out set's own checks need no model; its scores do
    assert "tests/test_nlu_quality.py::test_no_heldout_message_is_trained_on" in quick
    assert not [test for test in quick if "macro_f1" in test]
    assert not [test for test in quick if "screening_by_buttons" in test]
    # A full run starts with the same tables, then the rest.
    assert everything[: len(quick)] == quick
