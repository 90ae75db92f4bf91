"""persistence/tracker_store.py: the trackers a process keeps between turns.

What a person would notice if the cache were wrong: an answer forgotten (a turn
stored by the other replica not seen), an answer remembered that was never kept (a
failed turn), a deleted conversation coming back, or messages stored twice. Each is
checked here against the database itself, on SQLite and, where it runs, PostgreSQL
(two store objects on one database are two replicas)."""

import asyncio
import functools
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from persistence.tracker_store import (
    CACHE_SIZE_VAR,
    DELETION_CONFIRMED,
    ENV_VAR,
    EnvironmentSQLTrackerStore,
    TrackerCache,
    as_read_back,
)
from tests.stores import POSTGRES_URL, postgres_available

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch) -> Iterator[Dict[str, Any]]:
    """Settings for stores on one fresh database (SQLite file, or PostgreSQL `test`)."""
    monkeypatch.delenv(CACHE_SIZE_VAR, raising=False)
    if request.param == "sqlite":
        monkeypatch.delenv(ENV_VAR, raising=False)
        yield {"db": str(tmp_path / "conversations.db")}
    else:
        if not postgres_available():
            pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
        monkeypatch.setenv(ENV_VAR, POSTGRES_URL)
        yield {}


def synchronously(test: Callable) -> Callable:
    """Runs an async test in its own event loop (as Rasa's server runs the store)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


def store(database: Dict[str, Any], **kwargs: Any) -> EnvironmentSQLTrackerStore:
    return EnvironmentSQLTrackerStore(domain=DOMAIN, **database, **kwargs)


def all_columns(store: EnvironmentSQLTrackerStore, sender: str) -> List[Tuple[Any, ...]]:
    """Every stored row of a conversation but its id, in id order."""
    with store.session_scope() as session:
        rows = (
            session.query(store.SQLEvent)
            .filter(store.SQLEvent.sender_id == sender)
            .order_by(store.SQLEvent.id)
            .all()
        )
        return [
            (r.sender_id, r.type_name, r.timestamp, r.intent_name, r.action_name, r.data)
            for r in rows
        ]


def stored_rows(store: EnvironmentSQLTrackerStore, sender: str) -> List[str]:
    """The type of every stored event of a conversation, in id order."""
    return [row[1] for row in all_columns(store, sender)]


def turn(text: str, slot: str, value: Any) -> List[Any]:
    """A message and the bot's answer to it, setting one slot."""
    return [
        UserUttered(text, {"name": "inform", "confidence": 1.0}),
        SlotSet(slot, value),
        ActionExecuted("utter_ok"),
        BotUttered(f"noted: {text}"),
        ActionExecuted("action_listen"),
    ]


async def take_turn(store: EnvironmentSQLTrackerStore, sender: str, events: List[Any]) -> None:
    """What Rasa does with a message: read the tracker, add the turn, save it."""
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    if not tracker.events:
        tracker.update_with_events(
            [ActionExecuted("action_session_start"), SessionStarted()], DOMAIN
        )
    tracker.update_with_events(events, DOMAIN)
    await store.save(tracker)


async def two_turns_read(replica: EnvironmentSQLTrackerStore) -> Tuple[str, DialogueStateTracker]:
    """A new conversation of two turns, read back for a third (from the cache)."""
    sender = f"cache-{uuid.uuid4().hex}"
    await take_turn(replica, sender, turn("who", "subject", "baby"))
    await take_turn(replica, sender, turn("hair", "hair_tuft", False))
    tracker = await replica.retrieve(sender)
    assert tracker is not None
    return sender, tracker


@synchronously
async def test_a_kept_tracker_is_the_stored_conversation(database):
    replica = store(database)
    assert replica.cache is not None
    sender = f"cache-{uuid.uuid4().hex}"
    for index, (slot, value) in enumerate([("subject", "baby"), ("hair_tuft", False)]):
        await take_turn(replica, sender, turn(f"message {index}", slot, value))
    kept = await replica.retrieve(sender)
    from_database = await store(database).retrieve(sender)
    assert kept is not None and from_database is not None
    assert kept.current_state() == from_database.current_state()
    assert kept.get_slot("subject") == "baby" and kept.get_slot("hair_tuft") is False
    # every event stored once (the first row, action_session_start, is before the session)
    assert stored_rows(replica, sender)[1:] == [event.type_name for event in kept.events]


@synchronously
async def test_a_turn_stored_by_the_other_replica_is_seen(database):
    first, second = store(database), store(database)
    sender = f"cache-{uuid.uuid4().hex}"
    await take_turn(first, sender, turn("who", "subject", "baby"))
    await take_turn(first, sender, turn("hair", "hair_tuft", False))  # first keeps it now
    await take_turn(second, sender, turn("tag", "skin_tag", True))  # the other replica
    tracker = await first.retrieve(sender)
    assert tracker is not None
    assert tracker.get_slot("skin_tag") is True
    assert tracker.latest_message.text == "tag"
    await take_turn(first, sender, turn("lump", "lump", False))
    rows = stored_rows(first, sender)
    assert rows.count("user") == 4  # each message stored once, none twice


@synchronously
async def test_a_failed_turn_is_not_remembered(database):
    replica = store(database)
    sender, tracker = await two_turns_read(replica)
    # The turn fails after changing the tracker (the database or an action broke):
    # nothing of it was stored.
    tracker.update_with_events(turn("tag", "skin_tag", True), DOMAIN)
    again = await replica.retrieve(sender)
    assert again is not None
    assert again.get_slot("skin_tag") is None
    assert again.latest_message.text == "hair"


@synchronously
async def test_a_deleted_conversation_does_not_come_back(database):
    replica = store(database)
    sender, tracker = await two_turns_read(replica)
    tracker.update_with_events(
        [UserUttered("yes delete it"), ActionExecuted(DELETION_CONFIRMED)], DOMAIN
    )
    await replica.save(tracker)
    assert await replica.retrieve(sender) is None
    assert stored_rows(replica, sender) == []


@synchronously
async def test_a_session_started_in_a_turn_is_read_back_from_the_database(database):
    replica = store(database)
    sender, tracker = await two_turns_read(replica)
    # A new session within the turn, slots carried over (components/long_conversations.py)
    tracker.update_with_events(
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            SlotSet("subject", "baby"),
            ActionExecuted("action_listen"),
            *turn("tag", "skin_tag", True),
        ],
        DOMAIN,
    )
    assert not as_read_back(tracker)
    await replica.save(tracker)
    await take_turn(replica, sender, turn("lump", "lump", False))
    read = await store(database).retrieve(sender)
    assert read is not None
    assert read.get_slot("subject") == "baby" and read.get_slot("skin_tag") is True
    assert stored_rows(replica, sender).count("user") == 4
    assert stored_rows(replica, sender).count("session_started") == 2


class CollectingBroker(EventBroker):
    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(event)


@synchronously
async def test_an_event_broker_gets_every_event_once(database):
    broker = CollectingBroker()
    replica = store(database, event_broker=broker)
    assert replica.cache is None  # the broker is sent the difference with a read
    sender = f"cache-{uuid.uuid4().hex}"
    for text in ("one", "two", "three"):
        await take_turn(replica, sender, turn(text, "subject", "baby"))
    texts = [e.get("text") for e in broker.published if e["event"] == "user"]
    assert texts == ["one", "two", "three"]


def test_the_cache_can_be_turned_off(database, monkeypatch):
    monkeypatch.setenv(CACHE_SIZE_VAR, "0")
    assert store(database).cache is None


def test_the_cache_keeps_the_latest_conversations_only():
    cache = TrackerCache(size=2)
    trackers = {
        name: DialogueStateTracker.from_events(name, [ActionExecuted("action_listen")])
        for name in "abc"
    }
    for name, tracker in trackers.items():
        cache.put(name, (1, 1), tracker)
    assert cache.take("a", (1, 1)) is None  # the oldest went
    assert cache.take("b", (2, 2)) is None  # another version: not served
    assert cache.take("b", (1, 1)) is None  # and dropped
    assert cache.take("c", (1, 1)) is trackers["c"]
    assert cache.take("c", (1, 1)) is None  # handed out once


@synchronously
async def test_a_turn_is_stored_as_rasas_own_store_stores_it(database):
    """The store writes a turn's events with one statement; the rows (and their order)
    are those Rasa's SQLTrackerStore.save writes, and Rasa reads them back."""
    ours = store(database)
    events: List[Any] = [ActionExecuted("action_session_start"), SessionStarted()]
    for index in range(12):  # one save of many events, in an order to keep
        events += turn(f"message {index} — é 🙂 <b>", "subject", "baby" if index % 2 else None)
    senders = [f"rows-{uuid.uuid4().hex}" for _ in range(2)]
    for sender, save in zip(
        senders, (EnvironmentSQLTrackerStore.save, SQLTrackerStore.save), strict=True
    ):
        tracker = DialogueStateTracker.from_events(sender, events, DOMAIN.slots)
        await save(ours, tracker)
    ours_rows, rasas_rows = (all_columns(ours, sender) for sender in senders)
    assert len(ours_rows) == len(events)
    assert [row[1:] for row in ours_rows] == [row[1:] for row in rasas_rows]
    read_back = await SQLTrackerStore.retrieve(ours, senders[0])
    assert read_back is not None
    assert [e.as_dict() for e in read_back.events] == [e.as_dict() for e in events[1:]]
