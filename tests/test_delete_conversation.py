""" "Delete my conversation": after the person confirms, the tracker store holds
nothing of it any more, in SQLite and in PostgreSQL. Read straight from the
database, not through Rasa.
"""

import sqlite3
import uuid

import pytest

from scripts.conversation import texts
from tests.stores import POSTGRES_URL

pytestmark = pytest.mark.server


class Database:
    """Counts a conversation's stored events, straight from the database."""

    def __init__(self, kind: str, server):
        self.kind = kind
        self.path = server.tracker_db if kind == "sqlite" else None

    def events(self, sender: str) -> int:
        query = "SELECT COUNT(*) FROM events WHERE sender_id = "
        if self.kind == "postgresql":
            import psycopg2

            with psycopg2.connect(POSTGRES_URL) as connection, connection.cursor() as cursor:
                cursor.execute(query + "%s", (sender,))
                return cursor.fetchone()[0]
        assert self.path is not None, "the server keeps no SQLite file"
        with sqlite3.connect(self.path) as connection:
            return connection.execute(query + "?", (sender,)).fetchone()[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, rasa_server, postgres_server):
    """The session's shared servers (tests/conftest.py), one per database."""
    server = rasa_server if request.param == "sqlite" else postgres_server
    return server, Database(request.param, server)


def _sender(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def test_a_confirmed_deletion_erases_the_conversation(store):
    server, database = store
    sender, bystander = _sender("delete-me"), _sender("keep-me")
    for who in (sender, bystander):
        server.send(who, "my newborn has a dimple with a small tuft of hair above it")
        server.send(who, '/inform{"subject": "baby"}')
    assert database.events(sender) > 0

    question = texts(server.send(sender, "please delete my conversation"))
    assert "delete this conversation" in question and "can't be undone" in question
    assert database.events(sender) > 0  # nothing goes before the person says yes

    assert "deleted this conversation" in texts(server.send(sender, "/affirm"))
    assert database.events(sender) == 0
    assert database.events(bystander) > 0  # only theirs

    # Talking again starts afresh: none of the earlier answers is known.
    assert server.send(sender, "hi")
    slots = server.slots(sender)
    assert slots["hair_tuft"] is None and slots["subject"] is None


def test_saying_no_keeps_the_conversation(store):
    server, database = store
    sender = _sender("keep")
    server.send(sender, "are back dimples harmless?")
    server.send(sender, "delete my data")
    stored = database.events(sender)
    assert "kept the conversation" in texts(server.send(sender, "/deny"))
    assert database.events(sender) > stored


def test_deleting_in_the_middle_of_a_screening(store):
    server, database = store
    sender = _sender("delete-mid")
    server.send(sender, "/start_screening")
    server.send(sender, '/inform{"subject": "baby"}')
    assert server.tracker(sender)["active_loop"].get("name") == "screening_form"
    assert "delete this conversation" in texts(server.send(sender, "erase everything i told you"))
    assert "deleted this conversation" in texts(server.send(sender, "yes"))
    assert database.events(sender) == 0
