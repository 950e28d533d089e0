from __future__ import annotations

import re

from starlette.testclient import TestClient

from web.shell.site import site_of_app


def test_built_assets_have_content_hashed_names(client: TestClient) -> None:
    assets = site_of_app(client.app).assets
    for name in ("app.css", "app.js", "icon.svg"):
        assert re.fullmatch(r"/assets/[a-z]+\.[0-9a-f]{10}\.[a-z]+", assets.url(name)), name


def test_assets_are_immutable_and_precompressed(client: TestClient) -> None:
    url = site_of_app(client.app).assets.url("app.css")
    response = client.get(url, headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "br"
    assert response.headers["content-type"].startswith("text/css")
    assert ".govuk-skip-link" in response.text


def test_an_asset_answers_304_to_its_etag(client: TestClient) -> None:
    url = site_of_app(client.app).assets.url("app.js")
    etag = client.get(url).headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_unknown_assets_are_404_and_paths_cannot_escape(client: TestClient) -> None:
    assert client.get("/assets/app.css").status_code == 404
    assert client.get("/assets/..%2Fmanifest.json").status_code == 404
    assert client.get("/assets/manifest.json").status_code == 404


def test_the_stylesheet_uses_no_web_font_and_no_crown(client: TestClient) -> None:
    css = client.get(site_of_app(client.app).assets.url("app.css")).text
    assert "@font-face" not in css
    assert "GDS Transport" not in css
    assert "system-ui" in css
