"""Start the real thing for tests: the action server and a Rasa server over HTTP.

Used by the pytest fixtures in conftest.py and by scripts that measure the
assistant. Every process gets its own free port on 127.0.0.1 and its own log
file, so several stacks can run side by side.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
         timeout: float = 60.0) -> "tuple[int, Any]":
    """A small HTTP client: returns (status, parsed JSON or text)."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


class Process:
    def __init__(self, name: str, args: List[str], log_dir: Path, env: Optional[Dict[str, str]] = None):
        self.name = name
        self.args = args
        self.log_path = log_dir / f"{name}.log"
        self.env = {**os.environ, **(env or {})}
        self.popen: Optional[subprocess.Popen] = None

    def start(self) -> "Process":
        # The child keeps its own copy of the log file's descriptor; ours can close.
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                env=self.env, start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        if self.popen is None:
            raise RuntimeError(f"{self.name} was not started")
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_until(self, url: str, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited early; log:\n{self.log_tail()}")
            try:
                status, _ = http("GET", url, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready after {timeout}s; log:\n{self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        popen = self.popen
        if popen is not None and popen.poll() is None:
            try:
                os.killpg(popen.pid, sig)
                popen.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()


def start_action_server(log_dir: Path, port: Optional[int] = None) -> "tuple[Process, str]":
    port = port or free_port()
    from scripts.run_local import action_server_command

    process = Process(f"actions-{port}", action_server_command(port), log_dir).start()
    process.wait_until(f"http://127.0.0.1:{port}/health")
    return process, f"http://127.0.0.1:{port}/webhook"


class RasaServer:
    """`rasa run` with the HTTP API on (token auth) and the REST channel (channels/rest.py)."""

    def __init__(self, model: Path, action_url: str, log_dir: Path,
                 tracker_store: Optional[Dict[str, Any]] = None,
                 lock_store: Optional[Dict[str, Any]] = None,
                 credentials: Optional[Dict[str, Any]] = None,
                 port: Optional[int] = None, env: Optional[Dict[str, str]] = None):
        import yaml

        self.port = port or free_port()
        # The platform stand-in a channel test runs this server against, if any
        # (tests/fake_platforms.py).
        self.fake: Any = None
        self.token = "test-token-" + str(self.port)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_dir = log_dir
        endpoints: Dict[str, Any] = {"action_endpoint": {"url": action_url}}
        endpoints["tracker_store"] = tracker_store or {
            "type": "SQL", "dialect": "sqlite", "db": str(log_dir / f"tracker-{self.port}.db"),
        }
        if lock_store:
            endpoints["lock_store"] = lock_store
        self.endpoints_file = log_dir / f"endpoints-{self.port}.yml"
        self.endpoints_file.write_text(yaml.safe_dump(endpoints))
        self.credentials_file = log_dir / f"credentials-{self.port}.yml"
        self.credentials_file.write_text(yaml.safe_dump(credentials or {"channels.rest.SafeRestInput": None}))
        self.process = Process(
            f"rasa-{self.port}",
            [PYTHON, "-m", "rasa", "run", "--model", str(model),
             "--endpoints", str(self.endpoints_file), "--credentials", str(self.credentials_file),
             "--port", str(self.port), "--interface", "127.0.0.1",
             "--enable-api", "--auth-token", self.token],
            log_dir, env,
        )

    def start(self, warm_up: bool = True) -> "RasaServer":
        self.process.start()
        self.process.wait_until(f"{self.url}/status?token={self.token}")
        if warm_up:
            # TensorFlow builds its inference graph on the first parsed text
            # (several seconds); do it here, not inside a test's first turn.
            http("POST", f"{self.url}/model/parse?token={self.token}", {"text": "hello there"}, timeout=120)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        self.process.stop(sig)

    def send(self, sender: str, text: str) -> List[Dict[str, Any]]:
        """Send one message over the REST channel; return the bot's replies."""
        status, replies = http("POST", f"{self.url}/webhooks/rest/webhook",
                               {"sender": sender, "message": text})
        assert status == 200, (status, replies)
        return replies

    def tracker(self, sender: str) -> Dict[str, Any]:
        status, tracker = http("GET", f"{self.url}/conversations/{sender}/tracker?token={self.token}")
        assert status == 200, (status, tracker)
        return tracker

    def slots(self, sender: str) -> Dict[str, Any]:
        return self.tracker(sender)["slots"]


def temp_log_dir(prefix: str = "dimples-") -> Path:
    directory = Path(os.environ.get("TEST_ARTIFACTS", tempfile.mkdtemp(prefix=prefix)))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def texts(replies: List[Dict[str, Any]]) -> str:
    """All reply texts of one turn, joined (for assertions)."""
    return "\n".join(r.get("text", "") for r in replies)


def buttons(replies: List[Dict[str, Any]]) -> List[str]:
    return [b["title"] for r in replies for b in r.get("buttons", [])]
