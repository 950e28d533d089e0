"""Protecting the public forms without cookies: signed expiring form tokens, same-origin checks,
per-client submission limits that store no address, reading a form as browsers send it, and a limit on
request bodies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from urllib.parse import quote_from_bytes

from python_multipart.multipart import parse_options_header
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_LIFETIME = 4 * 60 * 60  # seconds: a worried person may take their time


@dataclass(frozen=True)
class FormToken:
    nonce: str  # also the submission's idempotency key
    issued_at: int


class FormTokens:
    """`nonce.issued_at.signature`. Re-issuing keeps the nonce, so a retry stays one submission."""

    def __init__(self, secret: bytes) -> None:
        self.key = hashlib.sha256(b"form-token:" + secret).digest()

    def _sign(self, body: str) -> str:
        digest = hmac.new(self.key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    def issue(self, nonce: str | None = None, now: float | None = None) -> str:
        body = f"{nonce or secrets.token_urlsafe(18)}.{int(now if now is not None else time.time())}"
        return f"{body}.{self._sign(body)}"

    def read(self, token: str, now: float | None = None) -> tuple[FormToken | None, bool]:
        """(token, fresh): None when forged or malformed; fresh is False once it has expired."""
        parts = token.split(".")
        # ASCII only: hmac.compare_digest raises on other text, and isdigit() is true of "²" and "٣".
        if len(parts) != 3 or len(token) > 100 or not token.isascii() or not parts[1].isdigit():
            return None, False
        body = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._sign(body), parts[2]):
            return None, False
        issued = int(parts[1])
        age = (now if now is not None else time.time()) - issued
        return FormToken(nonce=parts[0], issued_at=issued), -60 <= age <= TOKEN_LIFETIME


def is_same_origin(headers: Headers, host: str) -> bool:
    """Refuse posts that a browser says come from another site. Clients that send neither header
    (old browsers, scripts) pass here and still need a valid form token."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1] == host


UTF_8 = ("utf-8", "utf8", "us-ascii")


async def read_form(request: Request, *, max_fields: int) -> FormData:
    """The posted form as browsers send it: UTF-8, no files, at most `max_fields` fields; else a 400 page.

    Browsers write multipart/form-data in the page's encoding (UTF-8) and never name another. Starlette
    decodes each part with the character set the request names, so another one is refused: some
    (utf-7, unicode_escape) make text that no page or database can hold (lone surrogates), others
    (undefined, idna) fail inside its parser. No single field is limited below the body limit, so a long
    answer in any script (Urdu is 6 bytes a letter once percent-encoded) reaches validation and gets a
    message, with the other answers kept, rather than a 400 that loses them all.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    charset = options.get(b"charset", b"utf-8").decode("latin-1").strip().lower()
    if content_type == b"multipart/form-data" and charset not in UTF_8:
        raise HTTPException(status_code=400)
    max_bytes: int = request.app.state.settings.max_body_bytes
    return await request.form(max_files=0, max_fields=max_fields, max_part_size=max_bytes)


class SubmissionLimiter:
    """At most `limit` submissions an hour from one client, counted in memory.

    Clients are told apart by a keyed hash of their address; the key changes every day and is never
    stored, so neither the address nor its hash outlives the process or reaches the database.
    """

    def __init__(self, limit: int, window: float = 3600, max_clients: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self.key = secrets.token_bytes(32)
        self.key_day = int(time.time() // 86400)
        self.seen: OrderedDict[bytes, deque[float]] = OrderedDict()

    def _client(self, address: str) -> bytes:
        day = int(time.time() // 86400)
        if day != self.key_day:
            self.key, self.key_day = secrets.token_bytes(32), day
            self.seen.clear()
        return hmac.new(self.key, address.encode(), hashlib.sha256).digest()[:16]

    def allow(self, address: str, now: float | None = None) -> bool:
        now = now if now is not None else time.monotonic()
        client = self._client(address)
        times = self.seen.setdefault(client, deque())
        self.seen.move_to_end(client)
        while times and now - times[0] > self.window:
            times.popleft()
        if len(self.seen) > self.max_clients:
            self.seen.popitem(last=False)
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True


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
