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

1. The calls made while one message is handled share one session, so they share one
   kept-alive connection; it is closed when the message is done, so no connection
   outlives its message (nothing to close at shutdown, nothing idle for the action
   server to drop). Calls outside a message (the HTTP API's `execute` and
   `trigger_intent`, reminders) get a session of their own, as with Rasa.
   If the action server drops the connection unanswered (it restarted between two
   calls of a message), the call is sent once more on a new connection: a call
   dropped unanswered gave Rasa nothing, and the actions are pure functions of the
   tracker they are sent.
2. The request body is encoded with ujson (a Rasa dependency), which gives the same
   JSON values; anything it cannot encode goes to the standard encoder as before.
   The events and the domain of an action call come already encoded
   (components/action_bodies.py).

Rasa's own checks stay as they are: the same headers, parameters and timeout, the same
errors for an HTTP error status or a refused connection.
"""

import json
from contextlib import AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from typing import Any, AsyncIterator, Callable, Dict, Optional, Text, Tuple

import aiohttp
import ujson
from aiohttp.client_exceptions import ContentTypeError
from rasa.core.processor import MessageProcessor
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

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
        return ujson.dumps(body, ensure_ascii=True).encode()
    except (TypeError, OverflowError, ValueError):
        return json.dumps(body, default=_as_plain).encode()


def _endpoint_key(endpoint: EndpointConfig) -> Tuple[Any, ...]:
    return (
        endpoint.url,
        tuple(sorted(endpoint.headers.items())),
        tuple(sorted(endpoint.basic_auth.items())),
    )


async def _session(endpoint: EndpointConfig, exit_stack: AsyncExitStack) -> aiohttp.ClientSession:
    """The message's session for this endpoint, or one for this call alone (closed by
    `exit_stack`)."""
    sessions = _message_sessions.get()
    key = _endpoint_key(endpoint)
    if sessions is not None and key in sessions and not sessions[key].closed:
        return sessions[key]
    session = endpoint.session()  # Rasa's own: its headers, auth and timeout
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
            session = await _session(endpoint, exit_stack)
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
            except aiohttp.ServerDisconnectedError:
                if attempt == 2:
                    raise
    return None  # not reached: the second attempt returns or raises


@asynccontextmanager
async def shared_sessions() -> AsyncIterator[None]:
    """Within it, the calls to an endpoint share one session (one connection); it is
    closed on the way out."""
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
