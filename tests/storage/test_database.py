"""The engines' limits: how long a request waits for a lock, and how long one statement may run."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from testing.held_lock import write_lock_held
from web.storage import create_database_engine, database_is_healthy
from web.storage.database import LOCK_TIMEOUT_MS, reading
from web.storage.migrate import migrate


def test_a_lock_is_waited_for_five_seconds_and_a_statement_runs_at_most_thirty(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
                return
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "5s"
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "30s"
    finally:
        engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite has no statement to stop
def test_a_statement_past_its_limit_is_stopped_and_backups_have_none(database_url: str) -> None:
    limited = create_database_engine(database_url, statement_timeout_ms=200)
    unlimited = create_database_engine(database_url, statement_timeout_ms=None)
    try:
        with limited.connect() as connection, pytest.raises(OperationalError, match="statement timeout"):
            connection.execute(text("SELECT pg_sleep(2)"))
        with unlimited.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "0"
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "5s"
    finally:
        limited.dispose()
        unlimited.dispose()


def test_a_database_error_never_carries_the_values_it_was_given(database_url: str) -> None:
    """Issue 15 item 12: an error's message (which reaches the error log) leaves out the bound values, so
    search words, answers or a username never go to a log through it."""
    engine = create_database_engine(database_url)
    try:
        with pytest.raises(Exception) as error, engine.connect() as connection:
            connection.execute(
                text("SELECT * FROM no_such_table WHERE x = :words"), {"words": "my son and the far right"}
            )
        assert "far right" not in str(error.value)
        assert "parameters hidden" in str(error.value)
    finally:
        engine.dispose()


def test_a_reader_is_not_held_up_by_a_writer(database_url: str) -> None:
    """Issue 15 item 4: a long write (a backup, a key rotation) leaves reads, and /healthz, answering at once.
    On SQLite a plain `engine.connect()` begins with BEGIN IMMEDIATE and would wait the 5 s for the lock."""
    engine = create_database_engine(database_url)
    migrate(engine)
    try:
        with write_lock_held(database_url) as lock:
            started = time.monotonic()
            assert database_is_healthy(engine)
            with reading(engine) as connection:
                connection.execute(text("SELECT count(*) FROM concerns")).scalar_one()
            waited = time.monotonic() - started
            lock.release()
        assert waited < LOCK_TIMEOUT_MS / 1000 / 2, f"the reads waited {waited:.1f} s for the writer"
    finally:
        engine.dispose()
