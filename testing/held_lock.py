"""A write lock held on the concerns by another connection, as a long backup, a key rotation of a large
database or a stuck writer holds it: for the tests and the benchmark that show what a reader and a person
pressing Send see meanwhile (issue 15, item 4).

On SQLite the lock is the whole database's write lock (BEGIN IMMEDIATE): readers go on (WAL), writers wait
for the busy timeout. On PostgreSQL it is an EXCLUSIVE lock on the concerns table: reads go on, inserts
wait for `lock_timeout`. Either way the site's wait for it is the 5 s of web/storage/database.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import text

from web.storage import create_database_engine


@dataclass
class HeldLock:
    """The lock, taken by a thread of its own; `release()` lets it go, `released` says it has gone."""

    taken: threading.Event = field(default_factory=threading.Event)
    release_now: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.release_now.set()
        self.released.wait(30)


@contextmanager
def write_lock_held(database_url: str, *, at_most: float = 60.0) -> Iterator[HeldLock]:
    """Hold the concerns' write lock from another connection until `release()`, `at_most` seconds or the
    block's end, whichever comes first."""
    lock = HeldLock()
    failed: list[BaseException] = []

    def hold() -> None:
        engine = create_database_engine(database_url, statement_timeout_ms=None)
        try:
            with engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE takes the write lock
                if connection.dialect.name == "postgresql":
                    connection.execute(text("LOCK TABLE concerns IN EXCLUSIVE MODE"))
                lock.taken.set()
                lock.release_now.wait(at_most)
        except BaseException as error:  # noqa: BLE001 - reported to the test, which fails with it
            failed.append(error)
        finally:
            engine.dispose()
            lock.released.set()
            lock.taken.set()

    thread = threading.Thread(target=hold, name="held-write-lock", daemon=True)
    thread.start()
    lock.taken.wait(30)
    if failed:
        raise RuntimeError("could not take the write lock") from failed[0]
    try:
        yield lock
    finally:
        lock.release()
        thread.join(30)
