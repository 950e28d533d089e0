"""Per-client limits on how often a form may be sent, shared by every worker and server, storing no address.

Who the client is comes from the connection, or, when it comes from a proxy named in FORWARDED_ALLOW_IPS,
from the X-Forwarded-For that proxy sends (uvicorn does this, started in web/cli.py). An IPv6 client is its
/64: one household or phone line gets one, and it cannot take a fresh allowance from each of its
addresses. The count lives in the database (web/storage/limits.py, ADR 14).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from web.storage.limits import take_hit

log = logging.getLogger("web.limits")


def client_of(request: Request) -> str:
    """The address a limit counts the request under."""
    return limit_address(request.client.host if request.client else "unknown")


def limit_address(host: str) -> str:
    """An IPv4 address as it is, an IPv6 address as its /64 network (IPv4-mapped ones as IPv4), else `host`."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class Hits(Protocol):
    def take(self, clients: Sequence[bytes], *, since: float, now: float, limit: int, keep: int | None) -> bool:
        """Count a send by `clients[-1]` at `now` unless `clients` have `limit` from `since` on (see take_hit)."""


class HitsInDatabase:
    """Sends counted in the database: one count for every worker and server on it."""

    def __init__(self, engine: Engine, limiter: str) -> None:
        self.engine = engine
        self.limiter = limiter

    def take(self, clients: Sequence[bytes], *, since: float, now: float, limit: int, keep: int | None) -> bool:
        return take_hit(self.engine, self.limiter, clients, since=since, now=now, limit=limit, keep=keep)


class HitsInMemory:
    """Sends counted in this process alone: for a limiter made without a database (tests, tools)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: deque[tuple[float, bytes]] = deque()  # oldest first
        self.counts: Counter[bytes] = Counter()

    def take(self, clients: Sequence[bytes], *, since: float, now: float, limit: int, keep: int | None) -> bool:
        with self.lock:
            while self.hits and (self.hits[0][0] < since or (keep is not None and len(self.hits) > keep)):
                _, old = self.hits.popleft()
                self.counts[old] -= 1
                if not self.counts[old]:
                    del self.counts[old]
            if sum(self.counts[client] for client in clients) >= limit:
                return False
            self.hits.append((now, clients[-1]))
            self.counts[clients[-1]] += 1
            return True


class SubmissionLimiter:
    """At most `limit` sends a window (an hour) from one client; refused attempts are not counted.

    With an engine, the count is in the database, shared by every worker and server (and `secret`, the same
    on all of them, is required); without one, in this process's memory. A client is an HMAC of its address
    under a key made from `secret`, the limiter's name and the window's number: the key changes every window,
    the rows go once a window old, and no address is ever stored. At `ceiling` sends in a window the oldest
    are forgotten (checked every thousandth of the ceiling), so a flood from any number of addresses cannot
    grow the table, and cannot refuse everyone else either.
    """

    def __init__(
        self,
        limit: int,
        *,
        name: str = "",
        engine: Engine | None = None,
        secret: bytes | None = None,
        window: float = 3600,
        ceiling: int = 100_000,
    ) -> None:
        if engine is not None and (not name or not secret):
            raise ValueError("a limiter shared through the database needs a name and the servers' shared secret")
        self.limit = limit
        self.name = name
        self.window = window
        self.ceiling = ceiling
        self.secret = secret or secrets.token_bytes(32)
        self.hits: Hits = HitsInDatabase(engine, name) if engine is not None else HitsInMemory()
        self.trim_every = max(1, ceiling // 1000)
        self.checks = 0

    async def check(self, request: Request) -> bool:
        """Whether the request's client may send one more now (and count it if so)."""
        return await run_in_threadpool(self.allow, client_of(request))

    def allow(self, address: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        self.checks += 1
        keep = self.ceiling - 1 if self.checks % self.trim_every == 0 else None
        clients = self.client_hashes(address, now)
        try:
            return self.hits.take(clients, since=now - self.window, now=now, limit=self.limit, keep=keep)
        except OperationalError as error:  # locked or unreachable: the send that follows meets it too
            log.warning("limit %s not checked: the database did not answer (%s)", self.name, type(error).__name__)
            return True

    def client_hashes(self, address: str, now: float) -> tuple[bytes, bytes]:
        """`address` under the last window's key and under this one's: sends within a window of `now`."""
        period = int(now // self.window)
        return self._hash(address, period - 1), self._hash(address, period)

    def _hash(self, address: str, period: int) -> bytes:
        key = hmac.new(self.secret, f"limit:{self.name}:{self.window}:{period}".encode(), hashlib.sha256).digest()
        return hmac.new(key, address.encode(), hashlib.sha256).digest()[:16]
