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
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from web.clock import utc_now
from web.settings import Settings
from web.storage import create_database_engine
from web.storage.backup import DatabaseNotEmpty, copy_database, restore_database
from web.storage.migrate import migrate
from web.storage.officers import record


class BackupError(RuntimeError):
    """A backup could not be written or restored; the message says why and what to do."""


def backup(engine: Engine, directory: Path, now: dt.datetime | None = None) -> Path:
    """Write a consistent copy of the database into `directory`; returns the backup's path."""
    moment = now or utc_now()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"act-early-{moment:%Y%m%dT%H%M%SZ}.sqlite3"
    if target.exists():
        raise BackupError(f"{target} exists already")
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    # Readable by its owner only: it holds password hashes and sealed concerns.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy_database(engine, partial)
    partial.replace(target)
    checksum_file(target).write_text(f"{_sha256(target)}  {target.name}\n", encoding="utf-8")
    return target


def restore(engine: Engine, backup_file: Path) -> dict[str, int]:
    """Load a backup into an empty database (after checking its checksum); rows restored per table."""
    _check_checksum(backup_file)
    # Work on a copy, so bringing an old backup's schema up to date never changes the backup itself.
    working = backup_file.with_name(backup_file.name + ".restoring")
    working.write_bytes(backup_file.read_bytes())
    try:
        return restore_database(working, engine)
    except DatabaseNotEmpty as held:
        raise BackupError(
            f"the database already holds data ({held}): "
            "restore into a new, empty database, then point DATABASE_URL at it"
        ) from None
    finally:
        for leftover in working.parent.glob(working.name + "*"):
            leftover.unlink()


def checksum_file(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".sha256")


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


def _owner_only_sqlite_file(url: str) -> None:
    """A SQLite database restored into is readable by its owner only, as backups are (SQLite gives its -wal
    and -shm files the same mode): made so before anything is written, or narrowed if it exists (empty)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)


def backup_command(settings: Settings, directory: Path) -> int:
    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        migrate(engine)
        path = backup(engine, directory)
        record(engine, "cli", "backup-written", detail=path.name)
    except (BackupError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"backup: {path} ({path.stat().st_size:,} bytes)\nchecksum: {checksum_file(path)}")
    print("the concerns in it stay sealed: it is readable only with the officers' private key, kept apart")
    return 0


def restore_command(settings: Settings, backup_file: Path) -> int:
    _owner_only_sqlite_file(settings.database_url)
    engine = create_database_engine(settings.database_url, statement_timeout_ms=None)
    try:
        restored = restore(engine, backup_file)
        record(engine, "cli", "restored", detail=f"from {backup_file.name}")
    except (BackupError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print("restored " + ", ".join(f"{count} {name}" for name, count in restored.items()))
    print("officers sign in again: sessions are not kept in backups")
    return 0
