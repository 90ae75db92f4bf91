"""Cheaper calls to the action server, with the same requests and the same replies.

Every custom action (and the form's validation) is an HTTP call to the action server:
two or three per message here, since `action_extract_findings` reads every message.
Rasa 3.6's `EndpointConfig.request` opens a new aiohttp session for each call, so each
call also opens (and closes) a TCP connection, and the tracker it sends (every event of
the session, 20-70 KB of JSON) is encoded by the standard library's encoder. A profile
of the bench's conversations put 10-14% of Rasa's CPU per message in these calls
(docs/performance.md).

For every endpoint Rasa sends requests to with `EndpointConfig.request` (the action
server; an NLG server if one is configured), except one with its own certificate file
(`cafile`), which keeps Rasa's own method:

1. The calls go on kept-alive connections, shared by all messages of the process (one
   pool per event loop), rather than a new TCP connection for each message (a small
   gain: 0.15 ms per call replayed on a kept connection; within the noise of whole
   messages, docs/performance.md). A connection left idle for IDLE_CLOSE_S is closed
   by Rasa's side (within twice that), before the action server's own limit (Sanic's
   keep-alive timeout, 5 s), so a call never goes out on a connection the server is
   closing; idle connections still open at exit are let go quietly. The calls
   made while one message is handled share one session (Rasa's headers, auth and
   timeout); calls outside a message (the HTTP API's `execute` and `trigger_intent`,
   reminders) get a session of their own, as with Rasa.
   If a connection is dropped or reset with the call unanswered (the action server
   restarted), the call is sent once more on a new connection: a call dropped
   unanswered gave Rasa nothing, and the actions are pure functions of the tracker
   they are sent.
2. The request body is encoded with ujson (a Rasa dependency), which gives the same
   JSON values; anything it cannot encode goes to the standard encoder as before.
   The events and the domain of an action call come already encoded
   (components/action_bodies.py).

Rasa's own checks stay as they are: the same headers, parameters and timeout, the same
errors for an HTTP error status or a refused connection.
"""

import asyncio
import atexit
import json
from contextlib import AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from typing import Any, AsyncIterator, Callable, Dict, Optional, Text, Tuple

import aiohttp
import ujson
from aiohttp.client_exceptions import ContentTypeError
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.processor import MessageProcessor
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

from persistence.stored_events import encode

# Seconds a kept-alive connection may stay idle before Rasa's side closes it: under
# the action server's keep-alive timeout (Sanic's default, 5 s).
IDLE_CLOSE_S = 2.0

# The sessions of the message being handled, by endpoint (None outside a message).
SessionsByEndpoint = Dict[Tuple[Any, ...], aiohttp.ClientSession]
_message_sessions: ContextVar[Optional[SessionsByEndpoint]] = ContextVar(
    "message_sessions", default=None
)


def _as_plain(value: Any) -> Any:
    """The standard encoder's `default`: the plain value of an already encoded part of
    the body (components/action_bodies.py); anything else is refused as before."""
    as_plain = getattr(value, "as_plain", None)
    if as_plain is None:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return as_plain()


def encode_json(body: Any) -> bytes:
    """The JSON of `body`: ujson's, or the standard encoder's for what ujson refuses."""
    try:
        return encode(body).encode()
    except (TypeError, OverflowError, ValueError):
        return json.dumps(body, default=_as_plain).encode()


# The pool of kept-alive connections of each event loop (by id; the loop is checked).
_connectors: Dict[int, aiohttp.TCPConnector] = {}


def shared_connector() -> aiohttp.TCPConnector:
    """The running loop's pool of kept-alive connections."""
    loop = asyncio.get_running_loop()
    connector = _connectors.get(id(loop))
    if connector is None or connector.closed or connector._loop is not loop:
        for key, old in list(_connectors.items()):  # pools of loops that are gone
            if old.closed or old._loop.is_closed():
                _let_go(_connectors.pop(key))
        connector = aiohttp.TCPConnector(keepalive_timeout=IDLE_CLOSE_S)
        _connectors[id(loop)] = connector
    return connector


def _let_go(connector: aiohttp.TCPConnector) -> None:
    """Forget a pool's idle connections, once its loop is closed (they cannot be closed
    on it any more; their sockets are closed when they are collected, or with the
    process), so that aiohttp does not report the pool as unclosed."""
    connector._conns.clear()


@atexit.register
def _drop_idle_connections() -> None:
    """At exit the loops are closed: every pool's idle connections are let go."""
    for connector in _connectors.values():
        _let_go(connector)


def new_session(
    endpoint: EndpointConfig, connector: Optional[aiohttp.BaseConnector] = None
) -> aiohttp.ClientSession:
    """Rasa's `EndpointConfig.session()` (its headers, auth and timeout), on the loop's
    shared pool, or on `connector` (which the session then closes)."""
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=connector or shared_connector(),
        connector_owner=connector is not None,
    )


def _endpoint_key(endpoint: EndpointConfig) -> Tuple[Any, ...]:
    return (
        endpoint.url,
        tuple(sorted(endpoint.headers.items())),
        tuple(sorted(endpoint.basic_auth.items())),
    )


async def _session(
    endpoint: EndpointConfig, exit_stack: AsyncExitStack, new_connection: bool
) -> aiohttp.ClientSession:
    """The message's session for this endpoint, or one for this call alone (closed by
    `exit_stack`); with `new_connection`, one for this call on a connection of its own."""
    if new_connection:
        session = new_session(endpoint, aiohttp.TCPConnector(force_close=True))
        await exit_stack.enter_async_context(session)
        return session
    sessions = _message_sessions.get()
    key = _endpoint_key(endpoint)
    if sessions is not None and key in sessions and not sessions[key].closed:
        return sessions[key]
    session = new_session(endpoint)
    if sessions is None:
        await exit_stack.enter_async_context(session)
    else:
        sessions[key] = session
    return session


_rasa_request = EndpointConfig.request


async def request_kept_alive(
    endpoint: EndpointConfig,
    method: Text = "post",
    subpath: Optional[Text] = None,
    content_type: Optional[Text] = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Optional[Any]:
    """EndpointConfig.request on the message's session (Rasa's own code, otherwise)."""
    if endpoint.cafile:  # Rasa's own, with its own error for a missing certificate file
        return await _rasa_request(endpoint, method, subpath, content_type, compress, **kwargs)
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs.pop("headers"))
    if endpoint.headers:
        headers.update(endpoint.headers)
    if "json" in kwargs:
        kwargs["data"] = encode_json(kwargs.pop("json"))
        headers.setdefault("Content-Type", "application/json")
    url = concat_url(endpoint.url, subpath)
    params = endpoint.combine_parameters(kwargs)
    for attempt in (1, 2):
        async with AsyncExitStack() as exit_stack:
            session = await _session(endpoint, exit_stack, new_connection=attempt == 2)
            try:
                async with session.request(
                    method, url, headers=headers, params=params, compress=compress, **kwargs
                ) as response:
                    if response.status >= 400:
                        raise ClientResponseError(
                            response.status, response.reason, await response.content.read()
                        )
                    try:
                        return await response.json(loads=ujson.loads)
                    except ContentTypeError:
                        return None
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as error:
                # Refused (ClientConnectorError): nothing answers, as Rasa says.
                if attempt == 2 or isinstance(error, aiohttp.ClientConnectorError):
                    raise
    return None  # not reached: the second attempt returns or raises


@asynccontextmanager
async def shared_sessions() -> AsyncIterator[None]:
    """Within it, the calls to an endpoint share one session; it is closed on the way
    out (its connections stay in the loop's pool)."""
    sessions: SessionsByEndpoint = {}
    token = _message_sessions.set(sessions)
    try:
        yield
    finally:
        _message_sessions.reset(token)
        for session in sessions.values():
            await session.close()


# What MessageProcessor.handle_message was when the shared sessions were put around it.
_inner: Callable = MessageProcessor.handle_message


async def handle_message_with_shared_sessions(self: MessageProcessor, message: Any) -> Any:
    async with shared_sessions():
        return await _inner(self, message)


def apply() -> None:
    global _inner
    EndpointConfig.request = request_kept_alive
    if MessageProcessor.handle_message is not handle_message_with_shared_sessions:
        _inner = MessageProcessor.handle_message
        MessageProcessor.handle_message = handle_message_with_shared_sessions
