"""A unique marker typed into a concern is readable only in the console's decrypted view.

The form's own pages show people their answers while they fill it in (those responses are
`no-store`); after sending, the marker is in no stored byte (the database file, its write-ahead
log, a backup), no log line and no public page. The console's view is the positive control: the
same search finds the marker there, so a miss elsewhere is a real absence.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.console import add, sign_in
from testing.forms import sent_reference, submit_concern
from testing.sitemap import paths_in_sitemap
from web.ops.backup import backup
from web.shell.site import site_of_app

PHONE = "07700 900 982"


def test_the_marker_is_nowhere_but_the_consoles_decrypted_view(
    app: Starlette,
    client: TestClient,
    console: TestClient,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    marker = f"MARKER-{uuid.uuid4().hex}"
    caplog.set_level(logging.DEBUG)
    sent = submit_concern(client, marker, your_name=marker + "-name", contact_phone=PHONE)
    reference = sent_reference(sent)
    totp_secret = add(console, "olive", "officer")  # sealed too (ASVS V2.8.2): nowhere in clear
    public = [sent.text] + [client.get(path).text for path in paths_in_sitemap(client.get("/sitemap.xml").content)]

    live_files = {path.name: path.read_bytes() for path in tmp_path.glob("test.sqlite3*")}
    assert "test.sqlite3-wal" in live_files, "the write-ahead log was not found: the test would miss it"
    backup_file = backup(site_of_app(app).engine, tmp_path / "backups")
    site_of_app(app).engine.dispose()  # folds the write-ahead log into the file: read both states
    stored = {f"live {name}": data for name, data in live_files.items()}
    stored |= {f"closed {path.name}": path.read_bytes() for path in tmp_path.glob("test.sqlite3*")}
    stored[f"backup {backup_file.name}"] = backup_file.read_bytes()
    for secret in (marker, PHONE, totp_secret):
        assert not [name for name, data in stored.items() if secret.encode() in data], f"{secret} stored"
    assert marker not in caplog.text, "the marker reached a log"
    assert not [text for text in public if marker in text], "the marker is on a public page"

    sign_in(console, "olive", totp_secret)
    assert marker in console.get(f"/concerns/{reference}").text, "the officers' view must show it"
