"""Conversations survive a crash of the Rasa server, in SQLite and in PostgreSQL.

The server is killed with SIGKILL in the middle of a screening (no chance to
flush anything), started again on the same tracker store, and the next answer
continues from the same question with every earlier answer kept. The servers are
the session's shared ones (tests/conftest.py): they run again afterwards.
"""

import signal
import uuid

import pytest

from scripts.conversation import texts
from tests.stores import POSTGRES_URL, STORE  # noqa: F401  (other tests import them from here)
from tests.stores import postgres_available as _postgres_available  # noqa: F401

pytestmark = pytest.mark.server


def test_screening_continues_after_the_server_is_killed_sqlite(rasa_server):
    kill_mid_screening_and_carry_on(rasa_server, "sqlite")


def test_screening_continues_after_the_server_is_killed_postgresql(postgres_server):
    kill_mid_screening_and_carry_on(postgres_server, "postgresql")


def kill_mid_screening_and_carry_on(server, database: str) -> None:
    sender = f"restart-{database}-{uuid.uuid4().hex[:8]}"

    server.send(sender, "my newborn has a dimple with a small tuft of hair above it")
    server.send(sender, '/inform{"dimple_pattern": "one_midline"}')
    # no urgent sign, and the hair settles the advice: stop here or finish?
    assert "enough to recommend" in texts(server.send(sender, "/deny"))
    before = server.slots(sender)
    assert before["requested_slot"] == "screening_more"

    server.restart(signal.SIGKILL)

    slots = server.slots(sender)
    assert slots["hair_tuft"] == "yes" and slots["drainage"] == "no"
    assert slots["requested_slot"] == "screening_more"
    reply = texts(server.send(sender, '/inform{"screening_more": "finish"}'))
    assert "Any of these as well?" in reply  # the next question, not a restart
    events = server.tracker(sender)["events"]
    user_turns = [e for e in events if e["event"] == "user"]
    assert len(user_turns) == 4  # nothing lost, nothing duplicated
