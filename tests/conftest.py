"""Shared fixtures: a trained model and a real stack (action server + Rasa server)."""
import os
from pathlib import Path

import pytest

# Also for a plain `pytest` run: no telemetry to servers outside this machine.
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.stack import RasaServer, start_action_server, temp_log_dir

_FIGURES: list[str] = []


@pytest.fixture(scope="session")
def record_figure():
    """Record a measured figure; all of them are printed at the end of the run."""
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("figures measured by this run")
        for line in _FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def model_path() -> Path:
    # DIMPLES_MODEL: test against a given model file instead of the project's
    # (e.g. a copy, while the data in this checkout is being edited).
    if os.environ.get("DIMPLES_MODEL"):
        return Path(os.environ["DIMPLES_MODEL"])
    from scripts.model import ensure

    return ensure()


@pytest.fixture(scope="session")
def log_dir() -> Path:
    return temp_log_dir()


@pytest.fixture(scope="session")
def action_server(log_dir):
    process, url = start_action_server(log_dir)
    yield url
    process.stop()


@pytest.fixture(scope="session")
def rasa_server(model_path, action_server, log_dir):
    """One Rasa server for the whole session (it takes about 30 s to start)."""
    server = RasaServer(model_path, action_server, log_dir).start()
    yield server
    server.stop()
