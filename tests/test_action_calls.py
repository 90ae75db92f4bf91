"""components/action_calls.py: calls to the action server on a kept-alive connection
give what Rasa's own calls give, and fail the way Rasa's fail.

The HTTP behaviour is checked against a small aiohttp server on loopback (it can
count connections and drop one on purpose); the replies against the real action server.
"""

import asyncio
import gc
import json
import math
from typing import Any, Callable, Dict, List, Set

import aiohttp
import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import components  # noqa: F401  (applies the fixes, as loading the model does)
from components import action_calls, message_gate
from scripts.processes import ROOT


def test_the_kept_alive_request_is_in_place_once_the_components_are_imported():
    assert EndpointConfig.request is action_calls.request_kept_alive
    # (inside the arrival-order gate of components/message_gate.py)
    assert message_gate._inner is action_calls.handle_message_with_shared_sessions


def _tracker() -> DialogueStateTracker:
    parse = {
        "intent": {"name": "inform", "confidence": 0.8765432109876543},
        "entities": [{"entity": "sign", "value": "hair", "start": 0, "end": 4}],
        "intent_ranking": [{"name": "inform", "confidence": 1 / 3}],
        "text": 'Hair — a tuft 🙂 <b>&amp;</b> \u2028 "quoted" \\ back/slash',
    }
    return DialogueStateTracker.from_events(
        "sender-ü",
        [
            ActionExecuted("action_listen"),
            UserUttered(parse["text"], parse["intent"], parse["entities"], parse),
            SlotSet("age_months", 2.5),
            SlotSet("sign", None),
            BotUttered("Thanks — noted.", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        ],
    )


ENCODED: List[Any] = [
    {},
    [],
    "",
    "é\u2028\u0000\U0001f600</script>",
    {"big": 2**63 - 1, "small": -(2**63), "float": 1e-300, "third": 1 / 3, "e": 1.5e300},
    {"nested": [[[{"a": [None, True, False]}]]]},
]


@pytest.mark.parametrize("body", [*ENCODED, _tracker().current_state(EventVerbosity.ALL)])
def test_the_body_is_the_same_json_as_the_standard_encoders(body):
    assert json.loads(action_calls.encode_json(body)) == json.loads(json.dumps(body))


def test_what_ujson_refuses_goes_to_the_standard_encoder():
    huge = {"n": 2**70}  # ujson: OverflowError
    assert json.loads(action_calls.encode_json(huge)) == huge
    nan = json.loads(action_calls.encode_json({"x": float("nan")}))["x"]
    assert math.isnan(nan)
    with pytest.raises(TypeError):  # as json.dumps raises it inside aiohttp
        action_calls.encode_json({"x": object()})


# --------------------------------------------------------------- HTTP, on loopback


class StandIn:
    """An HTTP server on loopback that records each request's connection (the client's
    port) and body, and answers as its `reply` says."""

    def __init__(self, reply: Callable[[web.Request, int], Any]):
        self.reply = reply
        self.peers: List[int] = []
        self.bodies: List[Any] = []
        self.queries: List[Dict[str, str]] = []
        self.runner: Any = None
        self.url = ""

    async def handle(self, request: web.Request) -> Any:
        assert request.transport is not None
        self.peers.append(request.transport.get_extra_info("peername")[1])
        self.bodies.append(await request.json())
        self.queries.append(dict(request.query))
        return await self.reply(request, len(self.peers))

    async def __aenter__(self) -> "StandIn":
        app = web.Application()
        app.router.add_post("/webhook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/webhook"
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.runner.cleanup()


async def _echo(request: web.Request, count: int) -> Any:
    return web.json_response({"count": count, "body": await request.json()})


def test_the_calls_of_every_message_share_kept_alive_connections_and_bring_back_the_reply():
    async def scenario() -> None:
        async with StandIn(_echo) as server:
            endpoint = EndpointConfig(server.url, token="secret-token")
            replies = []
            for _message in range(2):
                async with action_calls.shared_sessions():  # as while a message is handled
                    replies += [
                        await endpoint.request(json={"n": n, "text": "é"}) for n in range(2)
                    ]
            alone = [await endpoint.request(json={"n": n}) for n in range(2)]
        assert [reply["body"] for reply in replies] == [{"n": n, "text": "é"} for n in (0, 1, 0, 1)]
        assert server.bodies[:4] == [{"n": n, "text": "é"} for n in (0, 1, 0, 1)]
        assert all(query.get("token") == "secret-token" for query in server.queries)
        # outside a message (the HTTP API's execute, reminders) as well
        assert [reply["body"] for reply in alone] == [{"n": 0}, {"n": 1}]
        assert len(set(server.peers)) == 1, server.peers  # one connection for all six

    asyncio.run(scenario())


def test_an_idle_connection_is_closed_before_the_action_server_would_close_it(monkeypatch):
    from sanic.config import DEFAULT_CONFIG

    # aiohttp closes an idle connection within two of its keep-alive periods.
    server_keeps_idle_s = float(DEFAULT_CONFIG["KEEP_ALIVE_TIMEOUT"])  # type: ignore[arg-type]
    assert server_keeps_idle_s > 2 * action_calls.IDLE_CLOSE_S
    monkeypatch.setattr(action_calls, "IDLE_CLOSE_S", 0.2)

    async def scenario() -> None:
        async with StandIn(_echo) as server:
            endpoint = EndpointConfig(server.url)
            await endpoint.request(json={})
            await endpoint.request(json={})
            await asyncio.sleep(0.5)
            assert not action_calls.shared_connector()._conns  # nothing left open
            await endpoint.request(json={})
        assert len(set(server.peers[:2])) == 1 and server.peers[2] != server.peers[0]

    asyncio.run(scenario())


def test_a_session_has_rasas_headers_auth_and_timeout():
    endpoint = EndpointConfig(
        "http://127.0.0.1:1/webhook",
        headers={"X-Test": "1"},
        basic_auth={"username": "u", "password": "p"},
    )

    async def scenario() -> None:
        ours, rasas = action_calls.new_session(endpoint), endpoint.session()
        try:
            for attribute in ("_default_headers", "_default_auth", "_timeout"):
                assert getattr(ours, attribute) == getattr(rasas, attribute), attribute
        finally:
            await ours.close()
            await rasas.close()

    asyncio.run(scenario())


def test_a_connection_the_server_drops_unanswered_is_tried_once_more():
    async def drop_the_first(request: web.Request, count: int) -> Any:
        if count == 1:
            assert request.transport is not None
            request.transport.close()  # as a restarting server drops a kept-alive connection
            return web.Response()
        return web.json_response({"answered": count})

    async def scenario() -> None:
        async with StandIn(drop_the_first) as server, action_calls.shared_sessions():
            reply = await EndpointConfig(server.url).request(json={"a": 1})
        assert reply == {"answered": 2}
        assert server.bodies == [{"a": 1}, {"a": 1}]
        assert len(set(server.peers)) == 2  # tried again on a new connection

    asyncio.run(scenario())


def test_a_server_that_keeps_dropping_the_call_fails_it_as_before():
    async def drop(request: web.Request, count: int) -> Any:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    async def scenario() -> None:
        async with StandIn(drop) as server:
            with pytest.raises(aiohttp.ServerDisconnectedError):
                await EndpointConfig(server.url).request(json={"a": 1})
        assert len(server.bodies) == 2  # not retried forever

    asyncio.run(scenario())


def test_an_error_status_and_a_refused_connection_fail_as_rasas_own_call_does():
    async def reject(request: web.Request, count: int) -> Any:
        body = {"action_name": "action_x", "error": "no such thing"}
        return web.json_response(body, status=400 if count == 1 else 500)

    async def scenario() -> None:
        async with StandIn(reject) as server:
            endpoint = EndpointConfig(server.url)
            with pytest.raises(ClientResponseError) as rejected:
                await endpoint.request(json={})
            assert rejected.value.status == 400
            assert json.loads(rejected.value.text)["error"] == "no such thing"
            with pytest.raises(ClientResponseError) as failed:
                await endpoint.request(json={})
            assert failed.value.status == 500
        with pytest.raises(aiohttp.ClientConnectionError):
            await EndpointConfig(server.url).request(json={})  # the server is gone

    asyncio.run(scenario())


def test_a_reply_that_is_not_json_gives_none_as_before():
    async def text(request: web.Request, count: int) -> Any:
        return web.Response(text="ok")

    async def scenario() -> None:
        async with StandIn(text) as server:
            assert await EndpointConfig(server.url).request(json={}) is None

    asyncio.run(scenario())


# ------------------------------------------------------ the real action server


def test_the_action_servers_replies_are_those_of_rasas_own_call(action_server):
    """The same calls through Rasa's request and through the kept-alive one (with the
    domain sent or not, as endpoints.yml's selective domain decides) give the same
    events and messages."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events(
        "replies",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                "my newborn has a dimple with a tuft of hair, no fever",
                {"name": "inform", "confidence": 0.9},
            ),
        ],
        domain.slots,
    )

    async def run(request: Callable, name: str) -> List[Dict[str, Any]]:
        endpoint = EndpointConfig.from_dict({"url": action_server, "enable_selective_domain": True})
        EndpointConfig.request = request
        try:
            async with action_calls.shared_sessions():
                events = await RemoteAction(name, endpoint).run(
                    CollectingOutputChannel(),
                    TemplatedNaturalLanguageGenerator(domain.responses),
                    tracker,
                    domain,
                )
        finally:
            EndpointConfig.request = action_calls.request_kept_alive
        return [event.as_dict() | {"timestamp": None} for event in events]

    async def scenario() -> None:
        for name in ("action_extract_findings", "action_ask_signs_urgent"):
            ours = await run(action_calls.request_kept_alive, name)
            rasas = await run(action_calls._rasa_request, name)
            assert ours == rasas, name
            assert ours, name  # the action did something: a slot or a message

    asyncio.run(scenario())


# ------------------------------------------------ which actions get the domain


def _action_name(cls: Any) -> Any:
    """The string an action class's name() returns, if it returns a literal."""
    import ast

    for method in cls.body:
        if isinstance(method, ast.FunctionDef) and method.name == "name":
            for node in ast.walk(method):
                if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant):
                    return node.value.value
    return None


def _reads_the_domain(cls: Any) -> bool:
    """Whether a class's methods use their `domain` argument, other than by handing it
    on to a base class's run()."""
    import ast

    handed_on: Set[int] = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "run":
            handed_on.update(id(arg) for arg in node.args)
    return any(
        isinstance(node, ast.Name) and node.id == "domain" and id(node) not in handed_on
        for node in ast.walk(cls)
    )


def _actions_reading_the_domain() -> Dict[str, str]:
    """Action name -> module file, for the action classes in actions/ that read the domain."""
    import ast

    found: Dict[str, str] = {}
    for path in sorted((ROOT / "actions").glob("*.py")):
        for cls in ast.parse(path.read_text()).body:
            if isinstance(cls, ast.ClassDef) and _action_name(cls) and _reads_the_domain(cls):
                found[_action_name(cls)] = path.name
    return found


def test_every_action_that_reads_the_domain_is_sent_it():
    """With the selective domain, an action not named validate_* and not marked
    `send_domain: true` gets an empty domain: it must not read it."""
    import yaml

    settings = yaml.safe_load((ROOT / "endpoints.yml").read_text())["action_endpoint"]
    assert settings.get("enable_selective_domain") is True
    domain = Domain.load(str(ROOT / "domain.yml"))
    readers = _actions_reading_the_domain()
    assert "validate_screening_form" in readers  # the check sees a reader
    for name, module in readers.items():
        assert name.startswith("validate_") or domain.does_custom_action_explicitly_need_domain(
            name
        ), f"{name} ({module}) reads the domain: list it with send_domain: true in domain.yml"


def test_idle_connections_left_at_exit_are_not_reported_as_unclosed(caplog):
    """What the interpreter's exit does after the loop is closed, in its order: the exit
    functions, then the pool goes (aiohttp reports one that still holds connections)."""
    pool: Dict[str, Any] = {}

    async def scenario() -> None:
        async with StandIn(_echo) as server:
            await EndpointConfig(server.url).request(json={})
            pool["key"] = id(asyncio.get_running_loop())
            pool["connector"] = action_calls.shared_connector()
            assert pool["connector"]._conns  # one idle connection, kept

    asyncio.run(scenario())
    action_calls._drop_idle_connections()  # registered with atexit
    del action_calls._connectors[pool.pop("key")]
    pool.clear()
    gc.collect()
    assert "Unclosed" not in caplog.text
