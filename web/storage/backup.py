"""Copying every table of the database, consistently, into a backup file and back: the SQL of
`python -m web backup` and `restore` (web/ops/backup.py handles the files, checksums and commands).

A backup is a SQLite database with the site's schema; sessions are left out on purpose, so a restored
database signs every officer out.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, insert, select, text

from web.storage.database import create_database_engine
from web.storage.migrate import migrate
from web.storage.tables import audit_log, concerns, feedback_comments, figures, officer_areas, officers

# In the order a restore inserts them. Every table of the schema except sessions (see above) and
# limit_hits (rate-limit counts keyed by the hour: nothing to restore).
TABLES: tuple[Table, ...] = (officers, officer_areas, concerns, audit_log, figures, feedback_comments)
BATCH = 500


class DatabaseNotEmpty(RuntimeError):
    """A restore's target already holds data."""


def copy_database(engine: Engine, sqlite_file: Path) -> None:
    """Write every table (sessions aside) from one snapshot of `engine` into a new SQLite file, as one file."""
    copy = create_database_engine(f"sqlite:///{sqlite_file}")
    reader = _snapshot_reader(engine)
    try:
        migrate(copy)
        with reader.begin() as source, copy.begin() as destination:
            for table in TABLES:
                _copy_rows(source, destination, table)
    finally:
        copy.dispose()
        if engine.dialect.name == "sqlite":  # its own engine (PostgreSQL's shares the site's pool)
            reader.dispose()
    _checkpoint(sqlite_file)


def restore_database(sqlite_file: Path, engine: Engine) -> dict[str, int]:
    """Load a backup file (brought up to date first) into an empty database; rows restored per table."""
    source_engine = create_database_engine(f"sqlite:///{sqlite_file}")
    try:
        migrate(source_engine)
        migrate(engine)
        with source_engine.connect() as source, engine.begin() as destination:
            held = {table.name: _count(destination, table) for table in TABLES if table is not figures}
            if any(held.values()):
                raise DatabaseNotEmpty(", ".join(f"{count} {name}" for name, count in held.items() if count))
            destination.execute(figures.delete())  # counts made since start-up; the backup's replace them
            restored = {table.name: _copy_rows(source, destination, table) for table in TABLES}
            _advance_sequences(destination)
    finally:
        source_engine.dispose()
    return restored


def _snapshot_reader(engine: Engine) -> Engine:
    """Every table read from one snapshot while the site goes on writing, and never blocking it.

    The site's SQLite engine begins every transaction IMMEDIATE (it takes the write lock); a backup
    needs only a deferred read transaction, which in WAL mode sees one snapshot and blocks nobody.
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    reader = create_engine(engine.url)

    @event.listens_for(reader, "connect")
    def _no_implicit_transactions(connection: Any, _record: Any) -> None:
        connection.isolation_level = None

    @event.listens_for(reader, "begin")
    def _begin_deferred(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")

    return reader


def _copy_rows(source: Connection, destination: Connection, table: Table) -> int:
    copied = 0
    rows = source.execute(select(table).order_by(*table.primary_key.columns))
    while batch := rows.fetchmany(BATCH):
        destination.execute(insert(table), [dict(row._mapping) for row in batch])
        copied += len(batch)
    return copied


def _count(connection: Connection, table: Table) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL: the next id after the restored ones (SQLite works this out by itself)."""
    if connection.dialect.name != "postgresql":
        return
    for table in TABLES:
        if "id" in table.columns:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def _checkpoint(path: Path) -> None:
    """Fold the copy's write-ahead log into the one file, so the backup is a single file."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
