"""Migrations (issue 19, item 7): `python -m web migrate`; servers started together never race to create the
schema (a lock while migrating); a server refuses, in one line, a schema other than its code's."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from testing.settings import settings_in
from web.app import create_app
from web.cli import run
from web.sealing import generate_key_pair
from web.storage import create_database_engine
from web.storage.migrate import SchemaMismatch, check_schema, expected_version, migrate, schema_version


def test_migrations_started_together_on_a_new_database_all_succeed(database_url: str) -> None:
    engines = [create_database_engine(database_url) for _ in range(6)]
    start, failures = threading.Barrier(len(engines)), []

    def migrate_at_once(engine: object) -> None:
        start.wait()
        try:
            migrate(engine)  # type: ignore[arg-type]
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            failures.append(repr(error))

    threads = [threading.Thread(target=migrate_at_once, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert schema_version(engines[0]) == expected_version()
    for engine in engines:
        engine.dispose()


def test_a_schema_that_does_not_match_the_code_is_refused_with_what_to_do(database_url: str) -> None:
    engine = create_database_engine(database_url)
    with pytest.raises(SchemaMismatch, match=r"none \(an empty database\).*run `python -m web migrate`"):
        check_schema(engine)
    migrate(engine)
    check_schema(engine)
    engine.dispose()


def test_a_site_that_is_not_development_checks_the_schema_and_never_migrates(tmp_path: Path) -> None:
    settings = replace(settings_in(tmp_path), environment="staging")
    generate_key_pair(settings.concern_public_key_file, settings.console_private_key_file)
    with pytest.raises(SchemaMismatch):
        create_app(settings)
    engine = create_database_engine(settings.database_url)
    assert schema_version(engine) is None
    assert run(settings, "migrate") == 0
    assert schema_version(engine) == expected_version()
    engine.dispose()
    create_app(settings)
