from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.sitemap import paths_in_sitemap
from web.shell.navigation import page_url
from web.shell.site import site_of_app


def test_sitemap_lists_every_page_in_every_language(app: Starlette, client: TestClient) -> None:
    response = client.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    pages = {page_url(page.lang, page.slug) for page in site_of_app(app).library}
    films = {"/en/films", "/cy/films"} | {
        f"/{lang}/films/{film.slug}" for film in site_of_app(app).films.films for lang in film.languages
    }
    assert set(paths_in_sitemap(response.content)) == pages | films
    assert "<loc>https://actearly.test/en/signs-to-spot</loc>" in response.text


def test_robots_txt_points_at_the_sitemap(client: TestClient) -> None:
    text = client.get("/robots.txt").text
    assert "Sitemap: https://actearly.test/sitemap.xml" in text
    assert "Disallow: /exit" in text


def test_healthz_reports_the_database_and_page_count(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["pages"] > 0


def test_exit_leaves_for_the_neutral_site_and_clears_site_data(client: TestClient) -> None:
    response = client.get("/exit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "https://www.bbc.co.uk/weather"
    assert response.headers["clear-site-data"] == '"cache", "storage"'
    assert response.headers["cache-control"] == "no-store"
