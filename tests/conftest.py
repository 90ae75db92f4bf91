"""Shared fixtures: a trained model and a real stack (action server + Rasa servers).

Starting a Rasa server takes 20-40 s, so the servers set up as the product runs are
started once per session and shared: `rasa_server` (conversations in SQLite),
`postgres_server` (in PostgreSQL) and `web_chat_server` (`./assistant web`). The tests
that need no server run first; meanwhile the servers the collected tests need start in
the background, with the other slow set-up (tests/background.py).

Markers: `server` (a real Rasa server, action server or `rasa shell`), `rasa_cli` (a
`rasa` command line), `slow_training` (an extra model). A test that uses the model or a
server fixture is marked `server` here even if its module forgot to; `pytest --quick`
(`./assistant test --quick`) runs only what has none of the three.
"""

import os
import uuid
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

# Also for a plain `pytest` run: no telemetry to servers outside this machine.
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from scripts.processes import (
    Process,
    RasaServer,
    action_endpoint,
    free_port,
    start_action_server,
    temp_log_dir,
)
from tests import background
from tests.faults import TcpProxy
from tests.stores import POSTGRES_PORT, POSTGRES_URL, STORE, WEBCHAT, postgres_available

SLOW_MARKERS = ("server", "rasa_cli", "slow_training")
# Fixtures that need the trained model or start a process.
SERVER_FIXTURES = {
    "model_path",
    "actions",
    "action_server",
    "rasa_server",
    "postgres_server",
    "web_chat_server",
}

_FIGURES: List[str] = []


@pytest.fixture(scope="session")
def record_figure():
    """Record a measured figure; all of them are printed at the end of the run."""
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("figures measured by this run")
        for line in _FIGURES:
            terminalreporter.write_line(line)


def pytest_addoption(parser):
    parser.addoption(
        "--quick",
        action="store_true",
        help="only the pure-Python tables: no test marked " + ", ".join(SLOW_MARKERS),
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(session, config, items):
    """Mark every test that uses a server fixture `server`; run the tests without any
    slow marker first, then the rest in their usual order (the shared servers start
    meanwhile). --quick: only the first."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.server)
    slow = [any(item.get_closest_marker(m) for m in SLOW_MARKERS) for item in items]
    fast_items = [item for item, is_slow in zip(items, slow, strict=True) if not is_slow]
    slow_items = [item for item, is_slow in zip(items, slow, strict=True) if is_slow]
    if config.getoption("--quick"):
        config.hook.pytest_deselected(items=slow_items)
        items[:] = fast_items
    else:
        items[:] = fast_items + slow_items


def pytest_collection_finish(session):
    global _WANTED
    # The background jobs the selected tests need, in the order they will need them.
    jobs = background.registered()
    _WANTED = list(
        dict.fromkeys(
            name
            for item in session.items
            for name in getattr(item, "fixturenames", ())
            if name in jobs
        )
    )


_WANTED: List[str] = []


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


class ActionServer:
    """The session's action server, on a port it keeps when a test stops and starts it
    again (an outage)."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/webhook"
        self.process: Optional[Process] = None

    def start(self) -> "ActionServer":
        self.process, _ = start_action_server(self.log_dir, port=self.port)
        return self

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    def alive(self) -> bool:
        return bool(self.process and self.process.alive())


@pytest.fixture(scope="session")
def actions(log_dir) -> Iterator[ActionServer]:
    server = ActionServer(log_dir).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def action_server(actions) -> str:
    """The action server's webhook URL."""
    return actions.url


# The shared servers start while other work runs on both cores: more time than alone,
# and at a lower CPU priority than the tests running meanwhile (back to normal once up).
START_TIMEOUT = 600
NICE = 10
SERVER_NEEDS = ("model_path", "action_server", "log_dir")


@background.job("rasa_server", needs=SERVER_NEEDS)
def _sqlite_server(model: Path, action_url: str, log_dir: Path) -> RasaServer:
    database = log_dir / f"conversations-{uuid.uuid4().hex[:8]}.db"
    # TRACKER_STORE_URL empty: SQLite, whatever the environment of the test run says.
    server = RasaServer(
        model,
        action_url,
        log_dir,
        tracker_store={**STORE, "db": str(database)},
        env={"TRACKER_STORE_URL": ""},
        nice=NICE,
    )
    server.tracker_db = database
    return server.start(timeout=START_TIMEOUT)


class PostgresServer(RasaServer):
    """A Rasa server whose PostgreSQL is reached through `database_proxy`, which a test
    can cut (tests/test_faults.py): the database becomes unreachable."""

    database_proxy: TcpProxy


@background.job("postgres_server", needs=SERVER_NEEDS)
def _postgres_server(model: Path, action_url: str, log_dir: Path) -> PostgresServer:
    if not postgres_available():
        raise RuntimeError(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    proxy = TcpProxy(POSTGRES_PORT).start()
    server = PostgresServer(
        model,
        action_url,
        log_dir,
        tracker_store=STORE,
        credentials={"channels.rest.SafeRestInput": None, **WEBCHAT},
        # A small session bound (components/long_conversations.py), so that the tests on
        # this server (persistence, deletion, faults, long conversations) cross it often.
        env={
            "TRACKER_STORE_URL": POSTGRES_URL.replace(f":{POSTGRES_PORT}/", f":{proxy.port}/"),
            "SESSION_MAX_EVENTS": "40",
        },
        nice=NICE,
    )
    server.database_proxy = proxy
    try:
        server.start(timeout=START_TIMEOUT)
    except BaseException:
        proxy.stop()
        raise
    return server


class WebChatServer:
    """`./assistant web`'s Rasa server: the command of scripts/run_local.web_command (the
    web chat channel of credentials.yml, no HTTP API), conversations in SQLite
    (`tracker_db`), and one origin besides the page's own allowed to embed the widget."""

    extra_origin = "https://clinic.example"

    def __init__(self, model: Path, action_url: str, log_dir: Path):
        import yaml

        from scripts.run_local import web_command

        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.tracker_db = log_dir / f"web-{port}.db"
        endpoints = log_dir / f"endpoints-web-{port}.yml"
        endpoints.write_text(
            yaml.safe_dump(
                {
                    "action_endpoint": action_endpoint(action_url),
                    "tracker_store": {**STORE, "db": str(self.tracker_db)},
                }
            )
        )
        self.process = Process(
            f"rasa-web-{port}",
            web_command(port, "127.0.0.1", [self.url], model=model, endpoints=str(endpoints)),
            log_dir,
            env={"WEBCHAT_CORS_ORIGINS": self.extra_origin, "TRACKER_STORE_URL": ""},
            nice=NICE,
        )

    def start(self) -> "WebChatServer":
        self.process.start()
        try:
            self.process.wait_until(f"{self.url}/webhooks/socketio/", timeout=START_TIMEOUT)
        except BaseException:
            self.process.stop()
            raise
        self.process.renice(0)
        return self

    def stop(self) -> None:
        self.process.stop()


@background.job("web_chat_server", needs=SERVER_NEEDS)
def _web_chat_server(model: Path, action_url: str, log_dir: Path) -> WebChatServer:
    return WebChatServer(model, action_url, log_dir).start()


@pytest.fixture(scope="session", autouse=True)
def _background_jobs(request):
    """Start the background jobs the collected tests need (tests/background.py)."""
    needs = background.registered()
    arguments = {name: [request.getfixturevalue(n) for n in needs[name]] for name in _WANTED}
    background.start(_WANTED, arguments)
    yield
    # Also the servers no test came to use (a run stopped early).
    for value in background.finish():
        if hasattr(value, "stop"):
            value.stop()


@pytest.fixture(scope="session")
def rasa_server(model_path, action_server, log_dir):
    """One Rasa server for the whole session, as the product runs it: the product's
    tracker store on SQLite (`rasa_server.tracker_db`), the hardened REST channel, the
    HTTP API with a token. A test may restart it (test_persistence kills it); it runs
    again after every test."""
    server = background.result(
        "rasa_server", lambda: _sqlite_server(model_path, action_server, log_dir)
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server(model_path, action_server, log_dir):
    """The same with the conversations in PostgreSQL (database `test`), reached through
    a proxy a test can cut (`postgres_server.database_proxy`), and the web chat channel
    besides REST."""
    try:
        server = background.result(
            "postgres_server", lambda: _postgres_server(model_path, action_server, log_dir)
        )
    except RuntimeError as error:
        pytest.fail(str(error))
    yield server
    server.stop()
    server.database_proxy.stop()


@pytest.fixture(scope="session")
def web_chat_server(model_path, action_server, log_dir):
    """The web chat page and its socket, as `./assistant web` serves them."""
    server = background.result(
        "web_chat_server", lambda: _web_chat_server(model_path, action_server, log_dir)
    )
    yield server
    server.stop()
