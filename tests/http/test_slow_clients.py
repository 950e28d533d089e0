"""Slow and hostile clients are cut off; readers are not (web/http/slow_clients.py).

The protocol tests run a real uvicorn server on a free port with short timeouts, and talk to it
over raw sockets, as slowloris and friends do.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from web.http.security_headers import HEADERS
from web.http.slow_clients import BodyTooSlow, GuardedHttpToolsProtocol, SlowBodyMiddleware, guarded_protocol
from web.shell.errors import http_error

HEADER_TIMEOUT = 0.5


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers GET at once; reads a POST body to its end, then answers with its length."""
    if scope["type"] != "http":
        return
    body = b""
    if scope["method"] == "POST" and scope["path"] != "/early":
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
    answer = str(len(body)).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(answer))]})
    await send({"type": "http.response.body", "body": answer})


@contextmanager
def guarded_server(limit: int | None = None) -> Iterator[int]:
    config = uvicorn.Config(
        echo_app,
        host="127.0.0.1",
        port=0,
        lifespan="off",
        log_level="critical",
        http=guarded_protocol(header_timeout=HEADER_TIMEOUT, max_header_bytes=2048),
        limit_concurrency=limit,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.01)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (b"" then)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def get(port: int, sock: socket.socket | None = None) -> bytes:
    own = sock is None
    sock = sock or connect(port)
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        return sock.recv(65536)
    finally:
        if own:
            sock.close()


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout() -> None:
    with guarded_server() as port, connect(port) as sock:
        started = time.monotonic()
        assert read_until_closed(sock) == b""
        assert HEADER_TIMEOUT * 0.8 <= time.monotonic() - started < HEADER_TIMEOUT + 2


def test_slowloris_headers_are_cut_off_with_408() -> None:
    with guarded_server() as port, connect(port) as sock:
        started = time.monotonic()
        sock.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n")
        for _ in range(10):  # one byte at a time, never the blank line that ends the headers
            time.sleep(HEADER_TIMEOUT / 4)
            try:
                sock.sendall(b"X")
            except OSError:
                break
        answer = read_until_closed(sock)
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert time.monotonic() - started < HEADER_TIMEOUT + 2


def test_headers_over_the_limit_get_431() -> None:
    with guarded_server() as port, connect(port) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + b"a" * 4096)
        assert read_until_closed(sock).startswith(b"HTTP/1.1 431 ")


def test_a_whole_head_over_the_limit_in_one_write_gets_431_too() -> None:
    """Found by bench/fuzz.py: a head parsed within one read used to be forgotten before it was measured."""
    with guarded_server() as port, connect(port) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + b"a" * 4096 + b"\r\n\r\n")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 431 ")


def test_readers_keep_their_connection_alive_between_requests() -> None:
    with guarded_server() as port, connect(port) as sock:
        assert get(port, sock).startswith(b"HTTP/1.1 200 ")
        time.sleep(HEADER_TIMEOUT * 1.5)  # idle: the keep-alive timeout (5 s) applies, not the header one
        assert get(port, sock).startswith(b"HTTP/1.1 200 ")


def test_a_body_sent_with_its_headers_is_not_counted_as_headers() -> None:
    body = b"a" * 60_000
    with guarded_server() as port, connect(port) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")


def test_at_the_limit_the_longest_waiting_connection_makes_room_for_a_reader() -> None:
    with guarded_server(limit=3) as port, connect(port) as oldest, connect(port) as newer:
        time.sleep(0.1)
        assert get(port).startswith(b"HTTP/1.1 200 ")  # not 503: the oldest idle connection was closed
        assert read_until_closed(oldest) == b""
        newer.settimeout(0.05)
        with pytest.raises(TimeoutError):
            newer.recv(1)  # still open


def test_a_body_still_arriving_after_its_response_does_not_keep_the_connection() -> None:
    with guarded_server() as port, connect(port) as sock:
        started = time.monotonic()
        sock.sendall(b"POST /early HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\nabc")
        assert read_until_closed(sock).startswith(b"HTTP/1.1 200 ")
        assert time.monotonic() - started < 1  # closed at once, not after the keep-alive timeout


def test_python_m_web_serve_runs_uvicorn_with_the_guards_and_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from web.cli import run_server
    from web.settings import Settings

    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: captured.update(kwargs))
    settings = replace(Settings(), max_connections=300, backlog=64, keep_alive_seconds=3, header_timeout_seconds=7)
    assert run_server("web.app:create_app", "test", "127.0.0.1", 0, settings) == 0
    assert (captured["limit_concurrency"], captured["backlog"], captured["timeout_keep_alive"]) == (300, 64, 3)
    assert captured["loop"] == "asyncio"  # fair under overload: bench/load.py
    protocol = captured["http"]
    assert protocol.func is GuardedHttpToolsProtocol and protocol.keywords["header_timeout"] == 7
    assert pickle.loads(pickle.dumps(protocol)).func is GuardedHttpToolsProtocol  # --workers sends it to each


# --- SlowBodyMiddleware ----------------------------------------------------------------------------


def run_asgi(app: SlowBodyMiddleware, chunks: list[bytes | None]) -> list[Message]:
    """Call `app` with a POST whose body arrives as `chunks`: None never comes, b"gone" is a disconnect."""
    sent: list[Message] = []
    scope: Scope = {"type": "http", "method": "POST", "path": "/en/feedback", "headers": [], "query_string": b""}

    async def receive() -> Message:
        if not chunks:
            await asyncio.Event().wait()  # waiting for a disconnect that does not come
        chunk = chunks.pop(0)
        if chunk is None:
            await asyncio.Event().wait()
        if chunk == b"gone":
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    return sent


def test_a_body_that_arrives_in_time_reaches_the_app() -> None:
    sent = run_asgi(SlowBodyMiddleware(echo_app, timeout=0.2, error_page=http_error), [b"abc", b"def"])
    assert sent[0]["status"] == 200 and sent[1]["body"] == b"6"


def test_a_body_too_slow_gets_408_and_closes_the_connection() -> None:
    started = time.monotonic()
    sent = run_asgi(SlowBodyMiddleware(echo_app, timeout=0.2, error_page=http_error), [b"abc", None])
    assert time.monotonic() - started < 2
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]


def test_once_the_body_is_in_waiting_for_a_disconnect_has_no_deadline() -> None:
    async def streams_then_listens(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # the whole (empty) body
        listening = asyncio.ensure_future(receive())  # as Starlette's StreamingResponse listens for a disconnect
        await asyncio.sleep(0.3)  # longer than the body timeout
        assert not listening.done()
        listening.cancel()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent = run_asgi(SlowBodyMiddleware(streams_then_listens, timeout=0.1, error_page=http_error), [b""])
    assert sent[0]["status"] == 200


def test_a_client_that_leaves_mid_body_is_not_an_error_to_log() -> None:
    async def reads_the_form(scope: Scope, receive: Receive, send: Send) -> None:
        await Request(scope, receive).body()  # raises ClientDisconnect, as request.form() would

    sent = run_asgi(SlowBodyMiddleware(reads_the_form, timeout=5, error_page=http_error), [b"a", b"gone"])
    assert sent == []


def test_too_late_for_a_408_once_the_response_has_started() -> None:
    async def answers_then_reads(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await receive()
        await receive()

    with pytest.raises(BodyTooSlow):
        run_asgi(SlowBodyMiddleware(answers_then_reads, timeout=0.1, error_page=http_error), [b"a", None])


@pytest.mark.parametrize(
    "sent",
    [
        b"GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + b"a" * 4096 + b"\r\n\r\n",  # 431
        b"GET / HTTP/1.1\r\nHost: test\r\nBad Header\r\n\r\n",  # 400: cannot be parsed
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40,  # 400: TLS to a plain port
    ],
    ids=["431", "400-header", "400-tls"],
)
def test_the_protocols_own_answers_carry_the_security_headers(sent: bytes) -> None:
    """Answers written before the app sees a request had none of its headers (noted by the proof suite)."""
    with guarded_server() as port, connect(port) as sock:
        sock.sendall(sent)
        head = read_until_closed(sock).split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head.startswith(("http/1.1 431 ", "http/1.1 400 ")), head
    for name, value in HEADERS.items():
        assert f"\r\n{name}: {value}\r\n".lower() in head + "\r\n", (name, head)
    assert "\r\ncache-control: no-store\r\n" in head


def test_a_slow_head_gets_408_with_the_security_headers() -> None:
    with guarded_server() as port, connect(port) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n")
        head = read_until_closed(sock).decode().lower()
    assert head.startswith("http/1.1 408 ") and "\r\ncontent-security-policy: " in head, head


class _Transport(asyncio.Transport):
    """Just enough of a transport around a real accepted TCP socket for connection_made."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"socket": self.sock, "sockname": self.sock.getsockname(), "peername": self.sock.getpeername()}.get(
            name, default
        )

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass


def test_connections_keep_no_send_delay_whoever_bound_the_socket() -> None:
    """With several workers uvicorn hands each a socket it bound itself, and the connections they accept
    kept Nagle's algorithm on (uvicorn issue 3149): a response written in two pieces waited ~40 ms for the
    reader's delayed ACK (a kept-alive GET of an advice page with WORKERS=2: median 45.3 ms, 0.51 ms with
    the protocol setting TCP_NODELAY itself)."""
    from uvicorn.server import ServerState

    listening = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listening.getsockname())
    accepted, _ = listening.accept()
    accepted.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
    loop = asyncio.new_event_loop()
    try:
        config = uvicorn.Config(echo_app, lifespan="off", log_level="critical")
        config.load()
        protocol = GuardedHttpToolsProtocol(config, ServerState(), {}, loop)
        protocol.connection_made(_Transport(accepted))
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        protocol.connection_lost(None)
    finally:
        loop.close()
        for sock in (client, accepted, listening):
            sock.close()
