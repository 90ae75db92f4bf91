"""Start the action server next to Rasa, so nobody needs a second terminal.

    python -m scripts.run_local chat   # rasa shell in this terminal (scripts/shell.py)
    python -m scripts.run_local web    # the web chat page on http://127.0.0.1:5005/chat/

`web` runs one Rasa server (credentials.yml: its web chat channel serves both the
page and its Socket.IO socket, see docs/channels/web.md). Environment:
RASA_PORT (5005), RASA_INTERFACE (127.0.0.1; 0.0.0.0 to reach it from other
machines), WEBCHAT_CORS_ORIGINS (space-separated extra origins allowed to embed
the widget; the page's own origin is always allowed).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import List

from scripts.model import MODEL
from scripts.processes import PYTHON, ROOT, Process, start_action_server

# The port endpoints.yml points Rasa at.
ACTION_PORT = 5055
ACTION_LOG = ROOT / ".rasa-actions.log"


def _stop_on_signal(signum, frame):
    # `kill`, a closed terminal, docker stop: clean up both servers as Ctrl-C does.
    raise KeyboardInterrupt


def main(mode: str) -> int:
    if mode not in ("chat", "web"):
        raise SystemExit(f"unknown mode {mode!r}")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop_on_signal)
    print("==> Starting the action server", file=sys.stderr, flush=True)
    try:
        actions, _ = start_action_server(port=ACTION_PORT, log_path=ACTION_LOG)
    except RuntimeError as error:
        raise SystemExit(f"The action server did not start: {error}") from error
    try:
        if mode == "web":
            return serve_web()
        command = [
            PYTHON,
            "-m",
            "scripts.shell",
            "--model",
            str(MODEL),
            "--endpoints",
            "endpoints.yml",
            "--quiet",
        ]
        return subprocess.call(command, cwd=ROOT)
    except KeyboardInterrupt:
        return 130
    finally:
        actions.stop()


def web_command(
    port: int,
    interface: str,
    origins: List[str],
    model: Path = MODEL,
    endpoints: str = "endpoints.yml",
) -> List[str]:
    # No --enable-api: the HTTP API stays off (tests/test_security.py runs this command).
    return [
        PYTHON,
        "-m",
        "rasa",
        "run",
        "--model",
        str(model),
        "--credentials",
        "credentials.yml",
        "--endpoints",
        str(endpoints),
        "--port",
        str(port),
        "--interface",
        interface,
        "--cors",
        *origins,
    ]


def serve_web() -> int:
    """`rasa run` with the web chat channel; prints the page's URL once it answers."""
    port = int(os.environ.get("RASA_PORT", "5005"))
    interface = os.environ.get("RASA_INTERFACE", "127.0.0.1")
    page = f"http://127.0.0.1:{port}"
    origins = [
        page,
        f"http://localhost:{port}",
        *os.environ.get("WEBCHAT_CORS_ORIGINS", "").split(),
    ]
    print(f"==> Starting Rasa on port {port} (about 30 s)", file=sys.stderr, flush=True)
    # No log file: Rasa's own messages show in this terminal.
    rasa = Process("rasa", web_command(port, interface, origins)).start()
    try:
        rasa.wait_until(f"http://127.0.0.1:{port}/webhooks/socketio/", timeout=180)
        print(f"\n  The web chat is ready: {page}/chat/\n  (Ctrl-C stops it)\n", flush=True)
        return rasa.wait()
    except RuntimeError as error:
        raise SystemExit(str(error)) from error
    except KeyboardInterrupt:
        return 0
    finally:
        rasa.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "chat"))
