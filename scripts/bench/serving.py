"""Starting and stopping the bots being measured."""

import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from scripts.bench.workload import Check
from scripts.conversation import Conversation
from scripts.processes import PYTHON, Process, RasaServer, free_port, start_action_server

# Environment variables that change how a Rasa server runs: the stock bot is
# started without any of them (stock means Rasa's defaults).
LEVER_VARIABLES = (
    "SANIC_WORKERS",
    "TF_INTRA_OP_PARALLELISM_THREADS",
    "TF_INTER_OP_PARALLELISM_THREADS",
    "OMP_NUM_THREADS",
    "TF_ENABLE_ONEDNN_OPTS",
    "TRACKER_STORE_URL",
    "ACTION_SERVER_SANIC_WORKERS",
)


class Served:
    """One bot being served: its Rasa server, its action server (if any), its figures."""

    def __init__(self, name: str):
        self.name = name
        self.figures: Dict[str, Any] = {}
        self.server: Optional[RasaServer] = None
        self.actions: Optional[Process] = None
        self.script: Any = None
        self.check = Check()
        self.chats: List[Conversation] = []


def start_actions(work: Path, with_tf: bool) -> Tuple[Process, str, float]:
    """Our action server, as the project starts it or (`with_tf`) as `python -m rasa_sdk`
    does; returns (process, webhook URL, seconds to ready)."""
    port = free_port()
    args = None  # as the project starts it
    if with_tf:
        args = [PYTHON, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    started = time.monotonic()
    process, url = start_action_server(work, port=port, args=args)
    return process, url, time.monotonic() - started


def serve(
    served: Served,
    model: Path,
    work: Path,
    action_url: str,
    env: Dict[str, str],
    endpoints: Dict[str, Any],
    script_class: Callable,
    credentials: Optional[Dict[str, Any]] = None,
) -> None:
    """Start the bot's Rasa server; time until it answers a first message; read its domain
    for the expected answers."""
    # credentials None: the project's REST connector, as its servers have it.
    server = RasaServer(
        model,
        action_url,
        work,
        credentials=credentials,
        env=env,
        endpoints=endpoints,
    )
    # Only the variables given here reach the server's environment among the levers.
    server.process.env = {k: v for k, v in server.process.env.items() if k not in LEVER_VARIABLES}
    server.process.env.update(env)
    served.server = server
    started = time.monotonic()
    try:
        server.start(warm_up=False, timeout=300)
    except RuntimeError as error:
        raise SystemExit(f"{served.name}: {error}") from error
    first = Conversation(server, f"ready-{uuid.uuid4().hex[:8]}").post("hello there", timeout=300)
    if not first.ok:
        raise SystemExit(
            f"{served.name}: the first message got HTTP {first.status} "
            f"{first.replies!r}; log {server.process.log_path}"
        )
    served.figures["ready_s"] = time.monotonic() - started
    try:
        served.script = script_class(server.domain())
    except RuntimeError as error:
        raise SystemExit(f"{served.name}: {error}") from error


def stop(served: Served) -> None:
    for process in (served.server.process if served.server else None, served.actions):
        if process is not None:
            process.stop()
