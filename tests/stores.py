"""The tracker stores the tests run the assistant with: the product's own
(persistence.tracker_store, as endpoints.yml names it), on SQLite or PostgreSQL."""

# trust authentication on the test machines; database `test` exists there
POSTGRES_PORT = 5432
POSTGRES_URL = f"postgresql://postgres@127.0.0.1:{POSTGRES_PORT}/test"
STORE = {"type": "persistence.tracker_store.EnvironmentSQLTrackerStore"}
# The web chat channel as credentials.yml lists it.
WEBCHAT = {
    "channels.webchat.WebChatInput": {
        "user_message_evt": "user_uttered",
        "bot_message_evt": "bot_uttered",
        "session_persistence": True,
    }
}


def postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(POSTGRES_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False
