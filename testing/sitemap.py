"""The public pages, as the sitemap lists them."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit
from xml.etree import ElementTree

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def paths_in_sitemap(xml: bytes) -> list[str]:
    root = ElementTree.fromstring(xml)
    return [urlsplit(loc.text or "").path for loc in root.findall("s:url/s:loc", NS)]


def fetch_sitemap_paths(base_url: str) -> list[str]:
    with urllib.request.urlopen(f"{base_url}/sitemap.xml", timeout=10) as response:
        return paths_in_sitemap(response.read())


def sitemap_paths_in_process() -> list[str]:
    """The sitemap of the app as built here (no server), to parametrize tests at collection time."""
    import tempfile

    from starlette.testclient import TestClient

    from web.app import create_app
    from web.settings import Settings

    # A file, not ":memory:": an in-memory database's connection, made on the client's thread, was closed
    # on another when collected, and SQLite printed a traceback into every run.
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(database_url=f"sqlite:///{directory}/sitemap.sqlite3")
        with TestClient(create_app(settings)) as client:
            return paths_in_sitemap(client.get("/sitemap.xml").content)
