"""`python -m web restore` writes the database file readable by its owner only, as backups are (issue 19,
item 9)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from testing.settings import settings_in
from web.cli import run
from web.storage import create_database_engine
from web.storage.migrate import migrate


def test_a_restored_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    source = settings_in(tmp_path / "source")
    engine = create_database_engine(source.database_url)
    migrate(engine)
    engine.dispose()
    assert run(source, "backup", str(tmp_path / "backups")) == 0
    backup = next((tmp_path / "backups").glob("*.sqlite3"))
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    restored = tmp_path / "restored" / "act-early.sqlite3"
    old_mask = os.umask(0o022)  # as a login shell's
    try:
        assert run(settings_in(tmp_path, database_url=f"sqlite:///{restored}"), "restore", str(backup)) == 0
    finally:
        os.umask(old_mask)
    for path in restored.parent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
