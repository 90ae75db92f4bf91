"""Start the action server next to Rasa, so nobody needs a second terminal.

    python -m scripts.run_local chat   # rasa shell in this terminal
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
import time
import urllib.request
from pathlib import Path

from scripts.model import MODEL

ROOT = Path(__file__).resolve().parent.parent
# The port endpoints.yml points Rasa at.
ACTION_PORT = 5055


def wait_for(url: str, process: subprocess.Popen, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            command = process.args if isinstance(process.args, list) else [process.args]
            raise SystemExit(f"{command[2:4]} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"timed out waiting for {url}")


def action_server_command(port: int) -> "list[str]":
    """The action server: rasa_sdk without TensorFlow (actions/__main__.py)."""
    return [sys.executable, "-m", "actions", "--port", str(port)]


def start_action_server(
    port: int = ACTION_PORT, log_path: Path | None = None
) -> subprocess.Popen:
    """Start the action server and wait until it answers its health check."""
    # The child keeps its own copy of the log file's descriptor; ours can close.
    with open(log_path or ROOT / ".rasa-actions.log", "ab") as log:
        process = subprocess.Popen(
            action_server_command(port),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_for(f"http://127.0.0.1:{port}/health", process)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _stop_on_signal(signum, frame):
    # `kill`, a closed terminal, docker stop: clean up both servers as Ctrl-C does.
    raise KeyboardInterrupt


def main(mode: str) -> int:
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop_on_signal)
    print("==> Starting the action server", file=sys.stderr, flush=True)
    actions = start_action_server()
    try:
        if mode == "chat":
            command = [
                sys.executable, "-m", "rasa", "shell", "--model", str(MODEL),
                "--endpoints", "endpoints.yml", "--quiet",
            ]
        elif mode == "web":
            return serve_web()
        else:
            raise SystemExit(f"unknown mode {mode!r}")
        return subprocess.call(command, cwd=ROOT)
    except KeyboardInterrupt:
        return 130
    finally:
        stop(actions)


def web_command(port: int, interface: str, origins: "list[str]", model: Path = MODEL,
                endpoints: str = "endpoints.yml") -> "list[str]":
    # No --enable-api: the HTTP API stays off (tests/test_security.py runs this command).
    return [
        sys.executable, "-m", "rasa", "run", "--model", str(model),
        "--credentials", "credentials.yml", "--endpoints", str(endpoints),
        "--port", str(port), "--interface", interface, "--cors", *origins,
    ]


def serve_web() -> int:
    """`rasa run` with the web chat channel; prints the page's URL once it answers."""
    port = int(os.environ.get("RASA_PORT", "5005"))
    interface = os.environ.get("RASA_INTERFACE", "127.0.0.1")
    page = f"http://127.0.0.1:{port}"
    origins = [page, f"http://localhost:{port}", *os.environ.get("WEBCHAT_CORS_ORIGINS", "").split()]
    print(f"==> Starting Rasa on port {port} (about 30 s)", file=sys.stderr, flush=True)
    rasa = subprocess.Popen(web_command(port, interface, origins), cwd=ROOT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/webhooks/socketio/", rasa)
        print(f"\n  The web chat is ready: {page}/chat/\n  (Ctrl-C stops it)\n", flush=True)
        return rasa.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop(rasa)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "chat"))
