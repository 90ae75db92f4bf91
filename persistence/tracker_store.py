"""A SQL tracker store whose database comes from the environment.

endpoints.yml names this class, so switching from the embedded SQLite file to
PostgreSQL is one environment variable, with no file to edit:

    TRACKER_STORE_URL=postgresql://user:password@db-host:5432/rasa ./assistant web

Without the variable, conversations go to the SQLite file given in endpoints.yml
(`db`, relative to the folder Rasa runs in).

It also erases a conversation when the person asks for it: a turn in which the
bot said `utter_conversation_deleted` (after the person confirmed) is not
saved; every stored event of that conversation is deleted instead. Rasa has no
delete operation on tracker stores, and the store is the one place that sees
every save, whichever channel the message came from.

A database that fails is never covered up. Rasa wraps every tracker store in a
`FailSafeTrackerStore` that, when the database fails, goes on with a new
conversation in memory: the person's earlier answers are not read, and the turn
is answered and then lost. For this store the wrapper raises
`ConversationNotSaved` instead, so the channel can say the message was not kept
(channels/saved_turns.py) and the next message, once the database is back, goes
on from the last stored turn. See docs/production.md, "The database fails".

Each process keeps the trackers it saved last (`TrackerCache`), so that the next
message of a conversation does not read back and replay its whole session. The
store stays the truth: every read first asks the database for the conversation's
version (the number of its stored events and the highest event id, one indexed
query), and the kept tracker is used only if the version is the one it was saved
with, so a turn stored by another replica, a deletion or a failed turn is never
served stale. See docs/performance.md.
"""

import itertools
import json
import logging
import os
from collections import OrderedDict
from typing import Any, Dict, Iterator, Optional, Text, Tuple

from rasa.core.agent import Agent
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from persistence.stored_events import settle

logger = logging.getLogger(__name__)

ENV_VAR = "TRACKER_STORE_URL"
# How many conversations each Rasa process keeps in memory; 0 turns the cache off.
CACHE_SIZE_VAR = "TRACKER_CACHE_SIZE"
DEFAULT_CACHE_SIZE = 200
# Set on a tracker read by this store: how many of its events are stored.
STORED_EVENTS = "_stored_events"
# The response that confirms a deletion (domain.yml, data/rules/general.yml).
DELETION_CONFIRMED = "utter_conversation_deleted"


class ConversationNotSaved(Exception):
    """The database could not read or keep a conversation; nothing of the turn was kept."""


def refuse_in_memory_fallback(error: Exception) -> None:
    """The fail-safe wrapper's error hook: raise instead of carrying on in memory."""
    # Only the error's type: SQLAlchemy's messages quote the statement's
    # parameters, which hold what the person wrote.
    raise ConversationNotSaved(type(error).__name__) from None


def deletion_confirmed(tracker: DialogueStateTracker) -> bool:
    """Whether the bot confirmed a deletion since the person's latest message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == DELETION_CONFIRMED:
            return True
    return False


# SQLite database names that are not a file: each connection has its own database.
IN_MEMORY = (None, "", ":memory:")
# (number of stored events, highest event id) of one conversation
Version = Tuple[int, Optional[int]]


class TrackerCache:
    """The trackers this process saved last, each with the version it was saved as.

    A tracker is handed out once (`take` removes it): the turn that takes it mutates
    it and saves it, which puts it back. A turn that fails never saves, so its
    half-changed tracker is never served; the next read goes to the database."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Text, Tuple[Version, DialogueStateTracker, int]] = OrderedDict()

    def take(self, sender_id: Text, version: Version) -> Optional[DialogueStateTracker]:
        entry = self.entries.pop(sender_id, None)
        if entry is None:
            return None
        saved_version, tracker, saved_events = entry
        if saved_version != version or len(tracker.events) != saved_events:
            return None
        return tracker

    def put(self, sender_id: Text, version: Version, tracker: DialogueStateTracker) -> None:
        self.entries[sender_id] = (version, tracker, len(tracker.events))
        self.entries.move_to_end(sender_id)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def drop(self, sender_id: Text) -> None:
        self.entries.pop(sender_id, None)


def as_read_back(tracker: DialogueStateTracker) -> bool:
    """Whether the tracker holds what a read of its session would give back.

    The store reads the events since the latest `SessionStarted`; a tracker in which
    a session started during the turn still holds the session before it (and its
    next save would count from the wrong event), so it is not kept."""
    after_first = itertools.islice(tracker.events, 1, None)
    return len(tracker.events) > 0 and not any(isinstance(e, SessionStarted) for e in after_first)


def cache_size() -> int:
    value = os.environ.get(CACHE_SIZE_VAR, "").strip()
    try:
        return max(0, int(value)) if value else DEFAULT_CACHE_SIZE
    except ValueError:
        logger.warning("%s is not a number; the default is used", CACHE_SIZE_VAR)
        return DEFAULT_CACHE_SIZE


def sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    """SQLite in write-ahead-log mode, syncing to disk at checkpoints, not every commit.

    A committed turn then survives the assistant's crash or kill (it is in the log);
    only the operating system's crash or a power cut can lose the last commits. Each
    commit waited for the disk before: 1-13 ms of every message, depending on the
    machine's other disk work (docs/performance.md)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sql_settings(url: Text) -> Dict[Text, Any]:
    """SQLTrackerStore arguments from a database URL."""
    parsed = make_url(url)
    return {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database,
        "username": parsed.username,
        "password": parsed.password,
        "query": dict(parsed.query) or None,
    }


def event_row(sender_id: Text, event: Any) -> Dict[Text, Any]:
    """The `events` table's row of an event, as Rasa's SQLTrackerStore.save makes it."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class EnvironmentSQLTrackerStore(SQLTrackerStore):
    engine: Any  # SQLAlchemy's Engine, made by Rasa (replaced for SQLite files)

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        url = os.environ.get(ENV_VAR)
        if url:
            settings = sql_settings(url)
            # The URL may carry a password: log where, never how.
            logger.info(
                "Tracker store: %s database %s on %s",
                settings["dialect"],
                settings["db"],
                settings["host"],
            )
        else:
            settings = {"dialect": "sqlite", "db": kwargs.get("db", "conversations.db")}
        passthrough = {k: v for k, v in kwargs.items() if k not in settings and k != "url"}
        super().__init__(domain=domain, event_broker=event_broker, **settings, **passthrough)
        size = cache_size()
        # An event broker is sent what a read of the store lacks: no cache with one.
        self.cache = TrackerCache(size) if size and event_broker is None else None
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in IN_MEMORY:
            self.use_pooled_sqlite()

    def use_pooled_sqlite(self) -> None:
        """Keep SQLite connections open between turns, in write-ahead-log mode.

        Rasa's engine opens a connection for every read and save of a tracker and
        closes it after; closing SQLite's last connection writes the log back into
        the database file and waits for the disk. A pool (SQLAlchemy 2's default for
        a file) keeps them open."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = create_engine(
            url, poolclass=QueuePool, connect_args={"check_same_thread": False}
        )
        sqlalchemy_event.listen(self.engine, "connect", sqlite_write_ahead_log)
        self.sessionmaker = sessionmaker(bind=self.engine)

    def version(self, sender_id: Text) -> Version:
        with self.session_scope() as session:
            return self._version(session, sender_id)

    def _version(self, session: Any, sender_id: Text) -> Version:
        events = self.SQLEvent.__table__
        count, highest = session.execute(
            select(func.count(events.c.id), func.max(events.c.id)).where(
                events.c.sender_id == sender_id
            )
        ).one()
        return int(count), highest

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        tracker = None
        if self.cache is not None:
            tracker = self.cache.take(sender_id, self.version(sender_id))
        if tracker is None:
            tracker = await super().retrieve(sender_id)
            if tracker is not None:
                settle(tracker.events)  # as read back: their JSON may be kept
        if tracker is not None:
            setattr(tracker, STORED_EVENTS, len(tracker.events))
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events of the tracker that are not stored yet.

        A tracker read by this store knows how many of its events are stored (the
        turn holds the conversation's lock: nobody else stored any since), so they
        are not counted again in the database."""
        stored = getattr(tracker, STORED_EVENTS, None)
        if stored is None:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self.cache is not None:
            self.cache.drop(tracker.sender_id)
        if deletion_confirmed(tracker):
            await self.delete(tracker.sender_id)
            return
        await self.stream_events(tracker)
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            rows = [event_row(tracker.sender_id, event) for event in new_events]
            if rows:
                # One statement for the turn's events (Rasa adds them one by one to
                # the ORM session, which inserts and reads back each row's id).
                session.execute(insert(self.SQLEvent.__table__), rows)
            # Read in the same transaction: these rows and what others committed
            # before. Anything committed after it makes the next check differ.
            version = self._version(session, tracker.sender_id) if self.cache is not None else None
            session.commit()
        settle(new_events)  # stored: their JSON may be kept for the action calls
        setattr(tracker, STORED_EVENTS, len(tracker.events))  # all of them, now
        if self.cache is not None and version is not None and as_read_back(tracker):
            self.cache.put(tracker.sender_id, version, tracker)

    async def delete(self, sender_id: Text) -> int:
        """Erase every stored event of one conversation; returns how many."""
        if self.cache is not None:
            self.cache.drop(sender_id)
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        # No sender id in the log: on Slack or Telegram it identifies a person.
        logger.info("Deleted a conversation at the user's request (%d events)", deleted)
        return deleted


_create_fail_safe_store = Agent._create_tracker_store


def _create_store_without_fallback(store: Optional[TrackerStore], domain: Domain) -> TrackerStore:
    wrapped = _create_fail_safe_store(store, domain)
    if isinstance(store, EnvironmentSQLTrackerStore) and isinstance(wrapped, FailSafeTrackerStore):
        wrapped._on_tracker_store_error = refuse_in_memory_fallback
    return wrapped


# Rasa 3.6 offers no setting for this: Agent wraps the store it is given when it is
# created, which is after endpoints.yml made Rasa import this module.
Agent._create_tracker_store = staticmethod(_create_store_without_fallback)
