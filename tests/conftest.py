"""Fast, in-process tests: the app through Starlette's TestClient, no browser, no network. Fixtures only:
the helpers the tests and the benchmarks share are in testing/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.postgres import new_database, postgres_server
from testing.settings import settings_in
from web.app import create_app
from web.console.app import create_console_app
from web.settings import Settings


@pytest.fixture(scope="session")
def postgres() -> Iterator[str | None]:
    with postgres_server() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, postgres: str | None) -> str:
    """Each storage test runs on SQLite and on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'storage.sqlite3'}"
    if postgres is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run installs it (apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed here (apt-get install postgresql); CI runs these")
    return new_database(postgres)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_in(tmp_path)


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return create_app(settings)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def console(app: Starlette, settings: Settings) -> Iterator[TestClient]:
    """The console, on the same database and key pair as the public app fixture."""
    with TestClient(create_console_app(settings), base_url="https://console.test") as client:
        yield client
