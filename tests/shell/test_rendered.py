"""Pages the same for every reader are rendered once per version and served from memory (issue 17)."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import shutil
from dataclasses import replace
from pathlib import Path

import brotli
import pytest
from jinja2 import ChoiceLoader, FileSystemLoader
from starlette.responses import Response
from starlette.testclient import TestClient

from testing.settings import change_site
from web.content import ContentLibrary
from web.offline.worker import offline_paths
from web.public import site as public_site
from web.shell.rendered import MAX_BYTES, MAX_PAGES, RenderedPages
from web.shell.site import site_of_app
from web.shell.templating import TEMPLATES


def renders(client: TestClient) -> int:
    return site_of_app(client.app).rendered.renders


def every_page(client: TestClient) -> list[str]:
    """Every address the site renders once: advice and film pages, offline pages, the toolkit, the sitemap, a 404."""
    site = site_of_app(client.app)
    paths = [entry.path for entry in public_site.sitemap_entries(site.library, site.films)]
    for lang in site.library.languages:
        paths += offline_paths(lang)
    return [*paths, "/", "/toolkit", "/sitemap.xml", "/en/no-such-page", "/cy/no-such-page"]


def test_an_advice_page_is_rendered_once_and_served_again_from_memory(client: TestClient) -> None:
    first = client.get("/en/myths-and-facts")
    count = renders(client)
    again = client.get("/en/myths-and-facts", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/en/myths-and-facts", headers={"Accept-Encoding": "identity"})
    assert renders(client) == count
    assert first.status_code == again.status_code == plain.status_code == 200
    assert first.text == again.text == plain.text
    assert again.headers["etag"].endswith('-gzip"') and "etag" in plain.headers
    assert first.headers["etag"].split("-")[0] == plain.headers["etag"].rstrip('"').split("-")[0]


def test_a_kept_page_answers_a_revalidation_with_304(client: TestClient) -> None:
    etag = client.get("/en/signs-to-spot").headers["etag"]
    answer = client.get("/en/signs-to-spot", headers={"If-None-Match": etag})
    assert answer.status_code == 304 and answer.content == b""
    assert answer.headers["etag"] == etag and answer.headers["cache-control"] == "no-cache"
    assert "content-security-policy" in answer.headers


def test_the_compressed_bodies_are_the_page(client: TestClient) -> None:
    plain = client.get("/cy/get-help", headers={"Accept-Encoding": "identity"}).content
    for encoding in ("br", "gzip"):
        assert client.get("/cy/get-help", headers={"Accept-Encoding": encoding}).content == plain  # decoded
    entry = next(entry for entry in site_of_app(client.app).rendered.entries.values() if entry.body == plain)
    assert brotli.decompress(entry.compressed["br"]) == plain and gzip.decompress(entry.compressed["gzip"]) == plain


def test_the_support_line_opening_gives_a_new_version_of_the_page(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.public.support_line.utc_now", lambda: dt.datetime(2026, 1, 15, 8, 59, tzinfo=dt.UTC))
    closed = client.get("/en/get-help")
    monkeypatch.setattr("web.public.support_line.utc_now", lambda: dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC))
    opened = client.get("/en/get-help")
    assert "The support line is closed now." in closed.text
    assert "The support line is open now." in opened.text
    assert closed.headers["etag"] != opened.headers["etag"]
    monkeypatch.setattr("web.public.support_line.utc_now", lambda: dt.datetime(2026, 1, 15, 17, 0, tzinfo=dt.UTC))
    assert "The support line is closed now." in client.get("/en/get-help").text


def test_a_content_change_gives_a_new_version_of_the_page(client: TestClient) -> None:
    before = client.get("/en/myths-and-facts")
    library = site_of_app(client.app).library
    page = library.pages[("en", "myths-and-facts")]
    changed = replace(page, body_html=page.body_html + "<p>A sentence added today.</p>")
    pages = {**library.pages, ("en", "myths-and-facts"): changed}
    change_site(client.app, library=ContentLibrary(pages, library.languages, library.facts))
    after = client.get("/en/myths-and-facts", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert "A sentence added today." in after.text and "A sentence added today." not in before.text


def test_a_template_change_gives_a_new_version_when_templates_reload(client: TestClient, tmp_path: Path) -> None:
    """In production the templates are read once, like the content; with DEBUG on, Jinja reloads an edited
    template and the kept page follows it."""
    environment = site_of_app(client.app).templates.env
    assert environment.auto_reload is False  # production: a template changes with a new release
    shutil.copy(TEMPLATES / "base.html", tmp_path / "base.html")
    environment.loader = ChoiceLoader([FileSystemLoader(tmp_path), environment.loader])  # type: ignore[list-item]
    environment.auto_reload = True
    environment.cache.clear()  # type: ignore[union-attr]
    before = client.get("/en/signs-to-spot").text
    edited = tmp_path / "base.html"
    edited.write_text(edited.read_text(encoding="utf-8").replace("</body>", "<p>Edited now</p></body>"), "utf-8")
    stat = edited.stat()
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
    after = client.get("/en/signs-to-spot").text
    assert "Edited now" not in before and "Edited now" in after


def test_a_film_is_kept_once_for_each_save_data_choice(client: TestClient) -> None:
    site = site_of_app(client.app)
    film = site.films.films[0]
    path = f"/en/films/{film.slug}"
    normal = client.get(path)
    saving = client.get(path, headers={"Save-Data": "on"})
    count = renders(client)
    assert client.get(path).text == normal.text and client.get(path, headers={"Save-Data": "on"}).text == saving.text
    assert renders(client) == count
    assert normal.context["save_data"] is False and saving.context["save_data"] is True
    assert "Save-Data" in normal.headers["vary"]


def test_query_strings_do_not_make_more_pages(client: TestClient) -> None:
    client.get("/en/signs-to-spot")
    kept = site_of_app(client.app).rendered.size()[0]
    for number in range(20):
        assert client.get(f"/en/signs-to-spot?utm_source={number}").status_code == 200
        assert client.get(f"/en/no-such-page-{number}").status_code == 404
    assert site_of_app(client.app).rendered.size()[0] == kept + 1  # the 404 page, once


def test_an_error_page_is_kept_once_and_keeps_each_answers_own_headers(client: TestClient) -> None:
    missing = [client.get(f"/cy/missing-{number}") for number in range(3)]
    assert {answer.status_code for answer in missing} == {404}
    assert len({answer.text for answer in missing}) == 1 and 'lang="cy"' in missing[0].text
    assert "etag" not in missing[0].headers  # never a 304 for a 404
    not_allowed = client.post("/en/search")
    assert not_allowed.status_code == 405 and "allow" in not_allowed.headers


def test_the_toolkit_form_is_kept_and_its_answers_are_not(client: TestClient) -> None:
    client.get("/toolkit")
    count = renders(client)
    client.get("/toolkit")
    assert renders(client) == count
    asked = client.get("/toolkit?force=&lang=")
    assert asked.status_code == 400 and renders(client) == count


def test_every_page_in_every_language_fits_in_the_bound(client: TestClient) -> None:
    paths = every_page(client)
    for path in paths:
        for encoding in ("br", "gzip"):
            answer = client.get(path, headers={"Accept-Encoding": encoding})
            assert answer.status_code in (200, 404), path
    pages, size = site_of_app(client.app).rendered.size()
    assert pages == len(set(paths))  # one body (and its compressed bodies) an address
    assert pages <= MAX_PAGES / 4 and size <= MAX_BYTES / 4  # room for the site to grow fourfold


def test_the_least_recently_served_page_is_dropped_at_the_bound() -> None:
    kept = RenderedPages(max_pages=2, max_bytes=10_000)
    for key in ("a", "b", "c"):
        kept.page(key, (), lambda key=key: Response(key * 100))
    assert list(kept.entries) == ["b", "c"] and kept.size() == (2, 200)
    kept.page("big", (), lambda: Response(b"x" * 9_950))
    assert list(kept.entries) == ["big"] and kept.size() == (1, 9_950)


def test_a_new_version_replaces_the_page_it_follows() -> None:
    kept = RenderedPages()
    kept.page("page", (False,), lambda: Response("closed"))
    entry = kept.page("page", (True,), lambda: Response("open now"))
    assert entry.body == b"open now" and kept.size() == (1, 8) and kept.renders == 2
