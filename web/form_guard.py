"""Protecting the public forms without cookies: signed expiring form tokens, same-origin checks,
per-client submission limits that store no address, and a limit on request bodies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from starlette.datastructures import Headers
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
        if len(parts) != 3 or len(token) > 100 or not parts[1].isdigit():
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
    """Answer 413 to bodies over the limit, whether declared by Content-Length or streamed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except BodyTooLarge:
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.exceptions import HTTPException
        from starlette.requests import Request

        from web.errors import http_error

        response = await http_error(Request(scope, receive), HTTPException(status_code=413))
        await response(scope, receive, send)


class BodyTooLarge(Exception):
    """The request body grew past the limit while it was read."""
