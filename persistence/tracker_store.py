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
"""

import logging
import os
from typing import Any, Dict, Optional, Text

from rasa.core.agent import Agent
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine.url import make_url

logger = logging.getLogger(__name__)

ENV_VAR = "TRACKER_STORE_URL"
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


class EnvironmentSQLTrackerStore(SQLTrackerStore):
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

    async def save(self, tracker: DialogueStateTracker) -> None:
        if deletion_confirmed(tracker):
            await self.delete(tracker.sender_id)
        else:
            await super().save(tracker)

    async def delete(self, sender_id: Text) -> int:
        """Erase every stored event of one conversation; returns how many."""
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
