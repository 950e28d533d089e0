"""The first guard a request meets: a limit on its body, and a query string every page can decode."""

from __future__ import annotations

import asyncio
from urllib.parse import quote_from_bytes

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """A 413 page for a body over the limit, whether declared by Content-Length or streamed (chunked), and
    a 400 page for a Content-Length that is not a number.

    Both are raised, as HTTPExceptions, when the handler reads the body: Starlette's exception middleware
    turns them into the site's error page inside every other middleware, so they carry the security
    headers like any other page (answered from here, they did not), and a handler that never reads the
    body answers as usual. Any other exception raised while reading would reach ErrorPageMiddleware
    first and become a 500 (a streamed body over the limit did).

    An answer that starts before the body was read to its end (a 413, or a handler that never reads it)
    first reads what is left, up to DRAIN_BYTES and DRAIN_SECONDS (`RequestBody.finish`), and says
    `Connection: close` when that was not all of it, or when the answer is 413. Answered and closed with
    the body still arriving, the client's next request on its kept-alive connection met a reset, and
    unread bytes make a close a reset that can lose the answer itself (281 of 300 posts of 64 KB to 1 MB
    on reused connections; 24 when the connection was closed without reading the rest).

    The first of the site's guards to see a request, it also makes its query string decodable
    (`decodable_query`), so that every page after it can be built.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = decodable_query(scope)
        headers = Headers(scope=scope)
        refusal = self.refusal(headers.get("content-length", "0"))
        body = RequestBody(headers, receive)

        async def limited_receive() -> Message:
            if refusal is not None:
                raise refusal
            message = await body.receive()
            if body.received > self.max_bytes:
                raise BodyTooLarge
            return message

        async def finishing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not body.complete:
                message = await body.finish(message)
            await send(message)

        await self.app(scope, limited_receive, finishing_send)

    def refusal(self, declared: str) -> HTTPException | None:
        """What reading this request's body must raise, by its Content-Length: None to read it."""
        if not (declared.isascii() and declared.isdigit()):  # not "²", which isdigit() accepts and int() refuses
            return HTTPException(status_code=400)
        return BodyTooLarge() if int(declared) > self.max_bytes else None


class BodyTooLarge(HTTPException):
    """The request body is, or grew while it was read, larger than the limit."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


DRAIN_BYTES = 1_048_576  # of a body the app did not read, what is still read (and dropped) before answering
DRAIN_SECONDS = 2.0


class RequestBody:
    """How much of a request's body has been read, and the reading of the rest before an early answer."""

    def __init__(self, headers: Headers, receive: Receive) -> None:
        self._receive = receive
        declared = headers.get("content-length", "")
        self.declared = int(declared) if declared.isascii() and declared.isdigit() else None
        self.complete = "transfer-encoding" not in headers and declared in ("", "0")  # no body to read
        self.invites_body = "100-continue" in headers.get("expect", "").lower()  # reading asks for it
        self.received = 0

    async def receive(self) -> Message:
        message = await self._receive()
        self.invites_body = False  # the server has said "100 Continue", if it was asked
        self.received += len(message.get("body", b""))
        self.complete = message["type"] != "http.request" or not message.get("more_body", False)
        return message

    async def finish(self, start: Message) -> Message:
        """`start`, an answer's first message, once what is left of the body is read (within bounds);
        with `Connection: close` when that was not all of it, or when the answer refuses the body (413)."""
        if closes(start):  # the 408 for a body too slow: nothing more is read
            return start
        left = None if self.declared is None else self.declared - self.received
        if not self.invites_body and (left is None or left <= DRAIN_BYTES):
            await self.drain()
        if self.complete and start["status"] != 413:
            return start
        return {**start, "headers": [*start.get("headers", []), (b"connection", b"close")]}

    async def drain(self) -> None:
        """Read and drop the rest of the body, up to DRAIN_BYTES more and for up to DRAIN_SECONDS."""
        up_to = self.received + DRAIN_BYTES
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                while not self.complete and self.received < up_to:
                    await self.receive()
        except TimeoutError:
            pass


def closes(start: Message) -> bool:
    """Whether an answer already says `Connection: close`."""
    return any(name.lower() == b"connection" and b"close" in value.lower() for name, value in start.get("headers", []))


ASCII = bytes(range(128))


def decodable_query(scope: Scope) -> Scope:
    """The scope, with any bytes of its query string that are not UTF-8 percent-encoded.

    An ASGI server may pass the query string on as the client sent it (uvicorn's parsers refuse bytes
    outside ASCII in the request line; other servers and test clients do not), and Starlette decodes it
    as strict UTF-8 whenever `request.url` is read: every page does (its navigation). One raw 0xFF byte
    in an address made every page fail with a bare "Internal Server Error". Percent-encoded, it reads
    as U+FFFD, as `%FF` typed into the address bar always did.
    """
    query: bytes = scope.get("query_string", b"")
    try:
        query.decode("utf-8")
    except UnicodeDecodeError:
        return {**scope, "query_string": quote_from_bytes(query, safe=ASCII).encode("ascii")}
    return scope
