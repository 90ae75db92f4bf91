"""Where a message's time goes: the bench's own conversations through an in-process agent.

    .venv/bin/python -m scripts.profile_messages [--conversations 6] [--top 30]

Loads the served model (`models/back-dimples.tar.gz` or `$DIMPLES_MODEL`) into an agent in
this process, with the project's SQL tracker store on a fresh SQLite file and the real
action server, sends the bench's scripted conversations (`scripts/bench/workload.py`,
every answer checked) under cProfile, and prints the CPU per message and the functions
that took it, by cumulative time. No HTTP server: this is Rasa's own work per message
(the tracker store, NLU, policies, actions), which is what the bench's latency is made of
at one user. A measurement, not a test.
"""

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import statistics
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

from scripts.bench.workload import Check, OurScript
from scripts.conversation import Turn
from scripts.processes import ROOT, action_endpoint, start_action_server, temp_log_dir


async def load_agent(model: Path, action_url: str, db: Path) -> Any:
    from rasa.core.agent import load_agent as rasa_load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    endpoints = AvailableEndpoints(
        action=EndpointConfig.from_dict(action_endpoint(action_url)),
        tracker_store=EndpointConfig(
            type="persistence.tracker_store.EnvironmentSQLTrackerStore", db=str(db)
        ),
    )
    return await rasa_load_agent(model_path=str(model), endpoints=endpoints)


async def send(agent: Any, sender: str, text: str) -> List[Any]:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    output = CollectingOutputChannel()
    await agent.handle_message(UserMessage(text, output, sender))
    return output.messages


async def run(args: argparse.Namespace) -> None:
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.INFO)  # as `rasa run` does: debug calls are no-ops
    model = Path(os.environ.get("DIMPLES_MODEL", ROOT / "models" / "back-dimples.tar.gz"))
    work = temp_log_dir("dimples-profile-")
    actions, action_url = start_action_server(work)
    try:
        agent = await load_agent(model, action_url, work / "profile.db")
        script = OurScript(agent.domain.as_dict())
        check = Check()
        seconds: List[float] = []
        # per step of the script (its position): the wall times, to find the slow turns
        by_step: Dict[int, List[float]] = {}
        step_text: Dict[int, str] = {}

        profiler = cProfile.Profile()
        profiling = False

        async def conversation(index: int) -> int:
            sender = f"profile-{uuid.uuid4().hex[:8]}"
            steps = script.conversation(index)
            for position, step in enumerate(steps):
                profiled = profiling and args.step in (None, position)
                started = time.perf_counter()
                if profiled:
                    profiler.enable()
                replies = await send(agent, sender, step.text)
                if profiled:
                    profiler.disable()
                seconds.append(time.perf_counter() - started)
                by_step.setdefault(position, []).append(seconds[-1])
                step_text.setdefault(position, f"{step.kind:9} {step.text[:50]!r}")
                check.reply(sender, step, Turn(step.text, 0, 200, replies, 0.0, 0.0))
            return len(steps)

        await conversation(0)  # warm-up, not profiled
        seconds.clear()
        by_step.clear()
        cpu_started, messages = time.process_time(), 0
        profiling = not args.no_profile
        for index in range(1, args.conversations + 1):
            messages += await conversation(index)
        cpu = time.process_time() - cpu_started
        overhead = "" if args.no_profile else " (with the profiler's overhead)"
        print(
            f"{messages} messages, CPU {1000 * cpu / messages:.1f} ms per message, "
            f"median {1000 * statistics.median(seconds):.1f} ms per message{overhead}, "
            f"wrong {check.wrong}, errors {check.errors}"
        )
        for example in check.examples:
            print("  ", example)
        print("median wall time per step of the script (ms; the FAQ steps rotate questions):")
        for position, times in sorted(by_step.items()):
            print(f"  {position:2} {1000 * statistics.median(times):6.1f}  {step_text[position]}")
        if args.no_profile:
            return
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
        if args.output:
            stats.dump_stats(args.output)
    finally:
        actions.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=6)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true", help="only the CPU per message")
    parser.add_argument(
        "--step", type=int, help="profile only this step of the script (0 = the first message)"
    )
    parser.add_argument("--output", help="also write the raw profile (pstats) here")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
