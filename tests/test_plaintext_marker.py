"""A unique marker typed into a concern is readable only in the console's decrypted view.

The form's own pages show people their answers while they fill it in (those responses are
`no-store`); after sending, the marker is in no stored byte, no log line and no public page.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from a11y_tests.sitemap import paths_in_sitemap
from tests.conftest import submit_concern
from web.settings import Settings


def test_the_marker_is_nowhere_but_the_sealed_box(
    app: Starlette, client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    marker = f"MARKER-{uuid.uuid4().hex}"
    caplog.set_level(logging.DEBUG)
    sent = submit_concern(client, marker, your_name=marker + "-name", contact_phone="07700 900 982")
    confirmation = client.get(sent.headers["location"])
    public = [confirmation.text] + [
        client.get(path).text for path in paths_in_sitemap(client.get("/sitemap.xml").content)
    ]
    app.state.engine.dispose()
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("test.sqlite3*"))
    assert stored, "the database files were not found"
    assert marker.encode() not in stored
    assert b"07700 900 982" not in stored
    assert marker not in caplog.text
    assert not [text for text in public if marker in text]
