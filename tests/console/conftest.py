"""Fixtures for the console's tests: the console (and the public site beside it) on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from testing.settings import settings_in
from web.app import create_app
from web.console.app import create_console_app
from web.settings import Settings


@pytest.fixture
def settings_on_each_database(tmp_path: Path, database_url: str) -> Settings:
    return settings_in(tmp_path, database_url=database_url)


@pytest.fixture
def site_on_each_database(settings_on_each_database: Settings) -> Iterator[TestClient]:
    """The public site (it makes the development key pair the console reads)."""
    with TestClient(create_app(settings_on_each_database), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def console_on_each_database(
    site_on_each_database: TestClient, settings_on_each_database: Settings
) -> Iterator[TestClient]:
    """The console on SQLite and on PostgreSQL, answering a server error as a 500 page (as it is served)."""
    app = create_console_app(settings_on_each_database)
    with TestClient(app, base_url="https://console.test", raise_server_exceptions=False) as client:
        yield client
