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
"""
import logging
import os
from typing import Any, Dict, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine.url import make_url

logger = logging.getLogger(__name__)

ENV_VAR = "TRACKER_STORE_URL"
# The response that confirms a deletion (domain.yml, data/rules/general.yml).
DELETION_CONFIRMED = "utter_conversation_deleted"


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
            logger.info("Tracker store: %s database %s on %s", settings["dialect"], settings["db"], settings["host"])
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
