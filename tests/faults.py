"""Faults to inject in tests, and a web chat client: real sockets on 127.0.0.1.

- `TcpProxy`: forwards a port to another; `cut()` closes every connection and
  stops listening (the database is unreachable), `restore()` listens again,
  `switch_to()` forwards to another server (the action server starts to hang).
- `HungServer`: accepts connections and never answers (a hung action server).
- `WebChat`: a Socket.IO client speaking to channels/webchat.py as the widget does.
"""

import asyncio
import contextlib
import socket
import threading
from typing import Any, Dict, List, Optional

import aiohttp
import socketio  # type: ignore[import-untyped]


class TcpProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: Optional[socket.socket] = None
        self._open: List[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> "TcpProxy":
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for each in (source, sink):
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def cut(self) -> None:
        """Refuse new connections and break the open ones, as a failed database host."""
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone does not,
            # and that thread would go on accepting.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for each in self._open:
                with contextlib.suppress(OSError):
                    each.shutdown(socket.SHUT_RDWR)
                each.close()
            self._open = []

    def restore(self) -> None:
        self.start()

    def switch_to(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        """Forward to another server from now on, on the same port; the open
        connections are broken (a client that pools them would notice)."""
        self.cut()
        self.target = (target_host, target_port)
        self.restore()

    def stop(self) -> None:
        self.cut()


class HungServer:
    """Accepts every connection and reads, but never answers."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.accepted = 0
        self._held: List[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(connection)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for connection in self._held:
            connection.close()


LOST: Dict[str, Any] = {"lost": "the connection"}  # queued when the socket closes


class WebChat:
    """One browser's chat: a Socket.IO connection with a session id, as the widget."""

    def __init__(self, url: str, session_id: str, client_address: Optional[str] = None) -> None:
        self.url = url
        self.session_id = session_id
        # Behind the proxy, X-Forwarded-For stands for the browser's address. It
        # goes on the session, not connect(headers=...): python-engineio sends
        # connect's headers with the handshake only, so the polls that follow came
        # from 127.0.0.1, nginx's ip_hash sent them to whichever replica that address
        # hashes to, and half the people's sockets were unknown there (400).
        self.headers = {"X-Forwarded-For": client_address} if client_address else {}
        self.sio = socketio.AsyncClient(
            reconnection=False,
            http_session=lambda: aiohttp.ClientSession(headers=self.headers),
        )
        self.replies: asyncio.Queue[Dict[str, Any]] = asyncio.Queue()
        self.confirmed = asyncio.Event()
        self._closing: Optional[asyncio.Future[None]] = None
        self.sio.on("bot_uttered", self._on_reply)
        self.sio.on("session_confirm", self._on_confirm)
        self.sio.on("disconnect", self._on_disconnect)

    async def _on_reply(self, data: Dict[str, Any]) -> None:
        await self.replies.put(data)

    async def _on_disconnect(self) -> None:
        await self.replies.put(LOST)

    async def _on_confirm(self, _: Any) -> None:
        self.confirmed.set()

    async def connect(self) -> "WebChat":
        self.confirmed.clear()
        # Long-polling only: the installed python-engineio's WebSocket client needs
        # a newer aiohttp than Rasa 3.6 pins. Polling is also the transport that
        # needs sticky sessions (every poll is a new HTTP request).
        await self.sio.connect(
            self.url,
            socketio_path="/socket.io",
            transports=["polling"],
            wait_timeout=30,
        )
        writer = self.sio.eio.write_loop_task
        if writer is not None:
            writer.add_done_callback(self._writer_ended)
        await self.sio.emit("session_request", {"session_id": self.session_id})
        await asyncio.wait_for(self.confirmed.wait(), 30)
        return self

    def _writer_ended(self, _: "asyncio.Task[None]") -> None:
        """A message could not be posted (its replica went away): drop the connection,
        as the widget's client does on a failed POST. python-engineio would wait for
        its pending poll instead, which a replica stopping gracefully holds for 15 s."""
        eio = self.sio.eio
        if eio.state == "connected" and eio.http is not None and not eio.http.closed:
            # Ends the poll: the read loop reports the disconnect (LOST is queued).
            self._closing = asyncio.ensure_future(eio.http.close())

    async def say(self, text: str, wait: float = 60.0, quiet: float = 0.6) -> List[Dict[str, Any]]:
        """Send a message; return the replies (the first within `wait` seconds,
        then all that follow until `quiet` seconds pass without one)."""
        await self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})
        replies = [await asyncio.wait_for(self.replies.get(), wait)]
        while True:
            if replies[-1] is LOST:
                raise socketio.exceptions.ConnectionError("the socket was closed")
            try:
                replies.append(await asyncio.wait_for(self.replies.get(), quiet))
            except asyncio.TimeoutError:
                return replies

    async def close(self) -> None:
        """Leave as a closed browser tab does: without waiting for the pending poll.

        python-engineio's disconnect() waits for its long-poll GET to end, and the
        server does not answer it after a close: 30 s per chat closed.
        """
        eio = self.sio.eio
        closing = asyncio.ensure_future(self.sio.disconnect())
        writer = eio.write_loop_task
        if writer is not None:
            await asyncio.wait([writer], timeout=10)  # the CLOSE packet is posted
        if eio.http is not None and not eio.http.closed:
            await eio.http.close()  # ends the pending poll: the read loop stops
        await closing
