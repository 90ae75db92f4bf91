"""Start, wait for and stop the assistant's processes: Rasa and the action server.

One place for `./assistant chat|web` (scripts/run_local.py), the tests (tests/conftest.py)
and the benchmark (scripts/bench/). Every process runs in a session of its own, so that
stopping it stops whatever it forked too (Sanic workers). Servers for tests and the
benchmark take a free port on 127.0.0.1 and log to a file of their own, so several stacks
can run side by side.
"""

import contextlib
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
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def action_endpoint(url: str) -> Dict[str, Any]:
    """The project's action endpoint settings (endpoints.yml) with another URL, so that
    the servers the tests and the bench start call the action server as it is served."""
    import yaml

    settings = yaml.safe_load((ROOT / "endpoints.yml").read_text()).get("action_endpoint") or {}
    return {**settings, "url": url}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(
    method: str,
    url: str,
    body: Any = None,
    headers: Optional[Dict[str, str]] = None,
    timeout: float = 60.0,
) -> Tuple[int, Any]:
    """A small HTTP client: returns (status, parsed JSON or text); raises OSError only when
    nothing answers."""
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


def temp_log_dir(prefix: str = "dimples-") -> Path:
    """$TEST_ARTIFACTS if set (CI keeps it), else a new temporary folder."""
    directory = Path(os.environ.get("TEST_ARTIFACTS") or tempfile.mkdtemp(prefix=prefix))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


class Process:
    """A server process. Its output goes to `log_dir/<name>.log`, or to this terminal
    when there is no log_dir (`./assistant web` shows Rasa's own messages)."""

    def __init__(
        self,
        name: str,
        args: List[str],
        log_dir: Optional[Path] = None,
        env: Optional[Dict[str, str]] = None,
        log_path: Optional[Path] = None,
        nice: int = 0,
    ):
        self.name = name
        self.args = args
        self.log_path = log_path or (log_dir / f"{name}.log" if log_dir else None)
        self.env = {**os.environ, **(env or {})}
        # Started in the background (tests/background.py): a lower CPU priority, so that
        # the work in the foreground runs at full speed meanwhile.
        self.nice = nice
        self.popen: Optional[subprocess.Popen] = None

    def start(self) -> "Process":
        # Closed in the finally below, once the child holds its own copy of the descriptor.
        log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        command = (["nice", "-n", str(self.nice)] if self.nice else []) + self.args
        try:
            self.popen = subprocess.Popen(
                command,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT if log else None,
                env=self.env,
                start_new_session=True,
            )
        finally:
            if log:
                log.close()  # the child has its own copy
        return self

    @property
    def pid(self) -> int:
        if self.popen is None:
            raise RuntimeError(f"{self.name} was not started")
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_until(self, url: str, timeout: float = 240.0) -> None:
        """Wait until `url` answers 200; RuntimeError (with the log's end) if the process
        exits first or the time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                code = self.popen.returncode if self.popen else None
                raise RuntimeError(f"{self.name} exited early (code {code}){self._log_note()}")
            try:
                status, _ = http("GET", url, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s{self._log_note()}")

    def _log_note(self) -> str:
        return f"; log {self.log_path}:\n{self.log_tail()}" if self.log_path else ""

    def log_tail(self, chars: int = 4000) -> str:
        if not self.log_path:
            return ""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def renice(self, value: int = 0) -> None:
        """Every process and thread of the group to CPU priority `value`; raising the
        priority needs privileges, so without them it stays as it is."""
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PGRP, self.pid, value)

    def wait(self) -> int:
        assert self.popen is not None, f"{self.name} was never started"
        return self.popen.wait()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        popen = self.popen
        if popen is not None and popen.poll() is None:
            try:
                os.killpg(popen.pid, sig)
                popen.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(popen.pid, signal.SIGKILL)
                popen.wait()


# --------------------------------------------------------------------------- action server


def action_server_command(port: int) -> List[str]:
    """The action server: rasa_sdk without TensorFlow (actions/__main__.py)."""
    return [PYTHON, "-m", "actions", "--port", str(port)]


def start_action_server(
    log_dir: Optional[Path] = None,
    port: Optional[int] = None,
    log_path: Optional[Path] = None,
    args: Optional[List[str]] = None,
) -> Tuple[Process, str]:
    """Start the action server and wait for its health check; returns (process, webhook URL).

    `args`: another command line for it (the benchmark's `python -m rasa_sdk`)."""
    port = port or free_port()
    process = Process(
        f"actions-{port}", args or action_server_command(port), log_dir, log_path=log_path
    ).start()
    try:
        process.wait_until(f"http://127.0.0.1:{port}/health")
    except BaseException:
        process.stop()
        raise
    return process, f"http://127.0.0.1:{port}/webhook"


# --------------------------------------------------------------------------- Rasa


class RasaServer:
    """`rasa run` with the HTTP API on (token auth) and, unless other credentials are
    given, the hardened REST channel (channels/rest.py).

    Conversations go to an SQLite file in log_dir unless `tracker_store` says otherwise;
    `tracker_db` is that file."""

    def __init__(
        self,
        model: Path,
        action_url: str,
        log_dir: Path,
        tracker_store: Optional[Dict[str, Any]] = None,
        lock_store: Optional[Dict[str, Any]] = None,
        credentials: Optional[Dict[str, Any]] = None,
        port: Optional[int] = None,
        env: Optional[Dict[str, str]] = None,
        endpoints: Optional[Dict[str, Any]] = None,
        nice: int = 0,
    ):
        import yaml

        self.port = port or free_port()
        self.token = "test-token-" + str(self.port)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_dir = log_dir
        self.tracker_db: Optional[Path] = None
        # The platform stand-in a channel test runs this server against, if any
        # (tests/fake_platforms.py).
        self.fake: Any = None
        if tracker_store is None:
            self.tracker_db = log_dir / f"tracker-{self.port}.db"
            tracker_store = {"type": "SQL", "dialect": "sqlite", "db": str(self.tracker_db)}
        settings: Dict[str, Any] = {
            "action_endpoint": action_endpoint(action_url),
            "tracker_store": tracker_store,
        }
        if lock_store:
            settings["lock_store"] = lock_store
        for key, value in (endpoints or {}).items():
            if isinstance(value, dict) and isinstance(settings.get(key), dict):
                settings[key] = {**settings[key], **value}
            else:
                settings[key] = value
        self.endpoints = settings
        self.endpoints_file = log_dir / f"endpoints-{self.port}.yml"
        self.endpoints_file.write_text(yaml.safe_dump(settings))
        self.credentials_file = log_dir / f"credentials-{self.port}.yml"
        self.credentials_file.write_text(
            yaml.safe_dump(credentials or {"channels.rest.SafeRestInput": None})
        )
        self.process = Process(
            f"rasa-{self.port}",
            [
                PYTHON,
                "-m",
                "rasa",
                "run",
                "--model",
                str(model),
                "--endpoints",
                str(self.endpoints_file),
                "--credentials",
                str(self.credentials_file),
                "--port",
                str(self.port),
                "--interface",
                "127.0.0.1",
                "--enable-api",
                "--auth-token",
                self.token,
            ],
            log_dir,
            env,
            nice=nice,
        )

    def start(self, warm_up: bool = True, timeout: float = 240.0) -> "RasaServer":
        self.process.start()
        try:
            self.process.wait_until(f"{self.url}/status?token={self.token}", timeout)
            if warm_up:
                # TensorFlow builds its inference graph on the first parsed text
                # (several seconds); do it here, not inside a test's first turn.
                http(
                    "POST",
                    f"{self.url}/model/parse?token={self.token}",
                    {"text": "hello there"},
                    timeout=120,
                )
        except BaseException:
            self.process.stop()
            raise
        if self.process.nice:
            self.process.renice(0)  # serving runs at the usual priority
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        self.process.stop(sig)

    def restart(self, sig: int = signal.SIGTERM) -> "RasaServer":
        """Stop with `sig` (SIGKILL: a crash) and start again on the same port and store."""
        self.stop(sig)
        return self.start()

    def send(self, sender: str, text: str) -> List[Dict[str, Any]]:
        """Send one message over the REST channel; return the bot's replies."""
        status, replies = http(
            "POST", f"{self.url}/webhooks/rest/webhook", {"sender": sender, "message": text}
        )
        assert status == 200, (status, replies)
        return replies

    def tracker(self, sender: str) -> Dict[str, Any]:
        status, tracker = http(
            "GET", f"{self.url}/conversations/{sender}/tracker?token={self.token}"
        )
        assert status == 200, (status, tracker)
        return tracker

    def slots(self, sender: str) -> Dict[str, Any]:
        return self.tracker(sender)["slots"]

    def domain(self) -> Dict[str, Any]:
        status, domain = http(
            "GET", f"{self.url}/domain?token={self.token}", headers={"Accept": "application/json"}
        )
        if status != 200 or not isinstance(domain, dict):
            raise RuntimeError(f"GET /domain answered {status}: {str(domain)[:200]}")
        return domain
