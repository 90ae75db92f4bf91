"""`rasa shell` that reads cleanly: library warnings go to a log file, buttons show by title.

    python -m scripts.shell [--warnings-log PATH] --model ... --endpoints ... [rasa shell options]

Rasa 3.6's shell prints every library deprecation warning before "Bot loaded" and lists
buttons as "1: Under 1 month (/inform{...})", a menu picked with the arrow keys. Here the
warnings are written to PATH (default .rasa-shell.log; only warnings, never what people
type or what the bot says), and a question's buttons are listed as numbered titles under
it. The person types a number, a title, or anything else; a number or a title sends that
button's payload, so answers by button work as they do in the other channels. Rasa's
errors still show on the screen.

This changes two functions of rasa.core.channels.console in this process only (the
installed package is untouched); `./assistant chat` (scripts/run_local.py) runs it.
"""

import argparse
import logging
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from scripts.processes import ROOT

WARNINGS_LOG = ROOT / ".rasa-shell.log"


def button_lines(buttons: Sequence[Dict[str, Any]]) -> List[str]:
    """What the person sees for a list of buttons: numbered titles, no payloads."""
    return [f"  {number}. {button.get('title', '')}" for number, button in enumerate(buttons, 1)]


def answer_hint(buttons: Sequence[Dict[str, Any]]) -> str:
    """The line under a question's buttons. The range says a number picks an answer: a bare
    "3" under "How old is your baby?" means the third answer here, not 3 months."""
    if len(buttons) == 1:
        return "(Type 1 to pick it, or answer in your own words.)"
    return f"(Type 1-{len(buttons)} to pick an answer, or answer in your own words.)"


def _comparable(text: str) -> str:
    return " ".join(text.split()).casefold()


def message_for_answer(answer: str, buttons: Sequence[Dict[str, Any]]) -> str:
    """What to send for what the person typed under a list of buttons.

    A button's number or its title (any case and spacing) sends the button's payload;
    anything else is sent as typed, for the assistant to read as free text.
    """
    answer = answer.strip()
    chosen: Optional[Dict[str, Any]] = None
    if answer.isdigit() and 1 <= int(answer) <= len(buttons):
        chosen = buttons[int(answer) - 1]
    else:
        chosen = next(
            (b for b in buttons if _comparable(str(b.get("title", ""))) == _comparable(answer)),
            None,
        )
    if chosen is None:
        return answer
    return str(chosen.get("payload") or chosen.get("title", ""))


def send_warnings_to(log_path: Path) -> None:
    """Write Python warnings to log_path instead of the terminal, once per place."""
    handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")  # this run only
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    warnings_logger = logging.getLogger("py.warnings")
    warnings_logger.addHandler(handler)
    # Not up to the root logger: Rasa puts the root logger's output on the screen.
    warnings_logger.propagate = False
    logging.captureWarnings(True)
    warnings.simplefilter("default")


def use_titled_buttons() -> None:
    """Make Rasa's shell show buttons by title and map numbers and titles to payloads."""
    import questionary
    import rasa.shared.utils.cli
    from prompt_toolkit.styles import Style
    from rasa.core.channels import console
    from rasa.shared.utils.io import bcolors

    print_rest = console._print_bot_output

    def print_bot_output(
        message: Dict[str, Any], is_latest_message: bool = False, color: str = bcolors.OKBLUE
    ) -> None:
        rest = dict(message)
        text, buttons = rest.pop("text", None), rest.pop("buttons", None) or []
        if text:
            rasa.shared.utils.cli.print_color(text, color=color)
        for line in button_lines(buttons):
            rasa.shared.utils.cli.print_color(line, color=color)
        if buttons and is_latest_message:
            rasa.shared.utils.cli.print_color(answer_hint(buttons), color=color)
        print_rest(rest, color=color)  # images, attachments and the like, as Rasa shows them

    async def get_user_input(previous_response: Optional[Dict[str, Any]]) -> Optional[str]:
        buttons: List[Dict[str, Any]] = []
        if previous_response is not None:
            print_bot_output(previous_response, is_latest_message=True)
            buttons = previous_response.get("buttons") or []
        question = questionary.text(
            "", qmark="Your input ->", style=Style([("qmark", "#b373d6"), ("", "#b373d6")])
        )
        answer = await question.ask_async()
        return None if answer is None else message_for_answer(answer, buttons)

    console._print_bot_output = print_bot_output
    console._get_user_input = get_user_input


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--warnings-log", type=Path, default=WARNINGS_LOG)
    own, rasa_args = parser.parse_known_args(argv)
    print(
        f"==> Starting the assistant (about 30 s; library warnings go to {own.warnings_log})",
        file=sys.stderr,
        flush=True,
    )
    send_warnings_to(own.warnings_log)
    use_titled_buttons()
    import rasa.__main__

    sys.argv = ["rasa", "shell", *rasa_args]
    rasa.__main__.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
