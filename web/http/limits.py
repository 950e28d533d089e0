"""Per-client limits on how often a form may be sent, kept in memory, storing no address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque

from starlette.requests import Request


def client_of(request: Request) -> str:
    """The address a limit counts the request under."""
    return request.client.host if request.client else "unknown"


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

    async def check(self, request: Request) -> bool:
        """Whether the request's client may send one more now (and count it if so)."""
        return self.allow(client_of(request))

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
