"""The tracker stores the tests run the assistant with: the product's own
(persistence.tracker_store, as endpoints.yml names it), on SQLite or PostgreSQL."""

# trust authentication on the test machines; database `test` exists there
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
STORE = {"type": "persistence.tracker_store.EnvironmentSQLTrackerStore"}


def postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(POSTGRES_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False
