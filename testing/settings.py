"""The tests' settings: a SQLite database and a key pair in a folder of the test's own, an https address."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from web.settings import Settings
from web.shell.site import site_of_app


def settings_in(directory: Path, **changes: Any) -> Settings:
    """The tests' settings: a SQLite database and a key pair in `directory`, an https address."""
    keys = directory / "keys"
    return replace(
        Settings(
            database_url=f"sqlite:///{directory / 'test.sqlite3'}",
            public_base_url="https://actearly.test",
            concern_public_key_file=keys / "concerns.pub",
            console_private_key_file=keys / "concerns.key",
            form_secret="test-form-secret",
        ),
        **changes,
    )


def change_site(app: Starlette, **changes: Any) -> None:
    """Replace parts of what `create_app` made (a limiter, the search index, the films), for one test."""
    app.state.site = replace(site_of_app(app), **changes)
