"""Engines: SQLite in WAL mode with full sync (nothing acknowledged is lost), or PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)
# PostgreSQL waits as long for a lock as SQLite's busy_timeout, and a statement is stopped after 30 s, so a
# stuck query cannot hold a connection (and a reader's request) for ever. Backups, restores and the purge,
# which may take longer on a large database, pass `statement_timeout_ms=None`.
# Errors never carry the values a statement was given (search words, answers, usernames): an error's message
# reaches the error log (issue 15).
HIDE_PARAMETERS = True
LOCK_TIMEOUT_MS = 5_000
POOL_TIMEOUT_S = 5  # PostgreSQL: a caller waits for a pooled connection no longer than for a lock
READ_ONLY = "act_early_read_only"  # an execution option: this connection only reads
STATEMENT_TIMEOUT_MS = 30_000


def create_database_engine(url: str, *, statement_timeout_ms: int | None = STATEMENT_TIMEOUT_MS) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        options = f"-c lock_timeout={LOCK_TIMEOUT_MS} -c statement_timeout={statement_timeout_ms or 0}"
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_timeout=POOL_TIMEOUT_S,
            connect_args={"options": options},
            hide_parameters=HIDE_PARAMETERS,
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=HIDE_PARAMETERS)

    @event.listens_for(engine, "connect")
    def _configure(connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's `begin()` issue BEGIN IMMEDIATE itself (see the "begin" listener).
        connection.isolation_level = None
        cursor = connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        # A writer takes the write lock at once (no deadlock on upgrade); a reader (see `reading`) never does,
        # so a long write (a backup, a key rotation) holds up no reader: WAL lets reads go on.
        reads_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")

    return engine


def reading(engine: Engine) -> Connection:
    """A connection that only reads: on SQLite it does not wait for the write lock (issue 15)."""
    return engine.connect().execution_options(**{READ_ONLY: True})


Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


def disposing(engine: Engine) -> Lifespan:
    """An app's lifespan that closes `engine`'s database connections when the server stops."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        engine.dispose()

    return lifespan


def database_is_healthy(engine: Engine) -> bool:
    try:
        with reading(engine) as connection:
            return bool(connection.execute(text("SELECT 1")).scalar_one() == 1)
    except Exception:  # noqa: BLE001 - any failure means unhealthy; /healthz reports it
        return False
