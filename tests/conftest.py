"""Fast, in-process tests: the app through Starlette's TestClient, no browser, no network."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpx2 import Response as TestClientResponse
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.postgres import new_database, postgres_server
from web.app import create_app
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
    keys = tmp_path / "keys"
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'test.sqlite3'}",
        public_base_url="https://actearly.test",
        concern_public_key_file=keys / "concerns.pub",
        console_private_key_file=keys / "concerns.key",
        form_secret="test-form-secret",
    )


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return create_app(settings)


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def write_page(directory: Path, lang: str, slug: str, front_matter: str, body: str = "## Heading\n\nText.\n") -> Path:
    folder = directory / lang
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    path.write_text(f"---\n{front_matter.strip()}\n---\n{body}", encoding="utf-8")
    return path


VALID_FRONT_MATTER = """
title: A page
summary: What the page is for.
lang: en
updated: 2026-11-25
sources:
  - title: ACT Early
    url: https://actearly.uk/contact
"""


TOKEN = re.compile(r'name="token" value="([^"]+)"')
PERSON = {"person_name": "Sam", "person_age": "13-17", "relationship": "parent"}
WORRY = {"since_when": "weeks"}


def form_token(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


def answers_for(marker: str, **extra: str) -> dict[str, str]:
    return {**PERSON, **WORRY, "worries": f"He shares violent videos. {marker}", "heard_about": "poster", **extra}


def submit_concern(client: TestClient, marker: str, *, lang: str = "en", **extra: str) -> TestClientResponse:
    """Walk the online form page by page, as a browser without JavaScript would, and send it."""
    token = form_token(client.get(f"/{lang}/share-a-concern/questions").text)
    answers = answers_for(marker, **extra)
    data: dict[str, str] = {"token": token}
    for step, fields in (("danger", {"danger": "no"}), ("person", PERSON), ("worry", {}), ("you", {}), ("heard", {})):
        data.update(fields)
        data.update({key: value for key, value in answers.items() if key not in data})
        response = client.post(f"/{lang}/share-a-concern", data={**data, "step": step})
        assert response.status_code == 200, (step, response.text[:500])
        data["token"] = form_token(response.text)
    return client.post(f"/{lang}/share-a-concern", data={**data, "step": "check"}, follow_redirects=False)
