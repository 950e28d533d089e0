"""Slowing password and code guessing without locking officers out (issue 15, items 3 and 9; ADR 16).

An account's wrong passwords and codes are counted in the database; from the MAX_FAILURES-th on, each one
delays the account a little longer (web/console/auth.py: `delay_after`). The delay holds only the addresses
that have themselves got the account wrong lately, so the officer at her own desk signs in with the right
password and code while an attacker's addresses wait. `FailedAddresses` remembers which those are, as keyed
hashes in the console's memory (the console runs as one process) under a key that changes every day and is
never stored: no address, nor anything that outlives the day, is kept.

`Turns` lets one attempt at a time check an account, so guesses sent together are counted one by one and
the delay begins exactly at MAX_FAILURES, however many are in flight (ASVS V11.1.6).

Sign-ins refused before they are checked (the per-address limit, or an address's delay) are counted per
window by `RefusedSignIns` and go to the audit log as one row a window, with nothing the sender typed: a
flood of them cannot push what officers did off the admins' page, nor fill the log with made-up names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict

import anyio

DAY = 86_400


class FailedAddresses:
    """Which addresses got which accounts wrong within the day, as keyed hashes; at most `ceiling` of them."""

    def __init__(self, ceiling: int = 100_000) -> None:
        self.ceiling = ceiling
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(32)
        self._day = int(time.time() // DAY)
        self._failed: OrderedDict[bytes, None] = OrderedDict()

    def _pair(self, officer_id: int, address: str, now: float | None) -> bytes:
        """Under the lock: the pair's hash with today's key (a new day forgets every pair)."""
        day = int((time.time() if now is None else now) // DAY)
        if day != self._day:
            self._key, self._day = secrets.token_bytes(32), day
            self._failed.clear()
        return hmac.new(self._key, f"{officer_id} {address}".encode(), hashlib.sha256).digest()[:16]

    def add(self, officer_id: int, address: str, now: float | None = None) -> None:
        with self._lock:
            pair = self._pair(officer_id, address, now)
            self._failed[pair] = None
            self._failed.move_to_end(pair)
            while len(self._failed) > self.ceiling:
                self._failed.popitem(last=False)

    def forget(self, officer_id: int, address: str, now: float | None = None) -> None:
        """The officer signed in from here: her own mistypes no longer hold her address up."""
        with self._lock:
            self._failed.pop(self._pair(officer_id, address, now), None)

    def failed(self, officer_id: int, address: str, now: float | None = None) -> bool:
        with self._lock:
            return self._pair(officer_id, address, now) in self._failed


class Turns:
    """One sign-in attempt at a time for each account. anyio's lock, unlike asyncio's, is not tied to the
    event loop it was first waited on (the tests run the console on more than one)."""

    def __init__(self) -> None:
        self._locks: dict[int, anyio.Lock] = {}  # one an account that exists: as many as there are officers

    def of(self, officer_id: int) -> anyio.Lock:
        return self._locks.setdefault(officer_id, anyio.Lock())


class RefusedSignIns:
    """Sign-ins refused before they were checked, counted per `window` seconds (UTC-aligned) in memory."""

    def __init__(self, window: int = 600) -> None:
        self.window = window
        self._lock = threading.Lock()
        self._counts: dict[int, int] = {}  # the window's start (seconds since the epoch) -> refusals

    def _start(self, now: float | None) -> int:
        moment = time.time() if now is None else now
        return int(moment // self.window) * self.window

    def count(self, now: float | None = None) -> None:
        with self._lock:
            start = self._start(now)
            self._counts[start] = self._counts.get(start, 0) + 1

    def now_counting(self, now: float | None = None) -> tuple[dt.datetime, int]:
        """The window still open (its start, naive UTC) and its refusals so far."""
        start = self._start(now)
        with self._lock:
            return _utc(start), self._counts.get(start, 0)

    def take_closed(self, now: float | None = None, *, everything: bool = False) -> list[tuple[dt.datetime, int]]:
        """The windows that are over (all of them with `everything`, as the console stops), oldest first, as
        (the window's end, refusals); they are forgotten here, to be written to the audit log."""
        moment = int(time.time() if now is None else now)
        open_start = self._start(moment)
        with self._lock:
            closed = sorted(start for start in self._counts if everything or start < open_start)
            return [(_utc(min(start + self.window, moment)), self._counts.pop(start)) for start in closed]


def _utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None)
