"""`rasa shell` in a pseudo-terminal, as a person at a terminal uses it.

Buttons appear in the shell as a menu (arrow keys and Enter); free text is typed
at the "Your input ->" prompt.
"""

import os
import sys

import pexpect
import pytest

from scripts.processes import ROOT, free_port

pytestmark = pytest.mark.server

DOWN, ENTER = "\x1b[B", "\r"


@pytest.fixture()
def shell(model_path, action_server, log_dir):
    endpoints = log_dir / "shell-endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: {action_server}\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {log_dir / 'shell.db'}\n"
    )
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "rasa",
            "shell",
            "--model",
            str(model_path),
            "--endpoints",
            str(endpoints),
            "--port",
            str(free_port()),
            "--quiet",
        ],
        cwd=str(ROOT),
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        encoding="utf-8",
        timeout=240,
        dimensions=(60, 200),
    )
    with open(log_dir / "shell-session.log", "a") as transcript:
        child.logfile_read = transcript
        child.expect("Your input ->")
        yield child
        child.sendcontrol("c")
        child.close(force=True)


def test_faq_answer_and_a_short_screening_in_the_shell(shell):
    shell.sendline("what are dimples of venus?")
    shell.expect("Venus")
    shell.expect("Your input ->")

    # "my baby's" already says who has the dimple, so the first question is the age.
    shell.sendline("can you check the dimple on my baby's back?")
    shell.expect("How old is your baby")
    shell.expect("Under 1 month")
    shell.send(ENTER)
    shell.expect("Where is it")
    shell.expect("One dimple")
    shell.send(ENTER)
    shell.expect("fluid, pus or other discharge")
    shell.expect("Not sure")
    shell.send(ENTER)  # Yes: fluid comes out of it
    shell.expect("medical care today")
    shell.expect("emergency number")
    shell.expect("not a diagnosis")
