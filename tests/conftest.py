"""Fast, in-process tests: the app through Starlette's TestClient, no browser, no network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from web.app import create_app
from web.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'test.sqlite3'}", public_base_url="https://actearly.test")


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
