"""Scripted conversations with running Rasa servers, over the REST channel.

The one driver of the end-to-end tests, the scale-out test and the benchmark: a person
(one sender id) sends messages and gets replies; every turn is kept with its timing and
the server that answered, and the transcript is shown when something goes wrong.

    chat = Conversation(server, "simple")
    chat.say("/start_screening")           # the reply's texts, joined
    chat.answer_until_done({"subject": '/inform{"subject": "baby"}'})
    chat.outcome()                         # (screening_result, red_flags)

With several servers (replicas of one assistant sharing a tracker store), message n goes
to server (first + n) % len(servers): every message to another replica than the one before.
"""

import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from scripts.processes import RasaServer, http

Replies = List[Dict[str, Any]]


def texts(replies: Replies) -> str:
    """All reply texts of one turn, joined."""
    return "\n".join(r.get("text", "") for r in replies)


def buttons(replies: Replies) -> List[str]:
    """The titles of every button of one turn."""
    return [b["title"] for r in replies for b in r.get("buttons", [])]


@dataclass
class Turn:
    """One message and what came back. `status` 0: no HTTP answer at all (`replies` then
    holds the error). `sent` and `answered` are time.perf_counter() readings."""

    text: str
    server: int
    status: int
    replies: Any
    sent: float
    answered: float

    @property
    def seconds(self) -> float:
        return self.answered - self.sent

    @property
    def ok(self) -> bool:
        """200 and at least one bot message: every message gets an answer."""
        return self.status == 200 and isinstance(self.replies, list) and bool(self.replies)


class Conversation:
    """One person's conversation. `track_questions`: after every turn, read which
    screening question is open (one tracker request) and keep it in `asked`."""

    def __init__(
        self,
        servers: Union[RasaServer, Sequence[RasaServer]],
        name: str = "chat",
        first: int = 0,
        sender: Optional[str] = None,
        track_questions: bool = False,
    ):
        self.servers = [servers] if isinstance(servers, RasaServer) else list(servers)
        self.name = name
        self.id = sender or f"{name}-{uuid.uuid4().hex[:8]}"
        self.first = first
        self.track_questions = track_questions
        self.turns: List[Turn] = []
        self.transcript: List[str] = []
        self.asked: List[str] = []  # the questions (slot names) asked, in order
        self._tracker: Optional[Dict[str, Any]] = None  # read after the last turn

    # -- talking ---------------------------------------------------------------
    def next_server(self) -> int:
        return (self.first + len(self.turns)) % len(self.servers)

    def post(self, text: str, server: Optional[int] = None, timeout: float = 120.0) -> Turn:
        """Send one message and return the turn, whatever the answer; nothing is recorded."""
        index = self.next_server() if server is None else server
        url = f"{self.servers[index].url}/webhooks/rest/webhook"
        sent = time.perf_counter()
        try:
            status, replies = http(
                "POST", url, {"sender": self.id, "message": text}, timeout=timeout
            )
        except OSError as error:
            status, replies = 0, repr(error)
        return Turn(text, index, status, replies, sent, time.perf_counter())

    def record(self, turn: Turn) -> None:
        self.turns.append(turn)
        self._tracker = None
        who = f"@{'ABCDEFGH'[turn.server]}" if len(self.servers) > 1 else ""
        shown = texts(turn.replies) if isinstance(turn.replies, list) else turn.replies
        self.transcript += [f"USER{who}: {turn.text}", f"BOT: {shown}"]

    def send(self, text: str) -> Replies:
        """Send one message; it must be answered. Returns the replies."""
        turn = self.post(text)
        self.record(turn)
        if not turn.ok:
            raise self.failure(f"{text!r} got HTTP {turn.status}: {str(turn.replies)[:300]}")
        if self.track_questions:
            tracker = self.tracker()
            if active_loop(tracker) and tracker["slots"].get("requested_slot"):
                self.asked.append(tracker["slots"]["requested_slot"])
        return turn.replies

    def say(self, text: str) -> str:
        """Send one message; return the texts of its replies, joined."""
        return texts(self.send(text))

    @property
    def last_buttons(self) -> List[str]:
        return buttons(self.turns[-1].replies) if self.turns else []

    # -- what the assistant keeps ----------------------------------------------
    def tracker(self, server: Optional[int] = None) -> Dict[str, Any]:
        """The conversation as the HTTP API of `server` (default: the next one) shows it."""
        if server is None and self._tracker is not None:
            return self._tracker
        replica = self.servers[self.next_server() if server is None else server]
        status, tracker = http(
            "GET", f"{replica.url}/conversations/{self.id}/tracker?token={replica.token}"
        )
        if status != 200:
            raise self.failure(f"GET tracker answered {status}: {str(tracker)[:300]}")
        if server is None:
            self._tracker = tracker
        return tracker

    def slots(self) -> Dict[str, Any]:
        return self.tracker()["slots"]

    def active_loop(self) -> Optional[str]:
        return active_loop(self.tracker())

    def outcome(self) -> Tuple[Any, Any]:
        """(screening_result, red_flags) as the tracker keeps them."""
        slots = self.slots()
        return slots["screening_result"], slots["red_flags"]

    def answer_until_done(
        self, answers: Mapping[str, str], default: str = "/deny", limit: int = 25
    ) -> str:
        """Answer each open screening question from `answers` (slot -> message), else with
        `default`, until the form closes; returns everything the bot said meanwhile."""
        everything = ""
        for _ in range(limit):
            if not self.active_loop():
                return everything
            question = self.slots()["requested_slot"]
            everything += self.say(answers.get(question, default)) + "\n"
        raise self.failure("the screening did not end")

    def failure(self, message: str) -> AssertionError:
        return AssertionError(f"{self.id}: {message}\n" + "\n".join(self.transcript))


def active_loop(tracker: Dict[str, Any]) -> Optional[str]:
    return (tracker.get("active_loop") or {}).get("name")
