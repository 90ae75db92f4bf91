"""A lever of the action calls on and off, conversation by conversation, in one process.

    .venv/bin/python -m scripts.ab_action_calls bodies [--conversations 40]
    .venv/bin/python -m scripts.ab_action_calls connections [--conversations 40]

Runs `scripts.profile_messages` (the bench's conversations through an in-process agent
and the real action server, `--no-profile` implied), every other conversation with the
lever off: `bodies` gives those conversations Rasa's own call bodies
(components/action_bodies.py off), `connections` a new connection for each message
(components/action_calls.py's shared pool off). Prints, for each way, the CPU and the
median wall time per message and the median of the slowest steps of the script. On a
machine shared with other jobs whole runs drift by more than such a lever; alternating
in one process keeps the drift out of the difference. A measurement, not a test.
"""

import statistics
import sys
import time
from collections import defaultdict
from typing import Any, Dict, List, Tuple

LEVERS = ("bodies", "connections")
SLOW_STEPS = (5, 6, 9, 12)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in LEVERS:
        raise SystemExit(f"usage: python -m scripts.ab_action_calls {{{','.join(LEVERS)}}} ...")
    lever = sys.argv.pop(1)

    import aiohttp
    from rasa.core.actions.action import RemoteAction

    import scripts.profile_messages as profile_messages
    from components import action_bodies, action_calls

    off = {"now": False}
    ours_new_session = action_calls.new_session

    def new_session(endpoint: Any, connector: Any = None) -> aiohttp.ClientSession:
        if lever == "connections" and off["now"] and connector is None:
            connector = aiohttp.TCPConnector()  # the session's own, closed with it
        return ours_new_session(endpoint, connector)

    def call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[str, Any]:
        if lever == "bodies" and off["now"]:
            return action_bodies._rasa_action_call_format(self, tracker, domain)
        return action_bodies.action_call_format(self, tracker, domain)

    action_calls.new_session = new_session
    RemoteAction._action_call_format = call_format

    lever_off: Dict[str, bool] = {}
    steps: Dict[str, int] = {}
    wall: Dict[Tuple[str, int], List[float]] = defaultdict(list)
    cpu: Dict[str, float] = defaultdict(float)
    count: Dict[str, int] = defaultdict(int)
    send = profile_messages.send

    async def send_alternating(agent: Any, sender: str, text: str) -> Any:
        if sender not in lever_off:
            lever_off[sender] = len(lever_off) % 2 == 0
        off["now"] = lever_off[sender]
        steps[sender] = steps.get(sender, -1) + 1
        way = "off" if off["now"] else "on"
        cpu_started, started = time.process_time(), time.perf_counter()
        replies = await send(agent, sender, text)
        wall[(way, steps[sender])].append(1000 * (time.perf_counter() - started))
        cpu[way] += time.process_time() - cpu_started
        count[way] += 1
        return replies

    profile_messages.send = send_alternating
    if "--no-profile" not in sys.argv:
        sys.argv.append("--no-profile")
    profile_messages.main()
    for way in ("off", "on"):
        every = [ms for (w, _), values in wall.items() if w == way for ms in values]
        slow = " ".join(
            f"step {step} {statistics.median(wall[(way, step)]):.1f}"
            for step in SLOW_STEPS
            if wall[(way, step)]
        )
        print(
            f"{lever} {way}: {count[way]} messages, CPU {1000 * cpu[way] / count[way]:.2f} ms "
            f"per message, median {statistics.median(every):.2f} ms; {slow}"
        )


if __name__ == "__main__":
    main()
