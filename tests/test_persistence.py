"""Conversations survive a crash of the Rasa server, in SQLite and in PostgreSQL.

The server is killed with SIGKILL in the middle of a screening (no chance to
flush anything), started again on the same tracker store, and the next answer
continues from the same question with every earlier answer kept.
"""
import signal
import uuid

import pytest

from tests.stack import RasaServer, texts

pytestmark = pytest.mark.server

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
STORE = {"type": "persistence.tracker_store.EnvironmentSQLTrackerStore"}


def _postgres_available() -> bool:
    try:
        import psycopg2

        psycopg2.connect(POSTGRES_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_screening_continues_after_the_server_is_killed(model_path, action_server, log_dir, database):
    if database == "postgresql":
        if not _postgres_available():
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432 (database test); .ci/run starts it")
        env = {"TRACKER_STORE_URL": POSTGRES_URL}
        store = STORE
    else:
        env = {}
        store = {**STORE, "db": str(log_dir / f"restart-{uuid.uuid4().hex}.db")}
    sender = f"restart-{database}-{uuid.uuid4().hex[:8]}"

    server = RasaServer(model_path, action_server, log_dir, tracker_store=store, env=env).start()
    try:
        server.send(sender, "my newborn has a dimple with a small tuft of hair above it")
        server.send(sender, '/inform{"dimple_pattern": "one_midline"}')
        assert "red, warm or swollen" in texts(server.send(sender, "/deny"))
        before = server.slots(sender)
        assert before["requested_slot"] == "infection"
    finally:
        server.stop(signal.SIGKILL)

    again = RasaServer(model_path, action_server, log_dir, tracker_store=store, env=env,
                       port=server.port).start()
    try:
        slots = again.slots(sender)
        assert slots["hair_tuft"] == "yes" and slots["drainage"] == "no"
        assert slots["requested_slot"] == "infection"
        reply = texts(again.send(sender, "/deny"))
        assert "weakness or numbness in the legs" in reply  # the next question, not a restart
        events = again.tracker(sender)["events"]
        user_turns = [e for e in events if e["event"] == "user"]
        assert len(user_turns) == 4  # nothing lost, nothing duplicated
    finally:
        again.stop()
