"""Messages are worked on in the order they arrived, a few at a time.

One Rasa process handles its messages on one event loop. Without a limit, every message
that has arrived is worked on at once, in turns: a message that waits for the action
server (two or three times here) lets the others run, and comes back behind them. Under
load a message's wait then grows with the number of times it calls the action server:
the screening turns waited twice as long as an FAQ answer, and the slowest 5% of
answers took 1.8 times the median at 20 users, where stock Rasa (which never waits in
the middle of a message) answers in arrival order (1.2 times).

This gate lets MESSAGE_CONCURRENCY messages (default 2: one working while the other
waits for the action server) be worked on at once; the others wait at the gate and get
in in the order they arrived. Every message takes as long as before once in, and waits
at most as long as the messages ahead of it take, so the answers under load come in
arrival order and the slowest ones are no longer the ones with the most action calls.

A message that is in the gate for longer than STALE_SECONDS (an action server or a chat
platform that is slow to answer, a database that hangs) no longer counts against the
limit: the next message gets in. So a slow outside service slows only the messages that
use it, as before, and never holds the others back for more than that time.

It wraps `MessageProcessor.handle_message`, inside the conversation's lock (held by
`Agent.handle_message`), so a message never holds a place at the gate while it waits for
an earlier message of its own conversation.
"""

import asyncio
import collections
import os
import time
from typing import Any, Callable, Deque, Dict, Optional

from rasa.core.processor import MessageProcessor

from components.environment import number_setting

CONCURRENCY_VAR = "MESSAGE_CONCURRENCY"
DEFAULT_CONCURRENCY = 2
STALE_SECONDS = 0.1


def concurrency(environ: Any = os.environ) -> int:
    """MESSAGE_CONCURRENCY, or the default; 0 turns the gate off."""
    return number_setting(
        environ, CONCURRENCY_VAR, DEFAULT_CONCURRENCY, int, lambda n: n >= 0, "a whole number >= 0"
    )


class ArrivalOrderGate:
    """At most `limit` holders that came in less than `stale_after` seconds ago; the
    waiters get in first come, first served."""

    def __init__(
        self,
        limit: int,
        stale_after: float = STALE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.stale_after = stale_after
        self.clock = clock
        self.holders: Dict[int, float] = {}  # holder id -> when it got in
        self.waiters: Deque[asyncio.Future] = collections.deque()
        self._next_id = 0
        self._timer: Optional[asyncio.TimerHandle] = None

    def _fresh_holders(self) -> int:
        now = self.clock()
        return sum(1 for since in self.holders.values() if now - since < self.stale_after)

    def _admit(self) -> int:
        self._next_id += 1
        self.holders[self._next_id] = self.clock()
        return self._next_id

    def _wake(self) -> None:
        """Let waiters in while there is room; if some still wait, look again when the
        oldest fresh holder turns stale."""
        while self.waiters and self._fresh_holders() < self.limit:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(self._admit())
        if self.waiters and self._timer is None:
            now = self.clock()
            fresh = [since for since in self.holders.values() if now - since < self.stale_after]
            if fresh:  # (with none fresh there is room, and the loop above let one in)
                delay = min(fresh) + self.stale_after - now + 0.001
                self._timer = asyncio.get_running_loop().call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._wake()

    async def acquire(self) -> int:
        if not self.waiters and self._fresh_holders() < self.limit:
            return self._admit()
        waiter: asyncio.Future = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        self._wake()  # starts the timer for stale holders
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())  # let in just as it was cancelled
            raise

    def release(self, holder: int) -> None:
        self.holders.pop(holder, None)
        self._wake()


# What MessageProcessor.handle_message was when the gate was put around it.
_inner: Callable = MessageProcessor.handle_message
_gates: Dict[Any, ArrivalOrderGate] = {}


def _gate(limit: int) -> ArrivalOrderGate:
    # One gate per event loop: a gate's futures belong to the loop they were made in.
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        _gates.clear()  # an earlier loop (tests run several) is done with
        gate = _gates[loop] = ArrivalOrderGate(limit)
    return gate


async def handle_message_in_arrival_order(self: MessageProcessor, message: Any) -> Any:
    limit = concurrency()
    if limit == 0:
        return await _inner(self, message)
    gate = _gate(limit)
    holder = await gate.acquire()
    try:
        return await _inner(self, message)
    finally:
        gate.release(holder)


def apply() -> None:
    """Put the gate around MessageProcessor.handle_message as it is now (with the other
    fixes' wrappers), once."""
    global _inner
    if MessageProcessor.handle_message is not handle_message_in_arrival_order:
        _inner = MessageProcessor.handle_message
        MessageProcessor.handle_message = handle_message_in_arrival_order
