"""The storage tests' database: migrated, on SQLite and on PostgreSQL (`database_url`, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from web.storage import create_database_engine
from web.storage.migrate import migrate


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()
