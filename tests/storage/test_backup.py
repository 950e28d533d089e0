"""The SQL of backups: copy_database into one SQLite file, restore_database into an empty database."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, func, select

from web.storage import create_database_engine
from web.storage import officers as store
from web.storage.backup import DatabaseNotEmpty, copy_database, restore_database
from web.storage.concerns import list_concerns, store_concern
from web.storage.figures import add_counts, counts_between, latest_comments, store_feedback
from web.storage.migrate import MIGRATIONS, migrate
from web.storage.tables import sessions

DAY = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 2, 9, 30)
EVERYTHING = (dt.date.min, dt.date.max)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'other' / 'site.sqlite3'}")
    migrate(engine)
    yield engine
    engine.dispose()


def fill(engine: Engine) -> None:
    officer_id = store.add_officer(engine, "olive", "hash", "box:secret", "officer")
    store.update_officer(engine, officer_id, locked_until=NOW, failed_sign_ins=2, active=False)
    store.set_areas(engine, officer_id, frozenset({"kent", "national"}))
    store.create_session(engine, "a" * 64, officer_id, "csrf", NOW)
    for number in range(2):
        store_concern(
            engine, idempotency_key=f"k{number}", route="form", sealed=b"\x00\xff", language="cy", heard_about=None
        )
    store.record(engine, "olive", "opened", "ABCD-EFGH", "detail", now=NOW)
    add_counts(engine, {(DAY, "view", "/en/"): 7})
    store_feedback(engine, day=DAY, language="en", page="/en/", useful=True, comment="Useful")


def snapshot(engine: Engine) -> tuple[object, ...]:
    return (
        store.all_officers(engine),
        store.all_areas(engine),
        list_concerns(engine),
        store.audit_entries(engine),
        counts_between(engine, *EVERYTHING),
        latest_comments(engine, *EVERYTHING),
    )


def session_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(sessions)).scalar_one())


def test_a_copy_restores_every_table_exactly_but_the_sessions(engine: Engine, tmp_path: Path) -> None:
    fill(engine)
    copy_database(engine, tmp_path / "backup.sqlite3")
    target = create_database_engine(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    try:
        counts = restore_database(tmp_path / "backup.sqlite3", target)
        assert counts == {
            "officers": 1,
            "officer_areas": 2,
            "concerns": 2,
            "audit_log": 1,
            "figures": 2,
            "feedback_comments": 1,
        }
        assert snapshot(target) == snapshot(engine)
        assert (session_count(engine), session_count(target)) == (1, 0), "a restore signs every officer out"
    finally:
        target.dispose()


def test_a_backup_holds_every_table_but_the_sessions_and_the_rate_limit_counts() -> None:
    from web.storage.backup import TABLES
    from web.storage.tables import metadata

    left_out = {"sessions", "limit_hits"}
    assert sorted(table.name for table in TABLES) == sorted(set(metadata.tables) - left_out)


def test_the_copy_is_one_file_without_a_write_ahead_log(engine: Engine, tmp_path: Path) -> None:
    fill(engine)
    copy_database(engine, tmp_path / "backup.sqlite3")
    assert sorted(path.name for path in tmp_path.glob("backup.sqlite3*")) == ["backup.sqlite3"]
    connection = sqlite3.connect(tmp_path / "backup.sqlite3")
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert connection.execute("SELECT count(*) FROM concerns").fetchone() == (2,)
    finally:
        connection.close()


def test_a_database_that_holds_data_is_refused_and_left_as_it_was(
    engine: Engine, sqlite_engine: Engine, tmp_path: Path
) -> None:
    fill(sqlite_engine)
    copy_database(sqlite_engine, tmp_path / "backup.sqlite3")
    store.add_officer(engine, "ada", "hash", "box:secret", "admin")
    store.record(engine, "cli", "account-added", now=NOW)
    add_counts(engine, {(DAY, "view", "/cy/"): 3})
    with pytest.raises(DatabaseNotEmpty, match=r"^1 officers, 1 audit_log$"):
        restore_database(tmp_path / "backup.sqlite3", engine)
    assert [officer.username for officer in store.all_officers(engine)] == ["ada"]
    assert [(f.key, f.count) for f in counts_between(engine, *EVERYTHING)] == [("/cy/", 3)]
    assert list_concerns(engine) == []


def test_figures_counted_since_start_up_are_replaced_by_the_backups(
    engine: Engine, sqlite_engine: Engine, tmp_path: Path
) -> None:
    fill(sqlite_engine)
    copy_database(sqlite_engine, tmp_path / "backup.sqlite3")
    add_counts(engine, {(DAY, "view", "/en/"): 100, (DAY, "view", "/cy/"): 3})
    assert restore_database(tmp_path / "backup.sqlite3", engine)["figures"] == 2
    assert [(f.metric, f.key, f.count) for f in counts_between(engine, *EVERYTHING)] == [
        ("useful-yes", "/en/", 1),
        ("view", "/en/", 7),
    ]


def test_rows_added_after_a_restore_take_ids_after_the_restored_ones(
    engine: Engine, sqlite_engine: Engine, tmp_path: Path
) -> None:
    fill(sqlite_engine)
    store.add_officer(sqlite_engine, "zara", "hash", "box:secret", "comms")
    copy_database(sqlite_engine, tmp_path / "backup.sqlite3")
    restore_database(tmp_path / "backup.sqlite3", engine)
    assert store.add_officer(engine, "ada", "hash", "box:secret", "admin") == 3
    store.record(engine, "ada", "signed-in", now=NOW)
    store_feedback(engine, day=DAY, language="en", page="/en/", useful=False, comment="Second")
    store_concern(engine, idempotency_key="new", route="callback", sealed=b"s", language="en", heard_about=None)
    assert [entry.action for entry in store.audit_entries(engine)] == ["signed-in", "opened"]
    assert [comment.comment for comment in latest_comments(engine, *EVERYTHING)] == ["Second", "Useful"]
    assert len(list_concerns(engine)) == 3


def test_a_backup_from_an_older_schema_is_brought_up_to_date_and_restored(engine: Engine, tmp_path: Path) -> None:
    old = create_database_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with old.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")  # before figures and sealed code secrets
        store.add_officer(old, "olive", "hash", "JBSWY3DPEHPK3PXP", "officer")
    finally:
        old.dispose()
    restored = restore_database(tmp_path / "old.sqlite3", engine)
    assert restored == {
        "officers": 1,
        "officer_areas": 1,
        "concerns": 0,
        "audit_log": 0,
        "figures": 0,
        "feedback_comments": 0,
    }
    officer = store.officer_by_username(engine, "olive")
    assert officer is not None and officer.totp_secret == "JBSWY3DPEHPK3PXP"
