"""Scale-out: two Rasa servers and one action server sharing PostgreSQL and a Redis lock store.

The product's own configuration (`EnvironmentSQLTrackerStore` with TRACKER_STORE_URL,
the `AtomicRedisLockStore` of deploy/endpoints.deploy.yml) on a fresh PostgreSQL database
and a key prefix of its own. The messages of one conversation alternate between the
replicas, many people screen at once, and a person whose second message reaches the other
replica while the first is still being answered is served in order. Afterwards every stored
conversation is read back from PostgreSQL: the right outcome, every message stored
once, every turn whole and not interleaved with another, and what the person was
shown is what the tracker keeps.

Two messages of one conversation that reach both replicas at the very same instant
are serialized too: the lock store is persistence.lock_store.AtomicRedisLockStore.
Rasa 3.6's own `redis` lock store failed that last test for 3 to 11 of every 20
pairs (its tickets are issued with a GET then a SET, not atomically).
"""

import itertools
import json
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Sequence, Tuple

import pytest

from screening.findings import FINDINGS, GROUP_SLOTS, MORE_SLOT, WHICH_SLOT
from screening.questions import OPENING_QUESTIONS
from scripts.conversation import Conversation, Turn, active_loop, texts
from scripts.processes import RasaServer

pytestmark = pytest.mark.server

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = {"host": "127.0.0.1", "port": 6379, "db": 0}
STORE = {"type": "persistence.tracker_store.EnvironmentSQLTrackerStore"}

# A fragment of each screening question, by slot: the who and where questions, the
# grouped questions (screening/asking.py), "Which ones?", the offer to stop once the
# advice is settled, and the single questions asked after "Not sure" on a group.
QUESTIONS = {
    "subject": "Who has the dimple?",
    "dimple_pattern": "Where is it?",
    "signs_urgent": "Do you see any of these now?",
    "screening_more": "enough to recommend",
    "signs_marks": "Look at the skin on and around",
    "signs_dimple": "Now the dimple itself",
    "signs_crease": "Now the buttock crease",
    "signs_position": "And where it is",
    "signs_which": "Which ones?",
    "drainage": "Does any fluid",
    "infection": "Is the skin around it red",
    "neuro_symptoms": "Have you noticed any new weakness",
    "hair_tuft": "Is there a tuft",
    "skin_tag": "Is there a skin tag",
    "lump": "Can you see or feel",
    "discoloration": "Is there a birthmark",
    "deep": "Is it deep",
    "large": "Is it wider",
    "high": "Is it higher up",
    "cleft_abnormal": "Is the buttock crease split",
    "multiple": "Is there more than one dimple",
    "off_midline": "Is the dimple off to one side",
}
# Asked again by design: a group after "Which ones?" ("Any of these as well?").
ASKED_AGAIN = {"signs_marks", "signs_dimple", "signs_crease", "signs_position", "signs_which"}
GROUPS_AFTER_LOW_MIDDLE = ["signs_urgent", "signs_marks", "signs_dimple", "signs_crease"]
SIMPLE_BABY = {
    "subject": '/inform{"subject": "baby"}',
    "dimple_pattern": '/inform{"dimple_pattern": "one_midline"}',
    # once the advice is settled: stop there (the summary marks the rest "not asked")
    "screening_more": '/inform{"screening_more": "stop"}',
}
# What the advice at the end of each outcome says.
REASSURE = "simple sacral dimple"
REFER = "ultrasound"
URGENT = "today"
BACK_DIMPLES = "Venus"
OFFLINE = "not answering"  # the policy's words when the action server fails


def test_every_screening_question_has_a_fragment():
    asked = {*OPENING_QUESTIONS, *FINDINGS, *GROUP_SLOTS, WHICH_SLOT, MORE_SLOT}
    assert set(QUESTIONS) == asked


def question_in(replies: List[Dict]) -> Optional[str]:
    """The slot asked by the last message of a turn; None when it asks nothing."""
    # The last message with words (a question's picture comes after its text).
    last = next((r.get("text") for r in reversed(replies) if r.get("text")), "")
    asked = [slot for slot, fragment in QUESTIONS.items() if fragment in last]
    assert len(asked) <= 1, (asked, last)
    return asked[0] if asked else None


# --- the cluster --------------------------------------------------------------------


class Cluster:
    """Two replicas on one PostgreSQL database and one Redis lock store."""

    def __init__(self, replicas: Sequence[RasaServer], database_url: str, red, prefix: str):
        self.replicas = list(replicas)
        self.database_url = database_url
        self.red = red
        self.prefix = prefix
        self.served: Counter[int] = Counter()  # replica index -> messages answered
        self.latencies: List[float] = []  # seconds, one message on its own
        self.queued: List[float] = []  # seconds, the second of two messages at once
        self._guard = threading.Lock()

    def lock_key(self, sender: str) -> str:
        return f"{self.prefix}:lock:{sender}"

    def count(self, turn: Turn) -> None:
        if turn.ok:
            with self._guard:
                self.served[turn.server] += 1

    def stored_events(self, sender: str) -> List[Dict]:
        """The conversation's rows in PostgreSQL, in the order they were written."""
        import psycopg2

        connection = psycopg2.connect(self.database_url)
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT data FROM events WHERE sender_id = %s ORDER BY id", (sender,)
                )
                return [json.loads(data) for (data,) in cursor.fetchall()]
        finally:
            connection.close()


def _connect_or_fail():
    import psycopg2
    import redis

    try:
        psycopg2.connect(POSTGRES_ADMIN_URL, connect_timeout=3).close()
    except Exception as error:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    red = redis.StrictRedis(**REDIS, socket_timeout=10)
    try:
        red.ping()
    except Exception as error:
        pytest.fail(f"Redis is not reachable at {REDIS['host']}:{REDIS['port']}: {error}")
    return red


def _admin(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(POSTGRES_ADMIN_URL)
    connection.autocommit = True
    try:
        connection.cursor().execute(sql)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def cluster(model_path, action_server, log_dir):
    red = _connect_or_fail()
    tag = uuid.uuid4().hex[:12]
    database = f"dimples_scale_{tag}"
    prefix = f"dimplesscale{tag}"  # Rasa ignores a key prefix that is not alphanumeric
    _admin(f"CREATE DATABASE {database}")
    database_url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    lock_store = {
        "type": "persistence.lock_store.AtomicRedisLockStore",
        "url": REDIS["host"],
        "port": REDIS["port"],
        "db": REDIS["db"],
        "key_prefix": prefix,
    }
    replicas = [
        RasaServer(
            model_path,
            action_server,
            log_dir,
            tracker_store=STORE,
            lock_store=lock_store,
            # A small session bound, so long conversations cross it on both replicas.
            env={"TRACKER_STORE_URL": database_url, "SESSION_MAX_EVENTS": "40"},
        )
        for _ in range(2)
    ]
    try:
        # Both at once, as a deployment would: they also race to create the tables.
        with ThreadPoolExecutor(2) as pool:
            for started in [pool.submit(replica.start) for replica in replicas]:
                started.result()
        yield Cluster(replicas, database_url, red, prefix)
    finally:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda replica: replica.stop(), replicas))
        leftover = list(red.scan_iter(match=f"{prefix}:*"))
        if leftover:
            red.delete(*leftover)
        _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


# --- conversations ------------------------------------------------------------------


class Chat(Conversation):
    """One person's conversation (the driver of scripts/conversation.py), every message
    to the other replica than the one before; `turns` in the order the assistant
    handled them."""

    def __init__(self, cluster: Cluster, name: str, first_replica: int = 0):
        super().__init__(cluster.replicas, name, first=first_replica)
        self.cluster = cluster
        self.overlapped = 0

    def post(self, text: str, server: Optional[int] = None, timeout: float = 90.0) -> Turn:
        turn = super().post(text, server, timeout)
        self.cluster.count(turn)
        return turn

    def send(self, text: str) -> List[Dict]:
        replies = super().send(text)
        self.cluster.latencies.append(self.turns[-1].seconds)
        return replies

    def say_twice_at_once(self, text: str) -> Tuple[List[Dict], List[Dict]]:
        """The same message to both replicas, the second sent while the first is being
        answered (it holds the conversation's lock in Redis): a double tap behind a
        load balancer. Returns (first replies, second replies)."""
        first, second = self.next_server(), 1 - self.next_server()
        result: Dict[str, Turn] = {}
        thread = threading.Thread(target=lambda: result.update(first=self.post(text, first)))
        thread.start()
        key = self.cluster.lock_key(self.id)
        deadline = time.monotonic() + 60
        while (
            thread.is_alive() and not self.cluster.red.exists(key) and time.monotonic() < deadline
        ):
            time.sleep(0.002)
        turn2 = self.post(text, second)
        thread.join()
        turn1 = result["first"]
        if turn2.sent < turn1.answered:
            self.overlapped += 1
        self.cluster.queued.append(turn2.seconds)
        # The first holds ticket 0, so it is handled first.
        for turn in (turn1, turn2):
            self.record(turn)
            if not turn.ok:
                raise self.failure(f"no reply from replica {turn.server} to {text!r}")
        return turn1.replies, turn2.replies

    def outcome(self) -> Tuple[Optional[str], Optional[List[str]]]:
        slots = self.tracker(len(self.turns) % 2)["slots"]
        return slots["screening_result"], slots["red_flags"]


@dataclass
class Screening:
    """A scripted person: opening messages, then an answer for each question asked
    (`answers`, slot -> message; unlisted questions get "/deny")."""

    name: str
    opening: List[str]
    answers: Dict[str, str]
    # `screening_result` and `red_flags`. Urgent advice comes before every question is
    # answered: the questions left count as not ruled out ("unsure").
    outcome: Tuple[str, List[str]]
    advice: str  # a fragment of the last reply
    # The question that is answered by the same "/deny" sent to both replicas at once:
    # it answers this question and the next one.
    twice_at: Optional[str] = None


def run(screening: Screening, chat: Chat, limit: int = 25) -> None:
    """Play a screening; every question must come after the one before (no restart,
    no question asked again) and the conversation must end with the expected advice."""
    asked: List[str] = []

    def check_next(replies: List[Dict]) -> Optional[str]:
        question = question_in(replies)
        if question is not None:
            if question in asked and question not in ASKED_AGAIN:
                raise chat.failure(
                    f"asked {question} after {asked[-1]}: a question again or a restart"
                )
            asked.append(question)
        return question

    replies: List[Dict] = []
    for text in screening.opening:
        replies = chat.send(text)
    question = check_next(replies)
    while question is not None:
        if len(chat.turns) >= limit:
            raise chat.failure("the screening did not end")
        if question == screening.twice_at:
            first, replies = chat.say_twice_at_once("/deny")
            # Each answers its own question: the next one, then the one after it.
            if check_next(first) is None or check_next(replies) is None:
                raise chat.failure("two messages at once were not answered one after the other")
            question = asked[-1]
            continue
        replies = chat.send(screening.answers.get(question, "/deny"))
        question = check_next(replies)
    if screening.advice not in texts(replies) or OFFLINE in texts(replies):
        raise chat.failure(f"expected advice with {screening.advice!r}")
    if chat.outcome() != screening.outcome:
        raise chat.failure(f"outcome {chat.outcome()} instead of {screening.outcome}")


def check_stored(chat: Chat) -> Dict[str, int]:
    """The conversation as PostgreSQL keeps it: every message once, in order, each turn
    whole (the person's message, the assistant's actions, then listening again), and
    the bot's words of each turn exactly those the person was shown."""
    events = chat.cluster.stored_events(chat.id)
    problems: List[str] = []

    duplicated = sum(n - 1 for n in Counter(json.dumps(e, sort_keys=True) for e in events).values())
    if duplicated:
        problems.append(f"{duplicated} duplicated events")

    users = [i for i, e in enumerate(events) if e["event"] == "user"]
    sent = [turn.text for turn in chat.turns]
    stored = [events[i]["text"] for i in users]
    lost = max(0, len(sent) - len(stored))
    if stored != sent:
        problems.append(f"stored messages {stored} != sent {sent}")

    for number, (start, turn) in enumerate(zip(users, chat.turns, strict=False)):
        before = [e for e in events[:start] if e["event"] == "action"]
        if not before or before[-1]["name"] != "action_listen":
            problems.append(f"turn {number}: the message does not follow action_listen")
        end = users[number + 1] if number + 1 < len(users) else len(events)
        within = events[start + 1 : end]
        # A new session opened before the next message (components/long_conversations.py)
        # belongs to that message, not to this turn.
        opened = [i for i, e in enumerate(within) if e.get("name") == "action_session_start"]
        if opened:
            within = within[: opened[0]]
        actions = [e["name"] for e in within if e["event"] == "action"]
        if not actions or actions[-1] != "action_listen" or actions.count("action_listen") != 1:
            problems.append(
                f"turn {number}: actions {actions} (one turn must end with one action_listen)"
            )
        said = [e.get("text") for e in within if e["event"] == "bot"]
        # A question's picture is stored with its text (one bot event) but shown as a
        # reply of its own, with no text.
        shown = [r.get("text") for r in turn.replies if not (r.get("image") and not r.get("text"))]
        if said != shown:
            problems.append(f"turn {number}: stored bot texts differ from the replies shown")
    if problems:
        raise chat.failure("; ".join(problems))
    return {"events": len(events), "lost": lost, "duplicated": duplicated}


# --- the tests ----------------------------------------------------------------------


def test_one_conversation_alternating_between_the_replicas_carries_on_at_every_step(cluster):
    """Every message goes to the other replica; each answer moves the screening to its
    next question, which the other replica's HTTP API already shows."""
    chat = Chat(cluster, "alternate")
    steps: List[Tuple[str, Optional[str]]] = [
        ("my newborn has a dimple with a small tuft of hair above it", "dimple_pattern"),
        (SIMPLE_BABY["dimple_pattern"], "signs_urgent"),
        # an FAQ answer, then the open question
        ("what is a tethered spinal cord?", "signs_urgent"),
        ("/deny", "screening_more"),  # the hair tuft settles it: stop here or finish
        ('/inform{"screening_more": "finish"}', "signs_marks"),
    ]
    # "none of these" to each group: the next one comes.
    steps += [("/deny", "signs_dimple"), ("/deny", "signs_crease"), ("/deny", None)]
    for number, (text, expected) in enumerate(steps):
        replica = chat.next_server()
        replies = chat.send(text)
        if question_in(replies) != expected:
            raise chat.failure(
                f"step {number}: expected question {expected}, got {question_in(replies)}"
            )
        if text.startswith("what is"):
            assert "tether" in texts(replies).lower(), texts(replies)
        # The state is in the shared store, not in the replica: the other one sees it now.
        other = chat.tracker(1 - replica)
        in_form = active_loop(other)
        open_question = other["slots"]["requested_slot"] if in_form else None
        if open_question != expected:
            raise chat.failure(
                f"step {number}: the other replica has {open_question} open, not {expected}"
            )
    assert REFER in texts(chat.turns[-1].replies)
    assert chat.outcome() == ("refer", ["hair_tuft"])
    replicas = [turn.server for turn in chat.turns]
    assert all(a != b for a, b in itertools.pairwise(replicas)), replicas
    stored = check_stored(chat)
    assert stored["lost"] == stored["duplicated"] == 0


SCREENINGS = [
    Screening(
        "reassure-buttons",
        ["/start_screening"],
        SIMPLE_BABY,
        ("reassure", []),
        REASSURE,
        twice_at="signs_urgent",
    ),
    Screening(
        "reassure-again",
        ["I'd like to check a dimple on my baby's back"],
        SIMPLE_BABY,
        ("reassure", []),
        REASSURE,
        twice_at="signs_marks",
    ),
    Screening(
        "refer-hair",
        ["/start_screening"],
        {**SIMPLE_BABY, "signs_marks": "/affirm", "signs_which": '/inform{"sign": "hair_tuft"}'},
        ("refer", ["hair_tuft", "unsure"]),
        REFER,
    ),
    Screening(
        "refer-lump",
        ["/start_screening"],
        {**SIMPLE_BABY, "signs_marks": "there's a soft lump under the skin"},
        ("refer", ["lump", "unsure"]),
        REFER,
    ),
    Screening(
        "refer-unsure",
        ["/start_screening"],
        {**SIMPLE_BABY, "signs_dimple": "/dont_know", "deep": "I honestly can't tell"},
        ("refer", ["unsure"]),
        REFER,
    ),
    Screening(
        "refer-several",
        ["/start_screening"],
        {**SIMPLE_BABY, "dimple_pattern": '/inform{"dimple_pattern": "several_midline"}'},
        ("refer", ["multiple", "unsure"]),
        REFER,
    ),
    Screening(
        "refer-off-side",
        ["/start_screening"],
        {**SIMPLE_BABY, "dimple_pattern": '/inform{"dimple_pattern": "off_side"}'},
        ("refer", ["off_midline", "unsure"]),
        REFER,
    ),
    Screening(
        "refer-opening-signs",
        [
            "My 3 week old has a dimple above her bum crack with a little tuft of hair. "
            "Should I worry?"
        ],
        {**SIMPLE_BABY, "screening_more": '/inform{"screening_more": "finish"}'},
        ("refer", ["hair_tuft"]),
        REFER,
        twice_at="signs_dimple",
    ),
    Screening(
        "refer-negation",
        ["/start_screening"],
        {**SIMPLE_BABY, "signs_marks": "no hair or marks, but there's a little skin tag"},
        ("refer", ["skin_tag", "unsure"]),
        REFER,
    ),
    Screening(
        "urgent-list",
        ["/start_screening"],
        {**SIMPLE_BABY, "signs_urgent": "/affirm"},
        ("urgent", ["unsure"]),
        URGENT,
    ),
    Screening(
        "urgent-neuro",
        ["/start_screening"],
        {**SIMPLE_BABY, "signs_urgent": "/dont_know", "neuro_symptoms": "/affirm"},
        ("urgent", ["neuro_symptoms", "unsure"]),
        URGENT,
        twice_at="drainage",
    ),
    Screening(
        "urgent-free-text",
        ["/start_screening"],
        {
            **SIMPLE_BABY,
            "signs_marks": "now that I look again it's a bit red and swollen and feels warm",
        },
        ("urgent", ["infection", "unsure"]),
        URGENT,
    ),
    Screening(
        "urgent-opening",
        ["my newborn's dimple is leaking pus, what should I do?"],
        {},
        ("urgent", ["drainage", "unsure"]),
        URGENT,
    ),
    Screening(
        "back-dimples",
        ["/start_screening"],
        {
            "subject": '/inform{"subject": "self"}',
            "dimple_pattern": "I have two dimples, one on each side of my spine",
        },
        ("reassure", []),
        BACK_DIMPLES,
    ),
]


def test_concurrent_screenings_over_both_replicas_lose_and_duplicate_nothing(
    cluster, record_figure
):
    """Every screening at once, each message to the other replica than the one before;
    some people send the same answer twice at once, to both replicas."""
    chats = [Chat(cluster, s.name, first_replica=n % 2) for n, s in enumerate(SCREENINGS)]
    served_before = Counter(cluster.served)
    cluster.latencies.clear()
    cluster.queued.clear()
    start = threading.Barrier(len(chats))

    def person(screening: Screening, chat: Chat) -> None:
        start.wait()
        run(screening, chat)

    began = time.monotonic()
    with ThreadPoolExecutor(len(chats)) as pool:
        futures = [pool.submit(person, s, c) for s, c in zip(SCREENINGS, chats, strict=True)]
        errors = [str(f.exception()) for f in futures if f.exception() is not None]
    elapsed = time.monotonic() - began
    assert not errors, "\n\n".join(errors)

    totals: Counter[str] = Counter()
    for chat in chats:
        totals.update(check_stored(chat))
    assert totals["lost"] == 0 and totals["duplicated"] == 0

    served = cluster.served - served_before
    messages = sum(len(chat.turns) for chat in chats)
    assert sum(served.values()) == messages
    assert min(served[0], served[1]) >= messages * 0.4, served  # both replicas did their share
    pairs = sum(1 for s in SCREENINGS if s.twice_at)
    overlapped = sum(chat.overlapped for chat in chats)
    assert overlapped == pairs, "the second message of a pair was sent after the first was answered"

    latencies = sorted(cluster.latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    record_figure(
        f"scale-out: {len(chats)} screenings at once, {messages} messages over 2 replicas "
        f"({served[0]}/{served[1]}) sharing PostgreSQL and a Redis lock store, {pairs} double taps "
        f"to both replicas served in order; 0 lost, 0 duplicated; "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms per message "
        f"(the second of a double tap: median "
        f"{statistics.median(cluster.queued) * 1000:.0f} ms, as Rasa checks a busy lock once a "
        f"second); {elapsed:.1f} s in all"
    )


def test_a_replica_waits_while_the_conversation_is_locked_by_another(cluster):
    """The lock is shared: while a ticket for the conversation is held in Redis (as a
    replica holds it while answering), the other replica does not touch it."""
    chat = Chat(cluster, "held")
    assert question_in(chat.send("/start_screening")) == "subject"
    hold = 3.0
    expires = time.time() + hold
    ticket = json.dumps({"number": 0, "expires": expires})
    cluster.red.set(
        cluster.lock_key(chat.id), json.dumps({"conversation_id": chat.id, "tickets": [ticket]})
    )
    replies = chat.send(SIMPLE_BABY["subject"])
    answered = time.time()
    assert answered >= expires, "the replica answered while another held the conversation's lock"
    assert question_in(replies) == "dimple_pattern"
    assert not cluster.red.exists(cluster.lock_key(chat.id)), "the lock was left behind"
    check_stored(chat)


def test_messages_of_one_conversation_at_the_same_instant_on_both_replicas_are_serialized(
    cluster, record_figure
):
    rounds = 8
    not_serialized = []
    for number in range(rounds):
        chat = Chat(cluster, f"instant{number}")
        chat.send("/start_screening")
        chat.send(SIMPLE_BABY["subject"])
        reply = chat.send(SIMPLE_BABY["dimple_pattern"])
        assert question_in(reply) == "signs_urgent", chat.transcript
        barrier = threading.Barrier(2)
        turns: Dict[int, Turn] = {}

        def tap(
            replica: int,
            barrier: threading.Barrier = barrier,
            turns: Dict[int, Turn] = turns,
            chat: Chat = chat,
        ) -> None:
            barrier.wait()
            turns[replica] = chat.post("/deny", replica)

        threads = [threading.Thread(target=tap, args=(replica,)) for replica in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # No reply: the lock store lost the ticket (LockError).
        results = {replica: turn.replies if turn.ok else [] for replica, turn in turns.items()}
        # Served in order, the one that was asked about the marks came first.
        for replica in sorted((0, 1), key=lambda r: question_in(results[r]) != "signs_marks"):
            chat.record(replace(turns[replica], replies=results[replica]))
        questions = sorted(str(question_in(results[replica])) for replica in (0, 1))
        try:
            check_stored(chat)
            assert questions == ["signs_dimple", "signs_marks"]
        except AssertionError as error:
            not_serialized.append(
                f"{chat.id}: both answered, asking {questions}; {str(error).splitlines()[0]}"
            )
    print("\n".join(not_serialized))
    record_figure(
        f"AtomicRedisLockStore: {len(not_serialized)}/{rounds} pairs of messages sent to both "
        f"replicas at the same instant were answered from the same state (not serialized)"
    )
    assert not not_serialized, "\n".join(not_serialized)


def test_a_long_conversation_over_both_replicas_crosses_session_bounds_and_loses_nothing(
    cluster,
):
    """Forty FAQ questions, each to the other replica, some sent to both at once: the
    conversation is split into sessions (SESSION_MAX_EVENTS=40 here) and every message is
    stored once, each turn whole, with the same answer each time."""
    chat = Chat(cluster, "long")
    questions = ["what are back dimples", "are back dimples genetic", "what is a sacral dimple"]
    answers = {question: texts(chat.send(question)) for question in questions}
    for number in range(36):
        question = questions[number % len(questions)]
        if number % 9 == 4:
            both = chat.say_twice_at_once(question)
            assert [texts(replies) for replies in both] == [answers[question]] * 2
        else:
            assert texts(chat.send(question)) == answers[question], chat.transcript[-2:]
    stored = check_stored(chat)
    sessions = [e for e in cluster.stored_events(chat.id) if e["event"] == "session_started"]
    assert len(sessions) >= 4, stored
