"""Backups: a rehearsal of backing up and restoring on a clean directory, then reading a concern.

The rehearsal runs on SQLite and on PostgreSQL; the backup it writes is the file an operator keeps,
so it is also checked for plaintext (the marker must not be in it) and for its permissions.
"""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from testing.forms import sent_reference, submit_concern
from web.app import create_app
from web.cli import main
from web.ops.backup import BackupError, backup, checksum_file, restore
from web.sealing import load_private_key, unseal
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage import create_database_engine
from web.storage.concerns import list_concerns
from web.storage.officers import record


@pytest.fixture
def site(settings: Settings, database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(replace(settings, database_url=database_url))) as client:
        yield client


def test_a_restored_backup_on_a_clean_directory_opens_with_the_private_key(
    site: TestClient, settings: Settings, tmp_path: Path
) -> None:
    markers = [f"MARKER-{uuid.uuid4().hex}" for _ in range(3)]
    for marker in markers:
        submit_concern(site, marker)
    engine = site_of_app(site.app).engine
    record(engine, "cli", "account-added", detail="rehearsal")

    written = backup(engine, tmp_path / "backups")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600, "a backup holds password hashes: owner only"
    backup_bytes = written.read_bytes()
    assert not [marker for marker in markers if marker.encode() in backup_bytes], "plaintext in the backup"

    clean = tmp_path / "clean-machine"
    clean.mkdir()
    restored_engine = create_database_engine(f"sqlite:///{clean / 'restored.sqlite3'}")
    try:
        counts = restore(restored_engine, written)
        assert counts["concerns"] == 3 and counts["audit_log"] == 1
        private_key = load_private_key(settings.console_private_key_file)
        opened = [unseal(private_key, concern.sealed) for concern in list_concerns(restored_engine)]
    finally:
        restored_engine.dispose()
    for marker in markers:
        assert any(marker in str(answers) for answers in opened), f"{marker} not readable after restore"


def test_a_damaged_backup_is_refused(site: TestClient, tmp_path: Path) -> None:
    written = backup(site_of_app(site.app).engine, tmp_path / "backups")
    damaged = bytearray(written.read_bytes())
    damaged[-100] ^= 0xFF
    written.write_bytes(bytes(damaged))
    target = create_database_engine(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    try:
        with pytest.raises(BackupError, match="damaged"):
            restore(target, written)
    finally:
        target.dispose()


def test_a_restore_never_mixes_into_a_database_that_holds_concerns(site: TestClient, tmp_path: Path) -> None:
    submit_concern(site, "MARKER-HELD")
    engine = site_of_app(site.app).engine
    written = backup(engine, tmp_path / "backups")
    with pytest.raises(BackupError, match="already holds data"):
        restore(engine, written)
    assert len(list_concerns(engine)) == 1


def test_backup_and_restore_from_the_command_line(
    site: TestClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    submit_concern(site, "MARKER-CLI")
    monkeypatch.setenv("DATABASE_URL", str(site_of_app(site.app).engine.url.render_as_string(hide_password=False)))
    assert main(["backup", str(tmp_path / "backups")]) == 0
    written = next((tmp_path / "backups").glob("*.sqlite3"))
    assert checksum_file(written).exists()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    assert main(["restore", str(written)]) == 0
    assert "restored 0 officers, 0 officer_areas, 1 concerns" in capsys.readouterr().out
    assert main(["restore", str(written)]) == 1
    assert "already holds data" in capsys.readouterr().err


def test_the_site_goes_on_taking_concerns_after_a_restore(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    """Restored ids do not collide with new ones (PostgreSQL's sequences are moved past them)."""
    with TestClient(create_app(settings)) as old_site:  # SQLite, the default
        for number in range(3):
            submit_concern(old_site, f"MARKER-OLD-{number}")
        written = backup(site_of_app(old_site.app).engine, tmp_path / "backups")
    target = create_database_engine(database_url)
    try:
        assert restore(target, written)["concerns"] == 3
    finally:
        target.dispose()
    with TestClient(create_app(replace(settings, database_url=database_url))) as new_site:
        assert sent_reference(submit_concern(new_site, "MARKER-NEW"))
        assert len(list_concerns(site_of_app(new_site.app).engine)) == 4
