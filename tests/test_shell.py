"""The shell, as a person at a terminal uses it: `python -m scripts.shell` (what
`./assistant chat` runs) in a pseudo-terminal.

Buttons appear as numbered titles under the question; the person types a number, a
title, or free text at the "Your input ->" prompt.
"""

import os
import re
import sys

import pexpect
import pytest

from scripts.processes import ROOT, free_port
from scripts.shell import answer_hint, button_lines, message_for_answer

AGE_BUTTONS = [
    {"title": "Under 1 month", "payload": '/inform{"age_months": 0.5}'},
    {"title": "1-6 months", "payload": '/inform{"age_months": 3}'},
]


@pytest.mark.parametrize(
    "typed, sent",
    [
        ("1", '/inform{"age_months": 0.5}'),
        (" 2 ", '/inform{"age_months": 3}'),
        ("under 1  MONTH", '/inform{"age_months": 0.5}'),
        ("1-6 months", '/inform{"age_months": 3}'),
        # Not a button: sent as typed, for the assistant to read.
        ("3", "3"),
        ("0", "0"),
        ("she is 2 weeks old", "she is 2 weeks old"),
        ("", ""),
    ],
)
def test_a_number_or_a_title_sends_the_buttons_payload(typed, sent):
    assert message_for_answer(typed, AGE_BUTTONS) == sent


def test_without_buttons_a_number_is_sent_as_typed():
    assert message_for_answer("1", []) == "1"


def test_buttons_are_listed_by_title_with_numbers():
    assert button_lines(AGE_BUTTONS) == ["  1. Under 1 month", "  2. 1-6 months"]
    assert "Type 1-2 to pick an answer" in answer_hint(AGE_BUTTONS)


# How Rasa's own shell shows a button: "1: Yes (/affirm)".
RAW_PAYLOAD = re.compile(r"/(inform|affirm|deny|dont_know)\b")


def assert_titles_only(screen: str) -> None:
    assert not RAW_PAYLOAD.search(screen), screen


# One shell for the module: starting Rasa is most of the time.
@pytest.fixture(scope="module")
def shell(model_path, action_server, log_dir):
    endpoints = log_dir / "shell-endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: {action_server}\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {log_dir / 'shell.db'}\n"
    )
    warnings_log = log_dir / "shell-warnings.log"
    warnings_log.unlink(missing_ok=True)
    child = pexpect.spawn(
        sys.executable,
        [
            "-m",
            "scripts.shell",
            "--warnings-log",
            str(warnings_log),
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
        child.startup_screen = child.before
        child.warnings_log = warnings_log
        yield child
        child.sendcontrol("c")
        child.close(force=True)


def test_the_shell_starts_quietly(shell):
    screen = shell.startup_screen
    assert "Starting the assistant" in screen
    assert "Bot loaded" in screen
    assert not re.search(r"Warning", screen), screen
    # The warnings are kept, in the log file named on the screen.
    assert "DeprecationWarning" in shell.warnings_log.read_text()


def test_faq_answer_and_a_short_screening_in_the_shell(shell):
    shell.sendline("what are dimples of venus?")
    shell.expect("Venus")
    shell.expect("Your input ->")

    # "my baby's" already says who has the dimple, so the first question is where.
    shell.sendline("can you check the dimple on my baby's back?")
    # the picture, in words, above its question (no URL); the buttons still numbered
    shell.expect(r"\[Picture: Five drawings of a lower back")
    shell.expect("Where is it")
    assert "/images/" not in shell.before
    shell.expect("1. Low, in the middle")
    shell.expect("Type 1-6 to pick an answer")
    shell.expect("Your input ->")
    assert_titles_only(shell.before)
    shell.sendline("low, in the middle")  # by title
    shell.expect("Fluid, pus or other discharge")
    shell.expect("2. Yes, one or more")
    shell.expect("Your input ->")
    assert_titles_only(shell.before)
    shell.sendline("2")  # by number: yes, one of the urgent signs
    shell.expect("medical care today")
    shell.expect("emergency number")
    shell.expect("not a diagnosis")
