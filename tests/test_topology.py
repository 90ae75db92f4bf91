"""The deployment topology as processes (scripts/soak.py): nginx with deploy/nginx.conf,
two Rasa replicas on PostgreSQL and Redis, the action server, Slack and Telegram stand-ins.

- deploy/nginx.conf, with only the addresses filled in, is valid for Debian's nginx;
- web chats from several addresses open through nginx on the first try, and every
  request of one socket reaches the one replica ip_hash chose for its address;
- a Slack or Telegram retry that reaches both replicas is answered once (the ids
  are de-duplicated in Redis);
- a 20-second soak through nginx (`./assistant soak` runs the long one), one replica
  stopped halfway (SIGTERM): no errors, nothing lost or stored twice in PostgreSQL, every
  finished screening with the right outcome. Its figures are printed at the end of
  the test run.
"""

import json
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest

from scripts.processes import http
from scripts.soak import (
    NGINX,
    NGINX_CONF,
    TELEGRAM_SECRET,
    Soak,
    Topology,
    render_nginx_conf,
    report,
    slack_event,
    slack_headers,
)
from tests.faults import WebChat

SOAK_SECONDS, SOAK_PEOPLE = 20, 8


def _nginx_or_fail() -> None:
    if not Path(NGINX).exists():
        pytest.fail(
            f"{NGINX} is missing: `python -m scripts.system_deps` installs Debian's "
            "nginx-light (./assistant test does it)"
        )


def test_the_project_nginx_conf_with_loopback_addresses_is_valid(tmp_path):
    _nginx_or_fail()
    tmp_path.chmod(0o777)
    conf = render_nginx_conf(
        NGINX_CONF.read_text(), ["127.0.0.1:5101", "127.0.0.1:5102"], 8089, tmp_path
    )
    assert conf.count("server 127.0.0.1:5101 max_fails=3 fail_timeout=10s;") == 2  # both upstreams
    assert "rasa:5005" not in conf and "listen 127.0.0.1:8089;" in conf
    (tmp_path / "nginx.conf").write_text(conf)
    checked = subprocess.run(
        [
            NGINX,
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-g",
            f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;",
        ],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.fixture(scope="module")
def topology(model_path, log_dir):
    _nginx_or_fail()
    running = Topology(model_path, log_dir)
    try:
        yield running.start()
    finally:
        running.stop()


def _to_both_at_once(topology, path: str, body: bytes, headers_for) -> list:
    """The same request to both replicas, at the same instant (a retry behind a balancer).

    Each side is re-sent, as the platforms do, while it is answered 503 (the other
    replica is still handling it); returns the final status codes.
    """
    results: List[Any] = [None, None]

    def send(index: int) -> None:
        replica = topology.replicas[index]
        for _ in range(30):
            results[index] = http("POST", f"{replica.url}{path}", body, headers_for(index))
            if results[index][0] != 503:
                return
            time.sleep(1)

    threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.server
def test_a_retry_sent_to_both_replicas_is_answered_once(topology):
    # Slack: the event, and its retry with the same event_id, reach different replicas.
    channel, user = f"D{uuid.uuid4().hex[:8].upper()}", f"U{uuid.uuid4().hex[:8].upper()}"
    body = slack_event("what are dimples of venus", user, channel)
    statuses = _to_both_at_once(
        topology, "/webhooks/slack/webhook", body, lambda index: slack_headers(body, index)
    )
    assert [s for s, _ in statuses] == [200, 200]
    topology.slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == channel)
    # Telegram: the same update to both replicas.
    chat_id = 900_000 + int(uuid.uuid4().int % 10_000)
    update = json.dumps(
        {
            "update_id": int(uuid.uuid4().int % 2_000_000_000),
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "text": "what are dimples of venus",
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "Parent"},
            },
        }
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
    }
    statuses = _to_both_at_once(
        topology, "/webhooks/telegram/webhook", update, lambda index: headers
    )
    assert [s for s, _ in statuses] == [200, 200]
    topology.telegram.wait_for(
        "sendMessage", lambda c: str(c.params.get("chat_id")) == str(chat_id)
    )
    time.sleep(3)  # time for a second answer, if one were coming
    slack_answers = [c.params["text"] for c in topology.slack.messages_to(channel)]
    telegram_answers = [c.params["text"] for c in topology.telegram.messages_to(chat_id)]
    # One answer (each may be sent as several messages, one per paragraph), once.
    assert slack_answers and "Venus" in slack_answers[0]
    assert len(slack_answers) == len(set(slack_answers)), slack_answers
    assert telegram_answers, telegram_answers
    assert len(telegram_answers) == len(set(telegram_answers)), telegram_answers
    stored = topology.stored()
    assert [e["text"] for e in stored[user] if e["event"] == "user"] == [
        "what are dimples of venus"
    ]
    assert [e["text"] for e in stored[str(chat_id)] if e["event"] == "user"] == [
        "what are dimples of venus"
    ]


@pytest.mark.server
def test_nginx_publishes_the_chat_and_webhooks_but_not_rest_or_the_api(topology):
    assert http("GET", f"{topology.url}/healthz")[0] == 200
    assert http("GET", f"{topology.url}/chat/")[0] == 200
    assert http("GET", f"{topology.url}/images/dimple-position.png")[0] == 200
    assert http("GET", f"{topology.url}/images/nothing.png")[0] == 404
    assert http("GET", f"{topology.url}/webhooks/socketio/")[0] == 200
    assert (
        http("POST", f"{topology.url}/webhooks/rest/webhook", {"sender": "x", "message": "hello"})[
            0
        ]
        == 404
    )
    assert http("GET", f"{topology.url}/status")[0] == 404


def _socket_upstreams(access_log: Path) -> Dict[str, Set[str]]:
    """Client address -> the replicas nginx sent its /socket.io/ requests to."""
    found: Dict[str, Set[str]] = {}
    for line in access_log.read_text().splitlines():
        if " /socket.io/ " in line:
            found.setdefault(line.split()[0], set()).add(line.rsplit("upstream=", 1)[1])
    return found


@pytest.mark.server
def test_every_web_chat_opens_through_nginx_on_the_first_try_and_sticks_to_a_replica(
    topology,
):
    """Browsers at several addresses (X-Forwarded-For, trusted from 127.0.0.1 as from
    a load balancer): each socket opens at once, answers, and all its long-polls reach
    the replica ip_hash chose for it; the addresses cover both replicas."""
    import asyncio

    addresses = [f"10.0.{n}.1" for n in range(6)]

    async def chat(address: str) -> str:
        # One try: a poll routed to the other replica would fail the connection.
        web = await WebChat(topology.url, f"sticky-{uuid.uuid4().hex[:8]}", address).connect()
        try:
            return "\n".join(r.get("text", "") for r in await web.say("what are dimples of venus"))
        finally:
            await web.close()

    async def all_chats() -> List[str]:
        return list(await asyncio.gather(*(chat(a) for a in addresses)))

    for reply in asyncio.run(all_chats()):
        assert "Venus" in reply, reply
    upstreams = _socket_upstreams(topology.nginx_dir / "access.log")
    assert {a: len(upstreams.get(a, ())) for a in addresses} == {a: 1 for a in addresses}
    assert set().union(*(upstreams[a] for a in addresses)) == {
        r.url.split("//")[1] for r in topology.replicas
    }


@pytest.mark.server
def test_a_short_soak_with_a_replica_killed_loses_nothing(topology, record_figure):
    import asyncio

    figures = asyncio.run(Soak(topology, SOAK_PEOPLE, SOAK_SECONDS, signal.SIGTERM).run())
    for line in report(figures, SOAK_PEOPLE, signal.SIGTERM):
        record_figure(line)
    assert figures["errors"] == []
    assert figures["lost"] == figures["duplicated"] == figures["wrong_outcomes"] == 0
    assert figures["screenings"] >= SOAK_PEOPLE  # every person finished at least one
    assert len(topology.live()) == 1
