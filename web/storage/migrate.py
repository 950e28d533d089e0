"""Bring the database schema up to date with Alembic (`python -m web migrate`, and `python -m web serve` before
its workers start), and check it: a server refuses to serve a schema other than the one its code expects.

Migrations hold a lock while they run, so that servers or commands started together never race to create
the same tables (PostgreSQL: an advisory lock for the transaction; SQLite: the write lock `BEGIN IMMEDIATE`
takes, web/storage/database.py): the second waits, then finds the schema up to date.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from web.storage.database import LOCK_TIMEOUT_MS

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 0x_AC7_EA21  # PostgreSQL's advisory lock key for migrations (any number this site alone uses)


class SchemaMismatch(RuntimeError):
    """The database's schema is not the one this code expects."""


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    config = _config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # waits as long as another's migration takes, up to 10 min
            connection.execute(text("SET LOCAL lock_timeout = '600s'"))
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.execute(text(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def expected_version() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def schema_version(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Raise SchemaMismatch, saying what to do, unless the database is at the version this code expects."""
    found, expected = schema_version(engine), expected_version()
    if found != expected:
        raise SchemaMismatch(
            f"the database's schema is at version {found or 'none (an empty database)'}, this code expects"
            f" {expected}: run `python -m web migrate` (with this code), then start the server again"
        )
