"""Slow set-up started in the background as soon as the tests are collected.

Starting a Rasa server, training the held-out NLU model or running `rasa test core` takes
tens of seconds to minutes, mostly in a process of its own, while the tests before them
leave a core idle. A fixture registers such a job under its own name; tests/conftest.py
starts the jobs the collected tests need, at most two at a time (the machines have two
cores), in the order the tests will need them; the fixture then waits for its result.
Run without the rest of the session (a single test), the fixture does the work itself.

    @background.job("held_out_report", needs=("log_dir",))
    def _held_out_report(log_dir): ...

    @pytest.fixture(scope="module")
    def held_out_report(log_dir):
        return background.result("held_out_report", lambda: _held_out_report(log_dir))
"""

import functools
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

WORKERS = 2

_jobs: Dict[str, Tuple[Sequence[str], Callable[..., Any]]] = {}
_runs: Dict[str, "_Run"] = {}
_queue: List["_Run"] = []  # started, not yet running
_lock = threading.Lock()


def job(name: str, needs: Sequence[str] = ()) -> Callable:
    """Register `function(*needs)` as the background job of fixture `name`; `needs` are
    fixture names, resolved in the main thread before the job starts."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        _jobs[name] = (tuple(needs), function)
        return function

    return register


def registered() -> Dict[str, Sequence[str]]:
    return {name: needs for name, (needs, _) in _jobs.items()}


class _Run:
    def __init__(self, name: str, function: Callable[[], Any]):
        self.name = name
        self.function = function
        self.done = threading.Event()
        self.value: Any = None
        self.error: Optional[BaseException] = None

    def run(self) -> None:
        try:
            self.value = self.function()
        except BaseException as error:  # raised again in the fixture, in the test's thread
            self.error = error
        finally:
            self.done.set()


def start(names_in_order: Iterable[str], arguments: Dict[str, List[Any]]) -> None:
    """Run the jobs of `names_in_order`, in that order, WORKERS at a time."""
    for name in names_in_order:
        run = _Run(name, functools.partial(_jobs[name][1], *arguments[name]))
        _runs[name] = run
        _queue.append(run)

    def worker() -> None:
        while True:
            with _lock:
                if not _queue:
                    return
                run = _queue.pop(0)
            run.run()

    for _ in range(WORKERS):
        threading.Thread(target=worker, daemon=True).start()


def result(name: str, otherwise: Callable[[], Any]) -> Any:
    """The job's result once it is done; `otherwise()` if it was never started."""
    run = _runs.get(name)
    if run is None:
        return otherwise()
    run.done.wait()
    if run.error is not None:
        raise run.error
    return run.value


def finish() -> List[Any]:
    """Drop the jobs not yet running, wait for the others; return their results (to stop
    the servers among them)."""
    with _lock:
        for run in _queue:
            run.done.set()
        _queue.clear()
    values = []
    for run in _runs.values():
        run.done.wait()
        if run.error is None:
            values.append(run.value)
    _runs.clear()
    return values
