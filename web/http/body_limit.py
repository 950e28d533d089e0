"""The first guard a request meets: a limit on its body, and a query string every page can decode."""

from __future__ import annotations

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
        refusal = self.refusal(Headers(scope=scope).get("content-length", "0"))
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if refusal is not None:
                raise refusal
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge
            return message

        await self.app(scope, limited_receive, send)

    def refusal(self, declared: str) -> HTTPException | None:
        """What reading this request's body must raise, by its Content-Length: None to read it."""
        if not (declared.isascii() and declared.isdigit()):  # not "²", which isdigit() accepts and int() refuses
            return HTTPException(status_code=400)
        return BodyTooLarge() if int(declared) > self.max_bytes else None


class BodyTooLarge(HTTPException):
    """The request body is, or grew while it was read, larger than the limit."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


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
