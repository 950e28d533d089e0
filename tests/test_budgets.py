"""Byte budgets: each page renders in the first round trip; a whole first visit stays tiny.

The figures in a real browser are measured by bench/page_weight.py; these tests guard them.
"""

from __future__ import annotations

import brotli
import pytest
from starlette.testclient import TestClient

from testing.sitemap import paths_in_sitemap
from web.settings import Settings
from web.shell.site import site_of_app

PAGE_BUDGET = 14 * 1024  # bytes, brotli: fits the first TCP round trip (10 packets of ~1.4 KB)
FIRST_VISIT_BUDGET = 40 * 1024  # bytes, brotli: HTML, CSS, JS and icon


def _sitemap(client: TestClient) -> list[str]:
    return paths_in_sitemap(client.get("/sitemap.xml").content)


def _compressed_size(client: TestClient, path: str) -> int:
    body = client.get(path, headers={"Accept-Encoding": "identity"}).content
    return len(brotli.compress(body, quality=11))


def test_every_page_is_under_14_kb_compressed(client: TestClient) -> None:
    sizes = {path: _compressed_size(client, path) for path in _sitemap(client)}
    too_big = {path: size for path, size in sizes.items() if size > PAGE_BUDGET}
    assert not too_big, f"pages over {PAGE_BUDGET} bytes: {too_big}"


def test_a_first_visit_to_any_page_is_under_40_kb_compressed(client: TestClient, settings: Settings) -> None:
    assets = site_of_app(client.app).assets
    shared = sum(
        len((settings.static_dist_dir / (assets.manifest[name] + ".br")).read_bytes())
        for name in ("app.css", "app.js", "offline.js", "icon.svg")
    )
    largest = max(_compressed_size(client, path) for path in _sitemap(client))
    assert shared + largest <= FIRST_VISIT_BUDGET, f"assets {shared} + largest page {largest} bytes"


@pytest.mark.parametrize("name", ["app.css", "app.js"])
def test_every_asset_the_shell_loads_is_precompressed(client: TestClient, settings: Settings, name: str) -> None:
    path = site_of_app(client.app).assets.path(name)
    assert path.with_name(path.name + ".br").exists()
    assert path.with_name(path.name + ".gz").exists()
