"""Backing up the database and restoring it, on SQLite or PostgreSQL alike.

A backup is itself a SQLite database with the site's schema, written from one consistent read of the
live database, with a `.sha256` file beside it. One format for both databases means a backup of
PostgreSQL can be restored into SQLite and back, and that an old backup is brought up to date by the
same migrations as the site. Concerns stay sealed: a backup holds no more plaintext than the
database does, and nobody can read one without the officers' private key, which is never in it.

Sessions are left out on purpose: a restored database signs every officer out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, insert, select, text

from web.settings import Settings
from web.storage import create_database_engine
from web.storage.figures import feedback_comments, figures
from web.storage.migrate import migrate
from web.storage.tables import audit_log, concerns, officers

# In the order a restore inserts them. Every table of the schema except sessions (see above).
TABLES: tuple[Table, ...] = (officers, concerns, audit_log, figures, feedback_comments)
BATCH = 500


class BackupError(RuntimeError):
    """A backup could not be written or restored; the message says why and what to do."""


def backup(engine: Engine, directory: Path, now: dt.datetime | None = None) -> Path:
    """Write a consistent copy of the database into `directory`; returns the backup's path."""
    moment = now or dt.datetime.now(dt.UTC)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"act-early-{moment:%Y%m%dT%H%M%SZ}.sqlite3"
    if target.exists():
        raise BackupError(f"{target} exists already")
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    # Readable by its owner only: it holds password hashes and sealed concerns.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy = create_database_engine(f"sqlite:///{partial}")
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
    _checkpoint(partial)
    partial.replace(target)
    checksum_file(target).write_text(f"{_sha256(target)}  {target.name}\n", encoding="utf-8")
    return target


def restore(engine: Engine, backup_file: Path) -> dict[str, int]:
    """Load a backup into an empty database (after checking its checksum); rows restored per table."""
    _check_checksum(backup_file)
    # Work on a copy, so bringing an old backup's schema up to date never changes the backup itself.
    working = backup_file.with_name(backup_file.name + ".restoring")
    working.write_bytes(backup_file.read_bytes())
    source_engine = create_database_engine(f"sqlite:///{working}")
    try:
        migrate(source_engine)
        migrate(engine)
        with source_engine.connect() as source, engine.begin() as destination:
            held = {table.name: _count(destination, table) for table in TABLES if table is not figures}
            if any(held.values()):
                raise BackupError(
                    "the database already holds data "
                    f"({', '.join(f'{count} {name}' for name, count in held.items() if count)}): "
                    "restore into a new, empty database, then point DATABASE_URL at it"
                )
            destination.execute(figures.delete())  # counts made since start-up; the backup's replace them
            restored = {table.name: _copy_rows(source, destination, table) for table in TABLES}
            _advance_sequences(destination)
    finally:
        source_engine.dispose()
        for leftover in working.parent.glob(working.name + "*"):
            leftover.unlink()
    return restored


def checksum_file(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".sha256")


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_checksum(backup_file: Path) -> None:
    if not backup_file.is_file():
        raise BackupError(f"{backup_file} is not a file")
    sums = checksum_file(backup_file)
    if not sums.exists():
        raise BackupError(f"{sums.name} is missing: without it the backup cannot be checked")
    expected = sums.read_text(encoding="utf-8").split()[0]
    if expected != _sha256(backup_file):
        raise BackupError(f"{backup_file.name} does not match {sums.name}: it is damaged or was changed")


def backup_command(settings: Settings, directory: Path) -> int:
    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        migrate(engine)
        path = backup(engine, directory)
    except (BackupError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"backup: {path} ({path.stat().st_size:,} bytes)\nchecksum: {checksum_file(path)}")
    print("the concerns in it stay sealed: it is readable only with the officers' private key, kept apart")
    return 0


def restore_command(settings: Settings, backup_file: Path) -> int:
    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        restored = restore(engine, backup_file)
    except (BackupError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print("restored " + ", ".join(f"{count} {name}" for name, count in restored.items()))
    print("officers sign in again: sessions are not kept in backups")
    return 0
