"""Offline and low bandwidth: the worker, its version and precache list, the offline pages, the manifest."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from typing import Any

import brotli
import pytest
from markupsafe import escape
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from testing.sitemap import paths_in_sitemap
from web.content import ContentLibrary
from web.offline import worker
from web.settings import Settings
from web.shell.critical import STYLES_HEADER
from web.shell.pages import save_data
from web.shell.site import site_of_app


def worker_config(client: TestClient) -> dict[str, Any]:
    source = client.get("/sw.js").text
    found = re.search(r"^const CONFIG = (\{.*\})$", source, re.MULTILINE)
    assert found, "the worker has no CONFIG line"
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def test_the_worker_is_served_from_the_root_and_always_revalidated(client: TestClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert "service-worker-allowed" not in response.headers  # served at the root: scope / needs nothing
    assert "addEventListener('fetch'" in response.text


def test_the_worker_answers_304_to_its_etag_and_is_compressed(client: TestClient) -> None:
    first = client.get("/sw.js", headers={"Accept-Encoding": "br"})
    assert first.headers["content-encoding"] == "br"
    assert client.get("/sw.js", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_the_precache_list_is_the_page_shell_as_built(client: TestClient, app: Starlette) -> None:
    precache = worker_config(client)["precache"]
    assets = site_of_app(app).assets
    for name in ("app.css", "app.js", "offline.js", "icon.svg"):
        assert assets.url(name) in precache, name
    for name in ("forms.js", "htmx.js"):  # only the form and search pages load these
        assert assets.url(name) not in precache, name
    assert {f"/{lang}/offline" for lang in site_of_app(app).library.languages} <= set(precache)


def test_the_worker_never_stores_form_pages(client: TestClient) -> None:
    config = worker_config(client)
    assert config["formPaths"] == ["/share-a-concern", "/search", "/toolkit"]
    assert "/exit" in config["bypass"]
    stored = [*config["precache"], *config["shellPages"]]
    assert not [path for path in stored if any(form in path for form in worker.FORM_PATHS)]


def test_the_worker_version_changes_with_the_assets_and_with_any_page(app: Starlette) -> None:
    library: ContentLibrary = site_of_app(app).library
    manifest = dict(site_of_app(app).assets.manifest)
    version = worker.content_version(library, manifest)
    assert re.fullmatch(r"[0-9a-f]{16}", version)
    assert worker.content_version(library, manifest) == version
    assert worker.content_version(library, {**manifest, "app.css": "app.0000000000.css"}) != version
    page = library.get("cy", "get-help")
    assert page is not None
    edited = ContentLibrary(
        {**library.pages, ("cy", "get-help"): dataclasses.replace(page, revision="x")}, library.languages, library.facts
    )
    assert worker.content_version(edited, manifest) != version


def test_the_worker_cache_names_come_from_the_version(client: TestClient) -> None:
    config = worker_config(client)
    assert client.get("/en/offline/pages.json").json()["version"] == config["version"]
    assert "const SHELL = `${PREFIX}shell-${CONFIG.version}`" in client.get("/sw.js").text


def test_pages_json_lists_every_page_of_the_language_with_its_brotli_size(client: TestClient, app: Starlette) -> None:
    listed = client.get("/cy/offline/pages.json").json()
    assert listed["lang"] == "cy"
    welsh = site_of_app(app).library.in_language("cy")
    assert len(listed["pages"]) == len(welsh)
    assert listed["total"] == sum(page["size"] for page in listed["pages"])
    # As the worker saves it: linking the stylesheet it keeps, not with the CSS inline (ADR 22).
    worker = {"Accept-Encoding": "identity", STYLES_HEADER: site_of_app(app).assets.manifest["app.css"]}
    for entry in listed["pages"]:
        body = client.get(entry["url"], headers=worker).content
        assert entry["size"] == len(brotli.compress(body, quality=11)), entry["url"]
        assert str(escape(entry["title"])) in body.decode()


def test_pages_json_is_compressed_and_revalidated(client: TestClient) -> None:
    first = client.get("/en/offline/pages.json", headers={"Accept-Encoding": "br"})
    assert first.headers["content-encoding"] == "br"
    assert first.headers["cache-control"] == "no-cache"
    again = client.get("/en/offline/pages.json", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
def test_the_offline_page_exists_in_every_language_and_is_not_indexed(client: TestClient, lang: str) -> None:
    response = client.get(f"/{lang}/offline")
    assert response.status_code == 200
    assert f'<html lang="{lang}"' in response.text
    assert '<meta name="robots" content="noindex">' in response.text
    assert "data-offline-saved hidden" in response.text
    assert "999" in response.text  # the phone numbers still work when the internet does not


def test_the_saved_pages_page_offers_printing_without_javascript(client: TestClient) -> None:
    html = client.get("/en/offline/saved").text
    assert "needs JavaScript" in html
    assert "print the page" in html
    needs_js = html.index("data-offline-needs-js")
    assert "hidden" not in html[needs_js : html.index(">", needs_js)]
    assert "data-offline-saved hidden" in html
    assert re.search(r"<section[^>]*data-offline-save [^>]*hidden", html)


def test_offline_pages_of_unknown_languages_are_not_found(client: TestClient) -> None:
    for path in ("/xx/offline", "/xx/offline/saved", "/xx/offline/pages.json"):
        assert client.get(path).status_code == 404, path


def test_no_content_page_takes_the_offline_address(app: Starlette) -> None:
    assert all(page.slug != "offline" for page in site_of_app(app).library)


def test_advice_pages_carry_save_controls_hidden_until_javascript_shows_them(client: TestClient) -> None:
    html = client.get("/en/signs-to-spot").text
    controls = re.search(r"<section[^>]*data-offline-save [^>]*>", html)
    assert controls and " hidden" in controls.group(0)
    assert 'data-offline-save-page="/en/signs-to-spot"' in html
    assert "Save this advice for offline use (%(size)s)" not in html
    assert "Save this advice for offline use ({size})" in html


def test_every_page_links_the_manifest_loads_the_offline_script_and_has_the_update_region(
    client: TestClient, app: Starlette
) -> None:
    html = client.get("/en/share-a-concern").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert f'<script type="module" src="{site_of_app(app).assets.url("offline.js")}"></script>' in html
    assert '<div role="status" data-offline-update></div>' in html
    assert "data-offline-save " not in html  # no save controls on a form page


def test_the_web_manifest_makes_the_site_installable(client: TestClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "ACT Early"
    assert manifest["start_url"] == "/en/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#3f2a70"
    assert manifest["background_color"] == "#ffffff"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert client.get("/manifest.webmanifest", headers={"If-None-Match": response.headers["etag"]}).status_code == 304


def _pixel(image: Image.Image, maskable: bool, x: float, y: float) -> object:
    """The colour at a point of static/images/icon.svg's 32-unit box (a maskable icon keeps a 10% margin)."""
    scale, offset = (0.8, 0.1) if maskable else (1.0, 0.0)
    side = image.size[0]
    return image.getpixel((int(side * (offset + scale * x / 32)), int(side * (offset + scale * y / 32))))


def test_icons_are_brand_pngs_with_immutable_hashed_names(client: TestClient) -> None:
    for icon in client.get("/manifest.webmanifest").json()["icons"]:
        assert re.fullmatch(r"/icons/icon-(maskable-)?\d+\.[0-9a-f]{10}\.png", icon["src"])
        response = client.get(icon["src"])
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        image = Image.open(io.BytesIO(response.content)).convert("RGB")
        side = int(icon["sizes"].split("x")[0])
        assert image.size == (side, side)
        maskable = "maskable" in icon["src"]
        assert _pixel(image, maskable, 16, 21) == (63, 42, 112)  # brand purple, between the legs of the "A"
        assert _pixel(image, maskable, 12, 21) == (255, 255, 255)  # the white mark
        assert _pixel(image, maskable, 3, 3) == (63, 42, 112)
        assert client.get(icon["src"], headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    assert client.get("/icons/icon-192.0000000000.png").status_code == 404


def _request(headers: dict[str, str]) -> Request:
    raw = [(key.lower().encode(), value.encode()) for key, value in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw, "query_string": b""})


def test_save_data_is_on_only_when_the_reader_asks() -> None:
    assert save_data(_request({"Save-Data": "on"}))
    assert save_data(_request({"Save-Data": " On "}))
    assert not save_data(_request({"Save-Data": "off"}))
    assert not save_data(_request({}))


# Low bandwidth: what web/http/cache.py and web/shell/assets.py promise, for every page and the new routes.


def test_every_sitemap_page_is_precompressed_and_answers_304(client: TestClient) -> None:
    for path in paths_in_sitemap(client.get("/sitemap.xml").content):
        for encoding in ("br", "gzip"):
            response = client.get(path, headers={"Accept-Encoding": encoding})
            assert response.headers["content-encoding"] == encoding, path
            assert response.headers["cache-control"] == "no-cache", path
            again = client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": response.headers["etag"]})
            assert again.status_code == 304, path


def test_the_sitemap_answers_304(client: TestClient) -> None:
    etag = client.get("/sitemap.xml").headers["etag"]
    assert client.get("/sitemap.xml", headers={"If-None-Match": etag}).status_code == 304


def test_a_first_visit_with_the_offline_script_stays_under_40_kb(client: TestClient, settings: Settings) -> None:
    assets = site_of_app(client.app).assets
    shell = ("app.css", "app.js", "offline.js", "icon.svg")
    shared = sum(len((settings.static_dist_dir / (assets.manifest[name] + ".br")).read_bytes()) for name in shell)
    paths = paths_in_sitemap(client.get("/sitemap.xml").content)
    largest = max(len(brotli.compress(client.get(path).content, quality=11)) for path in paths)
    assert shared + largest <= 40 * 1024, f"assets {shared} + largest page {largest} bytes"
