"""components/message_gate.py: messages get in in the order they arrived, a few at a
time, and a slow one never holds the others back for long."""

import asyncio
import time
from typing import List

import pytest
from rasa.core.processor import MessageProcessor

import components  # noqa: F401  (applies the fixes, as loading the model does)
from components import action_calls, message_gate
from components.message_gate import ArrivalOrderGate, concurrency


def test_the_gate_is_around_the_message_handling_once_the_components_are_imported():
    assert MessageProcessor.handle_message is message_gate.handle_message_in_arrival_order
    # inside it, the action calls' shared sessions (opened only once a message is in)
    assert message_gate._inner is action_calls.handle_message_with_shared_sessions
    message_gate.apply()  # a second time changes nothing
    assert message_gate._inner is action_calls.handle_message_with_shared_sessions


@pytest.mark.parametrize(
    "value, expected",
    [(None, 2), ("", 2), ("1", 1), ("4", 4), ("0", 0), ("-1", 2), ("two", 2), (" 3 ", 3)],
)
def test_the_concurrency_setting(value, expected):
    environ = {} if value is None else {message_gate.CONCURRENCY_VAR: value}
    assert concurrency(environ) == expected


async def _message(gate: ArrivalOrderGate, name: str, work: float, log: List[str]) -> None:
    holder = await gate.acquire()
    log.append(f"in {name}")
    try:
        await asyncio.sleep(work)  # as a message waits for the action server
    finally:
        log.append(f"out {name}")
        gate.release(holder)


def test_messages_get_in_in_arrival_order_a_few_at_a_time():
    async def scenario() -> List[str]:
        gate, log = ArrivalOrderGate(2, stale_after=10.0), list[str]()
        tasks = []
        for name in "abcde":
            tasks.append(asyncio.ensure_future(_message(gate, name, 0.02, log)))
            await asyncio.sleep(0)  # arrive in this order
        await asyncio.gather(*tasks)
        return log

    log = asyncio.run(scenario())
    entered = [entry[3:] for entry in log if entry.startswith("in")]
    assert entered == list("abcde")
    inside = 0
    for entry in log:
        inside += 1 if entry.startswith("in") else -1
        assert inside <= 2, log


def test_a_slow_message_holds_the_others_back_only_until_it_is_stale():
    async def scenario() -> float:
        gate, log = ArrivalOrderGate(1, stale_after=0.05), list[str]()
        slow = asyncio.ensure_future(_message(gate, "slow", 1.0, log))
        await asyncio.sleep(0)
        started = time.monotonic()
        await _message(gate, "quick", 0.0, log)
        waited = time.monotonic() - started
        slow.cancel()
        return waited

    waited = asyncio.run(scenario())
    assert 0.04 <= waited < 0.5


def test_a_message_that_gives_up_waiting_leaves_no_place_taken():
    async def scenario() -> List[str]:
        gate, log = ArrivalOrderGate(1, stale_after=10.0), list[str]()
        first = asyncio.ensure_future(_message(gate, "first", 0.05, log))
        await asyncio.sleep(0)
        gone = asyncio.ensure_future(_message(gate, "gone", 0.0, log))
        await asyncio.sleep(0)
        gone.cancel()  # the client went away while it waited
        last = asyncio.ensure_future(_message(gate, "last", 0.0, log))
        await asyncio.gather(first, last)
        assert gone.cancelled()
        assert not gate.holders and not gate.waiters
        return log

    assert asyncio.run(scenario()) == ["in first", "out first", "in last", "out last"]


def test_the_gate_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(message_gate.CONCURRENCY_VAR, "0")
    calls: List[str] = []

    async def inner(processor: object, message: object) -> str:
        calls.append("handled")
        return "answer"

    monkeypatch.setattr(message_gate, "_inner", inner)
    monkeypatch.setattr(message_gate, "_gates", {})
    answer = asyncio.run(message_gate.handle_message_in_arrival_order(None, None))
    assert answer == "answer" and calls == ["handled"]
    assert not message_gate._gates  # no gate was made


def test_waiting_behind_a_stale_message_does_not_spin():
    """A holder that is stale already does not set the next look: only the fresh ones
    do (a hung action server must not wake the gate a thousand times a second)."""

    async def scenario() -> int:
        gate, log = ArrivalOrderGate(1, stale_after=0.05), list[str]()
        looks = []
        on_timer = gate._on_timer

        def counting() -> None:
            looks.append(1)
            on_timer()

        gate._on_timer = counting  # type: ignore[method-assign]
        hung = asyncio.ensure_future(_message(gate, "hung", 0.5, log))
        await asyncio.sleep(0)
        slow = asyncio.ensure_future(_message(gate, "slow", 0.3, log))
        await asyncio.sleep(0)
        last = asyncio.ensure_future(_message(gate, "last", 0.0, log))
        await asyncio.gather(slow, last)
        hung.cancel()
        assert log.index("in slow") < log.index("in last")
        return len(looks)

    assert asyncio.run(scenario()) <= 5
