"""Counting without tracking: page views, sources and campaign tags, in memory, flushed by upsert."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from starlette.datastructures import Headers, QueryParams
from starlette.testclient import TestClient

from testing.forms import ARRIVE, STEP
from testing.settings import change_site
from web.app import create_app
from web.public import measurement
from web.public.measurement import FigureCounter, arrival_source, campaign_key, is_browser
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage import create_database_engine
from web.storage.figures import add_counts, counts_between
from web.storage.migrate import migrate
from web.storage.tables import figures


@pytest.fixture
def measured(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def counter_of(client: TestClient) -> FigureCounter:
    counter = site_of_app(client.app).figure_counter  # type: ignore[arg-type]
    assert counter is not None
    return counter


def pending(client: TestClient) -> dict[tuple[str, str], int]:
    return {(metric, key): count for (_, metric, key), count in counter_of(client).pending().items()}


def test_a_browser_visit_to_an_advice_page_counts_a_view_and_its_source(measured: TestClient) -> None:
    assert measured.get("/en/signs-to-spot", headers=ARRIVE).status_code == 200
    assert pending(measured) == {("view", "/en/signs-to-spot"): 1, ("source", "direct"): 1}


def test_a_step_within_the_site_counts_a_view_but_no_source(measured: TestClient) -> None:
    measured.get("/en/signs-to-spot", headers=STEP)
    assert pending(measured) == {("view", "/en/signs-to-spot"): 1}


def test_home_search_and_the_concern_start_are_counted_by_their_path_without_the_query(measured: TestClient) -> None:
    for path in ("/", "/cy/", "/en/search?q=MARKER-QUERY", "/en/share-a-concern"):
        assert measured.get(path, headers=STEP).status_code == 200, path
    assert pending(measured) == {
        ("view", "/en/"): 1,
        ("view", "/cy/"): 1,
        ("view", "/en/search"): 1,
        ("view", "/en/share-a-concern"): 1,
    }


def test_route_pages_are_counted_by_their_own_path_and_junk_slugs_are_not() -> None:
    from web.content import load_library
    from web.public.measurement import page_key
    from web.settings import ROOT

    library = load_library(ROOT / "content")
    assert page_key("toolkit_page", {}, library) == "/toolkit"
    assert page_key("films_page", {"lang": "cy"}, library) == "/cy/films"
    assert page_key("film_page", {"lang": "en", "slug": "what-happens-next"}, library) == "/en/films/what-happens-next"
    assert page_key("film_page", {"lang": "en", "slug": "MARKER junk"}, library) is None
    assert page_key("advice_page", {"lang": "en", "slug": "no-such-page"}, library) is None
    assert page_key("concern_answer", {"lang": "en"}, library) is None  # a form's pages answer posts
    assert page_key("search", {"lang": "xx"}, library) is None


def test_errors_junk_addresses_posts_fragments_bots_and_fetches_are_not_counted(measured: TestClient) -> None:
    assert measured.get("/en/no-such-page-MARKER", headers=ARRIVE).status_code == 404
    assert measured.get("/xx/", headers=ARRIVE).status_code == 404
    measured.get("/sitemap.xml", headers=ARRIVE)
    measured.get("/healthz", headers=ARRIVE)
    measured.get("/en/search?q=radical", headers={**STEP, "hx-request": "true", "sec-fetch-dest": "empty"})
    measured.get("/en/signs-to-spot", headers={**ARRIVE, "sec-fetch-dest": "empty"})  # a service worker's fetch
    measured.get("/en/signs-to-spot", headers={**ARRIVE, "sec-purpose": "prefetch"})
    measured.get("/en/signs-to-spot", headers={**ARRIVE, "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"})
    measured.get("/en/signs-to-spot", headers={**ARRIVE, "user-agent": "curl/8.5.0"})
    measured.get("/en/signs-to-spot")  # the test client's own user agent: not a browser
    assert pending(measured) == {}


@pytest.mark.parametrize(
    ("referrer", "fetch_site", "expected"),
    [
        ("https://www.google.co.uk/", "cross-site", "search"),
        ("https://duckduckgo.com/", "cross-site", "search"),
        ("https://l.facebook.com/", "cross-site", "social"),
        ("https://t.co/", "cross-site", "social"),
        ("https://www.bbc.co.uk/news", "cross-site", "other-site"),
        ("", "cross-site", "other-site"),
        ("", "none", "direct"),
        ("", None, "direct"),
        ("https://actearly.test/en/", None, None),
        ("", "same-origin", None),
        ("http://[not-an-address", "cross-site", "other-site"),
    ],
)
def test_arrival_source_uses_the_referrer_host_only(
    referrer: str, fetch_site: str | None, expected: str | None
) -> None:
    raw = {"host": "actearly.test", "referer": referrer} | ({"sec-fetch-site": fetch_site} if fetch_site else {})
    assert arrival_source(Headers(raw), QueryParams("")) == expected


def test_a_campaign_tag_is_a_force_slug_and_a_known_source_or_other() -> None:
    forces = {"essex": object(), "gwent": object()}
    assert campaign_key(QueryParams("utm_source=poster&utm_campaign=essex"), forces) == "essex/poster"
    assert campaign_key(QueryParams("utm_source=SOCIAL&utm_campaign=Gwent"), forces) == "gwent/social"
    assert campaign_key(QueryParams("utm_source=newsletter&utm_campaign=MARKER-JUNK"), forces) == "other/other"
    assert campaign_key(QueryParams("utm_source=poster"), forces) == "none/poster"
    assert campaign_key(QueryParams("q=x"), forces) is None


def test_a_poster_visit_counts_the_campaign_and_its_force(measured: TestClient) -> None:
    measured.get("/?utm_source=poster&utm_campaign=essex", headers=ARRIVE)
    measured.get("/?utm_source=poster&utm_campaign=MARKER-NOT-A-FORCE", headers=ARRIVE)
    assert pending(measured) == {
        ("view", "/en/"): 2,
        ("source", "campaign"): 2,
        ("campaign", "essex/poster"): 1,
        ("campaign", "other/poster"): 1,
    }


@pytest.mark.parametrize(
    "user_agent",
    ["", "testclient", "python-httpx/0.28", "Mozilla/5.0 (compatible; bingbot/2.0)", "Mozilla/5.0 HeadlessChrome/140"],
)
def test_bots_scripts_and_headless_browsers_are_not_browsers(user_agent: str) -> None:
    assert not is_browser(user_agent)


def test_flush_adds_to_the_database_by_upsert_on_sqlite_and_postgresql(database_url: str) -> None:
    engine = create_database_engine(database_url)
    migrate(engine)
    counter = FigureCounter()
    day = dt.date(2026, 11, 25)
    for _ in range(3):
        counter.add("view", "/en/signs-to-spot", day)
    assert counter.flush(engine)
    counter.add("view", "/en/signs-to-spot", day)
    counter.add("source", "search", day)
    assert counter.flush(engine)
    assert counter.flush(engine)  # nothing pending: nothing written
    found = {(f.metric, f.key, f.day): f.count for f in counts_between(engine, day, day)}
    assert found == {("view", "/en/signs-to-spot", day): 4, ("source", "search", day): 1}
    engine.dispose()


def test_a_failed_flush_is_logged_without_details_and_retried(
    settings: Settings, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    counter = FigureCounter()
    counter.add("view", "/en/signs-to-spot")
    broken = create_engine(f"sqlite:///{tmp_path / 'missing' / 'nothing.sqlite3'}")
    with caplog.at_level(logging.WARNING, logger="web.public.measurement"):
        assert counter.flush(broken) is False
    assert "could not save 1 figures (OperationalError)" in caplog.text
    engine = create_database_engine(settings.database_url)
    migrate(engine)
    assert counter.flush(engine) is True
    assert [f.count for f in counts_between(engine, dt.date.min, dt.date.max)] == [1]


def test_a_broken_database_never_breaks_a_page(measured: TestClient, tmp_path: Path) -> None:
    change_site(measured.app, engine=create_engine(f"sqlite:///{tmp_path / 'missing' / 'x.sqlite3'}"))
    assert measured.get("/en/signs-to-spot", headers=ARRIVE).status_code == 200
    assert counter_of(measured).flush(site_of_app(measured.app).engine) is False
    assert measured.get("/en/signs-to-spot", headers=ARRIVE).status_code == 200
    assert pending(measured)[("view", "/en/signs-to-spot")] == 2


def test_counting_off_counts_nothing(settings: Settings) -> None:
    app = create_app(replace(settings, measurement=False))
    with TestClient(app) as client:
        assert client.get("/en/signs-to-spot", headers=ARRIVE).status_code == 200
        assert client.post("/en/offline/saved-count", headers=ARRIVE).status_code == 204
    with site_of_app(app).engine.connect() as connection:
        assert connection.execute(select(figures)).all() == []


def test_the_counts_are_saved_when_the_server_stops(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as client:
        client.get("/en/signs-to-spot", headers=ARRIVE)
    with site_of_app(app).engine.connect() as connection:
        rows = {(row.metric, row.key): row.count for row in connection.execute(select(figures))}
    assert rows == {("view", "/en/signs-to-spot"): 1, ("source", "direct"): 1}


def test_saving_for_offline_is_counted_by_a_same_origin_post_with_no_body(measured: TestClient) -> None:
    response = measured.post("/en/offline/saved-count", headers={**ARRIVE, "sec-fetch-site": "same-origin"})
    assert response.status_code == 204 and response.headers["cache-control"] == "no-store"
    assert (
        measured.post("/en/offline/saved-count", headers={**ARRIVE, "sec-fetch-site": "cross-site"}).status_code == 403
    )
    assert measured.post("/xx/offline/saved-count", headers=ARRIVE).status_code == 404
    assert pending(measured) == {("offline-save", "en"): 1}


def test_offline_saves_from_one_client_are_limited(measured: TestClient) -> None:
    for _ in range(measurement.OFFLINE_SAVES_PER_HOUR + 5):
        measured.post("/cy/offline/saved-count", headers=ARRIVE)
    assert pending(measured) == {("offline-save", "cy"): measurement.OFFLINE_SAVES_PER_HOUR}


def test_add_counts_of_nothing_writes_nothing(settings: Settings) -> None:
    engine = create_database_engine(settings.database_url)
    migrate(engine)
    add_counts(engine, {})
    add_counts(engine, {(dt.date(2026, 1, 1), "view", "/en/"): 0})
    assert counts_between(engine, dt.date.min, dt.date.max) == []
