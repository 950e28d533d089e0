"""Canonical and hreflang links are absolute on every page: search engines do not accept relative ones (issue 17)."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from web.offline.worker import offline_paths
from web.public.site import sitemap_entries
from web.shell.site import site_of_app

LINK = re.compile(r'<link rel="(canonical|alternate)"(?: hreflang="[^"]+")? href="([^"]*)"')


def test_a_film_names_itself_and_its_translations_by_absolute_address(client: TestClient) -> None:
    site = site_of_app(client.app)
    film = next(film for film in site.films.films if "cy" in film.languages)
    text = client.get(f"/en/films/{film.slug}").text
    base = site.settings.public_base_url
    assert f'<link rel="canonical" href="{base}/en/films/{film.slug}">' in text
    assert f'<link rel="alternate" hreflang="cy" href="{base}/cy/films/{film.slug}">' in text


def test_the_films_list_and_the_toolkit_have_absolute_canonical_links(client: TestClient) -> None:
    base = site_of_app(client.app).settings.public_base_url
    assert f'<link rel="canonical" href="{base}/en/films">' in client.get("/en/films").text
    assert f'<link rel="canonical" href="{base}/toolkit">' in client.get("/toolkit").text


def test_no_page_has_a_relative_canonical_or_alternate_link(client: TestClient) -> None:
    site = site_of_app(client.app)
    base = site.settings.public_base_url
    paths = [entry.path for entry in sitemap_entries(site.library, site.films)] + ["/toolkit"]
    paths += [path for lang in site.library.languages for path in offline_paths(lang)]
    for path in paths:
        links = LINK.findall(client.get(path).text)
        assert all(href.startswith(base + "/") for _, href in links), (path, links)
        if path in {entry.path for entry in sitemap_entries(site.library, site.films)}:
            assert any(rel == "canonical" for rel, _ in links), path
