"""Every operator command that changes or copies the database leaves an entry in the audit log (issue 19,
item 8): migrate, key rotation and resealing, purge, backup and restore, as adding an officer already did."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from testing.settings import settings_in
from web.cli import run
from web.settings import Settings
from web.storage import create_database_engine
from web.storage.tables import audit_log


def entries(settings: Settings) -> list[tuple[str, str, str]]:
    engine = create_database_engine(settings.database_url)
    with engine.connect() as connection:
        rows = connection.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.detail)).all()
    engine.dispose()
    return [(row.actor, row.action, row.detail or "") for row in rows if row.actor == "cli"]


def test_each_operator_command_is_in_the_audit_log(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_in(tmp_path, database_url=database_url)
    assert run(settings, "keys", "generate") == 0
    assert run(settings, "migrate") == 0
    assert run(settings, "migrate") == 0  # nothing to do: nothing recorded
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long and memorable passphrase\n"))
    assert run(settings, "officers", "add", "alice", "--role", "admin", "--password-stdin") == 0
    assert run(settings, "keys", "rotate") == 0
    assert run(settings, "keys", "reseal") == 0
    assert run(settings, "purge") == 0
    assert run(settings, "backup", str(tmp_path / "backups")) == 0
    actions = [action for _, action, _ in entries(settings)]
    assert actions == [
        "migrated",
        "account-added",
        "keys-rotated",
        "keys-resealed",
        "purge-run",
        "backup-written",
    ]
    rotated = dict((action, detail) for _, action, detail in entries(settings))["keys-rotated"]
    assert "1 code secrets; retired key concerns.key.retired-" in rotated

    backup = next((tmp_path / "backups").glob("*.sqlite3"))
    restored = settings_in(tmp_path / "restored")
    assert run(restored, "restore", str(backup)) == 0
    assert [action for _, action, _ in entries(restored)][-2:] == ["purge-run", "restored"]
    assert entries(restored)[-1][2] == f"from {backup.name}"
