"""The engines' limits: how long a request waits for a lock, and how long one statement may run."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from web.storage import create_database_engine


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
