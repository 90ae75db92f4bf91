"""A SQL tracker store whose database comes from the environment.

endpoints.yml names this class, so switching from the embedded SQLite file to
PostgreSQL is one environment variable, with no file to edit:

    TRACKER_STORE_URL=postgresql://user:password@db-host:5432/rasa ./assistant web

Without the variable, conversations go to the SQLite file given in endpoints.yml
(`db`, relative to the folder Rasa runs in).
"""
import logging
import os
from typing import Any, Dict, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine.url import make_url

logger = logging.getLogger(__name__)

ENV_VAR = "TRACKER_STORE_URL"


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
