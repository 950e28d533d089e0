"""Fast, in-process tests: the app through Starlette's TestClient, no browser, no network."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyotp
import pytest
from httpx2 import Response as TestClientResponse
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.postgres import new_database, postgres_server
from web.app import create_app
from web.console.app import create_console_app
from web.console.auth import hash_password, seal_totp_secret
from web.settings import Settings
from web.storage import officers as store


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


REFERENCE = re.compile(r'<strong class="app-reference">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>')


def reference_on(html: str) -> str | None:
    """The reference number a confirmation page shows, or None when the page is not one."""
    found = REFERENCE.search(html)
    return found.group(1) if found else None


def sent_reference(response: TestClientResponse) -> str:
    """The reference number of the concern that Send stored: Send answers with the confirmation page."""
    assert response.status_code == 200, (response.status_code, response.text[:500])
    reference = reference_on(response.text)
    assert reference is not None, f"not the confirmation page: {response.text[:500]}"
    return reference


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


PASSWORD = "correct horse battery staple"


@pytest.fixture
def console(app: Starlette, settings: Settings) -> Iterator[TestClient]:
    """The console, on the same database and key pair as the public app fixture."""
    with TestClient(create_console_app(settings), base_url="https://console.test") as client:
        yield client


def add(console: TestClient, username: str, role: str) -> str:
    secret = pyotp.random_base32()
    sealed = seal_totp_secret(console.app.state.totp_key, secret)  # type: ignore[attr-defined]
    store.add_officer(console.app.state.engine, username, hash_password(PASSWORD), sealed, role)  # type: ignore[attr-defined]
    return secret


def sign_in(console: TestClient, username: str, secret: str, *, at: float | None = None) -> None:
    response = console.post("/sign-in", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.headers["location"] == "/sign-in/code", response.text[:300]
    code = pyotp.TOTP(secret).at(at or time.time())
    response = console.post("/sign-in/code", data={"code": code}, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
