"""Slow and hostile clients: the limits uvicorn does not have.

uvicorn starts its keep-alive timeout only after it has answered a request, and reads a request body for
as long as it takes. So a connection that never sends a request, sends its headers a byte at a time
(slowloris) or trickles its body keeps its place for ever; and once `limit_concurrency` (MAX_CONNECTIONS)
is set, a few thousand of them make the server answer every reader 503 (bench/hostile_clients.py).
httptools, uvicorn's fastest parser, has no limit on the size of request headers either.

- `GuardedHttpToolsProtocol`, uvicorn's httptools protocol with, for each request, HEADER_TIMEOUT_SECONDS
  and MAX_HEADER_BYTES for its request line and headers; when MAX_CONNECTIONS is reached, the connection
  that has waited longest without a complete request is closed to make room for the new one, rather
  than refusing the new one's request; and a connection whose request body is still arriving once its
  response has gone is closed (otherwise every trickled byte would restart the keep-alive timer).
  `python -m web serve` passes it to uvicorn (`guarded_protocol`).
- `SlowBodyMiddleware`: a request body must arrive within BODY_TIMEOUT_SECONDS of the request's headers,
  or the client gets 408 and the connection is closed: in the app, so that the 408 passes the
  security-headers and access-log middleware. A client that leaves before its body is in is not
  logged as an unhandled error.

The answers the protocol writes itself, before any request reaches the app (408 for slow headers, 431 for
headers too large, 400 for a request that cannot be parsed), carry the same security headers.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import resource
import socket
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, cast

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from web.http.security_headers import security_headers

log = logging.getLogger("web.http.slow_clients")
WARN_EVERY = 60.0  # seconds: under attack, one line a minute rather than one a connection


class WaitingRoom:
    """The connections of one server that hold no request the app is working on, oldest first."""

    def __init__(self) -> None:
        self.connections: dict[GuardedHttpToolsProtocol, None] = {}
        self.closed = {"header timeout": 0, "headers too large": 0, "made room": 0}
        self.warned_at = 0.0

    def count(self, reason: str) -> None:
        self.closed[reason] += 1
        now = time.monotonic()
        if now - self.warned_at >= WARN_EVERY:
            self.warned_at = now
            log.warning("slow or idle clients closed so far: %s", self.closed)


_ROOMS: weakref.WeakKeyDictionary[ServerState, WaitingRoom] = weakref.WeakKeyDictionary()


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline and a size limit for request headers."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        header_timeout: float = 10.0,
        max_header_bytes: int = 16_384,
        https: bool = False,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout = header_timeout
        self.max_header_bytes = max_header_bytes
        self.own_headers = b"".join(name + b": " + value + b"\r\n" for name, value in security_headers(https=https))
        self.room = _ROOMS.get(server_state) or _ROOMS.setdefault(server_state, WaitingRoom())
        self.header_timer: asyncio.TimerHandle | None = None
        self.header_bytes = 0  # received since the last request's headers ended (bodies not counted)
        self.in_body = False  # between a request's headers and the end of its body

    # A connection waits (and may be closed to make room) until a request's headers are complete.

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        _send_without_delay(transport)
        super().connection_made(transport)
        self.room.connections[self] = None
        self._start_header_timer()
        self._make_room()

    def _make_room(self) -> None:
        """At the limit, close the longest-waiting connection rather than refuse a request later."""
        if self.limit_concurrency is None:
            return
        while len(self.connections) >= self.limit_concurrency:
            oldest = next(iter(self.room.connections))
            if oldest is self:
                return  # every other connection is busy: uvicorn will answer 503
            oldest._close("made room")

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self.in_body:
            # Only the head counts, and it is counted before it is parsed: a whole head that arrives in
            # one read is parsed (and its size forgotten) within super().data_received.
            end = data.find(b"\r\n\r\n")
            self.header_bytes += len(data) if end < 0 else end + 4
            if self.header_bytes > self.max_header_bytes and not self.transport.is_closing():
                self._close("headers too large", 431)
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.header_timer is None:  # the next request on a kept-alive connection
            self._start_header_timer()

    def on_headers_complete(self) -> None:
        self._stop_waiting()
        self.header_bytes = 0
        self.in_body = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.in_body = False
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if self.in_body and not self.pipeline and not self.transport.is_closing():
            self.transport.close()  # answered before its body arrived: the rest would keep it open for ever
        super().on_response_complete()
        if self.timeout_keep_alive_task is not None:  # idle until the next request
            self.room.connections[self] = None

    def _start_header_timer(self) -> None:
        self.header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        self.header_timer = None
        if not self.transport.is_closing():
            self._close("header timeout", 408 if self.header_bytes else None)

    def _stop_waiting(self) -> None:
        self.room.connections.pop(self, None)
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request it cannot parse, with the security headers."""
        self.transport.write(self._answer(400, msg))
        self.transport.close()

    def _answer(self, status: int, text: str = "") -> bytes:
        body = text.encode()
        return (
            STATUS_LINE[status]
            + self.own_headers
            + b"cache-control: no-store\r\ncontent-type: text/plain; charset=utf-8\r\n"
            + b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
            + body
        )

    def _close(self, reason: str, status: int | None = None) -> None:
        """Close the connection, first answering `status` when no response is under way on it."""
        self._stop_waiting()
        self.connections.discard(self)  # at once: connection_lost comes a loop turn later
        self._unset_keepalive_if_required()
        if self.transport.is_closing():  # already on its way out (a keep-alive timeout): nothing to count
            return
        if status is not None and (self.cycle is None or self.cycle.response_complete):
            self.transport.write(self._answer(status))
        self.transport.close()
        self.room.count(reason)


def _send_without_delay(transport: asyncio.BaseTransport) -> None:
    """TCP_NODELAY on the connection: with several workers uvicorn hands them a socket it bound itself,
    and the connections accepted from it keep Nagle's algorithm on (uvicorn issue 3149), so a response
    written in two pieces waited about 40 ms for the reader's delayed ACK (bench/app_vs_nginx.py: median
    48 ms with two workers, 3.3 ms with one). asyncio sets it on the connections of sockets it binds."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def guarded_protocol(*, header_timeout: float, max_header_bytes: int, https: bool = False) -> type[asyncio.Protocol]:
    """What `python -m web serve` passes to uvicorn as `http`: picklable, so `--workers` works too."""
    factory = functools.partial(
        GuardedHttpToolsProtocol, header_timeout=header_timeout, max_header_bytes=max_header_bytes, https=https
    )
    return cast("type[asyncio.Protocol]", factory)


def allow_open_files(wanted: int) -> int:
    """Raise this process's soft limit on open files towards `wanted` (each connection is one); return it.

    Distributions start services with a soft limit of 1024: below MAX_CONNECTIONS, accepting would fail
    with "too many open files" before the connection limit and the waiting room could act.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


ErrorPage = Callable[[Request, Exception], Awaitable[Response]]


class SlowBodyMiddleware:
    """Answer 408 (and close the connection) when a request body takes longer than `timeout` seconds.

    `error_page` makes the answer: the site's own error page (web/shell/errors.py), given by the app."""

    def __init__(self, app: ASGIApp, *, timeout: float, error_page: ErrorPage) -> None:
        self.app = app
        self.timeout = timeout
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        body_done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:  # afterwards receive() only waits for a disconnect: no deadline
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0.001))
            except TimeoutError:
                raise BodyTooSlow from None
            body_done = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except BodyTooSlow:
            if started:
                raise  # too late for a 408: uvicorn closes the connection
            await self._too_slow(scope, receive, send)
        except ClientDisconnect:
            if started:
                raise
            # The client left before its body was in: nobody to answer, and no error of ours to log
            # (each would be a traceback, and anyone can open and drop connections by the thousand).

    async def _too_slow(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = HTTPException(status_code=408, headers={"Connection": "close"})
        response = await self.error_page(Request(scope, receive), error)
        await response(scope, receive, send)


class BodyTooSlow(Exception):
    """The request body did not arrive in time."""
