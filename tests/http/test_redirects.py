"""The move from "Let's Talk About It" (web/http/redirects.py, content/redirects.yaml)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from testing.forms import ARRIVE
from web.app import create_app
from web.content import load_library
from web.http.redirects import (
    MAX_OLD_ADDRESS,
    OTHER,
    RedirectsFileError,
    TrailingSlashRedirects,
    load_redirects,
    normalise,
)
from web.public.measurement import DailyKeys
from web.settings import ROOT, Settings
from web.shell.site import site_of_app
from web.storage.figures import LTAI_ADDRESS, LTAI_REFERRER, counts_between

REDIRECTS = load_redirects()
ENTRIES = sorted(REDIRECTS.pages.items()) + sorted(
    (f"{old}/an-old-article", new) for old, new in REDIRECTS.sections.items()
)
NOTICE = "Let’s Talk About It has moved to ACT Early"


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the hundred entries below: building one per test would take most of the time."""
    database = tmp_path_factory.mktemp("redirects") / "test.sqlite3"
    settings = Settings(database_url=f"sqlite:///{database}", public_base_url="https://actearly.test")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(("old", "new"), ENTRIES)
def test_every_old_address_answers_301_to_a_page_that_exists(shared_client: TestClient, old: str, new: str) -> None:
    response = shared_client.get(f"/ltai{old}", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"{new}?from=ltai"
    landed = shared_client.get(response.headers["location"])
    assert landed.status_code == 200, f"{old} -> {new}"


def test_every_target_is_a_page_of_the_site() -> None:
    library = load_library(ROOT / "content")
    for target in REDIRECTS.targets():
        slug = target.removeprefix("/en/") or "home"
        assert library.get("en", slug) is not None, target


@pytest.mark.parametrize("host", ["www.ltai.info", "ltai.info", "LTAI.info:443"])
def test_the_old_host_names_redirect_to_this_site(client: TestClient, host: str) -> None:
    response = client.get("/what-is-channel/", headers={"host": host}, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "https://actearly.test/en/what-is-channel?from=ltai"
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/What-Is-Prevent/", "/en/what-is-prevent"),
        ("/what-is-prevent.html", "/en/what-is-prevent"),
        ("/index.php", "/en/"),
        ("/news/2019/05/an-article", "/en/"),
        ("/case-studies/sams-story", "/en/stories"),
        ("/faqs/what-is-prevent", "/en/faq"),
    ],
)
def test_old_addresses_match_whatever_case_ending_or_depth_they_come_with(
    client: TestClient, old: str, new: str
) -> None:
    response = client.get(old, headers={"host": "www.ltai.info"}, follow_redirects=False)
    assert response.headers["location"] == f"https://actearly.test{new}?from=ltai"


@pytest.mark.parametrize("old", ["/no-such-page", "/wp-login.php", "/ltai", "/a/b/c?x=1"])
def test_an_unknown_old_address_lands_on_the_home_page_with_the_notice(client: TestClient, old: str) -> None:
    response = client.get(f"/ltai{old}" if old != "/ltai" else old, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, "/en/?from=ltai")
    landed = client.get(response.headers["location"])
    assert landed.status_code == 200
    assert NOTICE in landed.text
    assert 'class="govuk-notification-banner" role="region" aria-labelledby="ltai-notice-title"' in landed.text


def test_the_notice_is_shown_once_because_nothing_on_the_page_carries_the_parameter(client: TestClient) -> None:
    landed = client.get("/ltai/spotting-the-signs")
    assert str(landed.url).endswith("/en/signs-to-spot?from=ltai")
    assert landed.context["ltai_notice"] is True
    assert NOTICE in landed.text
    assert "from=ltai" not in landed.text
    links = re.findall(r'(?:href|action)="([^"]*)"', landed.text)
    assert re.search(r'<link rel="canonical" href="https?://[^"/]+/en/signs-to-spot">', landed.text)
    assert links and not any("from=" in link for link in links)
    again = client.get("/en/signs-to-spot")
    assert NOTICE not in again.text
    assert again.context["ltai_notice"] is False
    assert "set-cookie" not in landed.headers


def test_this_sites_own_addresses_are_left_alone(client: TestClient) -> None:
    assert client.get("/en/what-is-prevent", follow_redirects=False).status_code == 200
    assert client.get("/ltaiwhatever", follow_redirects=False).status_code == 404


def test_an_old_address_landing_never_errors_even_as_a_post(client: TestClient) -> None:
    response = client.post("/contact-us", headers={"host": "ltai.info"}, follow_redirects=False)
    assert response.status_code == 301


def test_normalise_writes_old_addresses_as_the_map_does() -> None:
    assert normalise("/") == "/"
    assert normalise("/index.html") == "/"
    assert normalise("/FAQs/") == "/faqs"
    assert normalise("/news/index.php") == "/news"


@pytest.mark.parametrize(
    "body",
    ["pages:\n  /What-Is-Prevent: /en/what-is-prevent\n", "pages:\n  /prevent: https://example.com/\n"],
)
def test_a_badly_written_redirects_file_is_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "redirects.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RedirectsFileError):
        load_redirects(path)


# An address with a slash too many or too few: a relative 301 for a reader, never the Host header in the
# Location, and never a 307 that has a browser post a form to another host (issue 15, item 6).

EVIL = {"host": "evil.example"}


@pytest.mark.parametrize(
    ("asked", "location"),
    [
        ("/en/signs-to-spot/", "/en/signs-to-spot"),
        ("/en/signs-to-spot//?q=a%20b", "/en/signs-to-spot?q=a%20b"),
        ("/en/share-a-concern/", "/en/share-a-concern"),
        ("/en/search/?q=radical", "/en/search?q=radical"),
        ("/%5Cevil.example/x/", "/%5Cevil.example/x"),  # "/\" would be "//" to a browser: it stays encoded
    ],
)
def test_a_trailing_slash_redirects_relatively_whatever_the_host(client: TestClient, asked: str, location: str) -> None:
    for method in ("GET", "HEAD"):
        response = client.request(method, asked, headers=EVIL, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (301, location)
        assert "content-security-policy" in response.headers


@pytest.mark.parametrize("asked", ["/en/share-a-concern/", "/en/share-a-concern/callback/", "/en/feedback/"])
def test_a_form_posted_to_an_address_with_a_slash_too_many_is_not_redirected(client: TestClient, asked: str) -> None:
    response = client.post(asked, headers=EVIL, data={"step": "who"}, follow_redirects=False)
    assert response.status_code == 404 and "location" not in response.headers


def test_the_address_without_a_slash_still_finds_its_page(client: TestClient) -> None:
    assert client.get("/en", headers=EVIL, follow_redirects=False).headers["location"] == "/en/"
    assert client.get("/en/signs-to-spot", headers=EVIL).status_code == 200
    assert client.get("/en/", headers=EVIL).status_code == 200
    assert client.get("/en/signs-to-spot/", headers=EVIL).url.path == "/en/signs-to-spot"


@pytest.mark.parametrize(("method", "asked"), [("GET", "/concerns/"), ("GET", "/dashboard/"), ("POST", "/sign-in/")])
def test_the_console_never_redirects_to_the_host_it_was_asked_for(console: TestClient, method: str, asked: str) -> None:
    response = console.request(method, asked, headers=EVIL, follow_redirects=False)
    if method == "GET":
        assert (response.status_code, response.headers["location"]) == (301, asked.rstrip("/"))
    else:
        assert response.status_code == 404 and "location" not in response.headers


def slash_app() -> Starlette:
    async def page(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.url.path)

    routes = [Route("/a", page), Route("/b/", page), Route("/{name}/c", page, methods=["GET", "POST"])]
    app = Starlette(routes=routes, middleware=[Middleware(TrailingSlashRedirects, routes=routes)])
    app.router.redirect_slashes = False
    return app


@pytest.mark.parametrize(
    ("asked", "status", "location"),
    [
        ("/a", 200, None),
        ("/a/", 301, "/a"),
        ("/a///", 301, "/a"),
        ("/b", 301, "/b/"),
        ("/b/", 200, None),
        ("/x/c/?y=1", 301, "/x/c?y=1"),
        ("/", 404, None),
        ("//", 404, None),
        ("/nowhere/", 404, None),
    ],
)
def test_trailing_slash_redirects_go_to_the_route_that_exists(asked: str, status: int, location: str | None) -> None:
    response = TestClient(slash_app()).get(asked, headers=EVIL, follow_redirects=False)
    assert (response.status_code, response.headers.get("location")) == (status, location)


def test_a_relative_location_never_starts_with_two_slashes() -> None:
    """`//evil.example/x` is another site to a browser: the Location keeps one slash."""
    routes = [Route("/{rest:path}.txt", PlainTextResponse)]
    redirects = TrailingSlashRedirects(PlainTextResponse(""), routes=routes)
    scope = {"type": "http", "method": "GET", "path": "//evil.example/a.txt/", "query_string": b"", "headers": []}
    assert redirects.location(scope) == "/evil.example/a.txt"


def test_an_old_address_is_counted_as_the_map_entry_it_matched_or_other() -> None:
    assert REDIRECTS.counted_as("/What-Is-Prevent.html") == "/what-is-prevent"
    assert REDIRECTS.counted_as("/news/2019/05/an-article") == "/news"
    assert REDIRECTS.counted_as("/MARKER-" + "x" * 500) == OTHER
    assert REDIRECTS.counted_as("/wp-login.php") == OTHER


def test_an_old_address_longer_than_a_figures_key_allows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "redirects.yaml"
    path.write_text("pages:\n  /" + "a" * MAX_OLD_ADDRESS + ": /en/\n", encoding="utf-8")
    with pytest.raises(RedirectsFileError, match="longer than"):
        load_redirects(path)


def followed_counts(client: TestClient) -> dict[tuple[str, str], int]:
    site = site_of_app(client.app)
    site.figure_counter.flush(site.engine)
    found = counts_between(site.engine, dt.date.min, dt.date.max)
    return {(f.metric, f.key): f.count for f in found if f.metric in (LTAI_ADDRESS, LTAI_REFERRER)}


def test_each_followed_old_address_is_counted_with_the_referring_sites_host_alone(client: TestClient) -> None:
    partner = {**ARRIVE, "referer": "https://WWW.Partner-Council.gov.uk/safeguarding/MARKER-PATH?q=MARKER-QUERY"}
    own = {**ARRIVE, "referer": "https://actearly.test/en/"}
    visits = [
        ("/ltai/what-is-prevent/", partner, {}),
        ("/ltai/channel", partner, {}),
        ("/what-is-prevent", partner, {"host": "www.ltai.info"}),
        ("/news/2019/an-article", ARRIVE, {"host": "ltai.info"}),
        ("/ltai/MARKER-JUNK-PATH", own, {}),
        ("/ltai/channel", {**ARRIVE, "referer": "https://MARKER_not a host/"}, {}),
    ]
    for path, headers, extra in visits:
        assert client.get(path, headers={**headers, **extra}, follow_redirects=False).status_code == 301
    assert followed_counts(client) == {
        (LTAI_ADDRESS, "/what-is-prevent"): 2,
        (LTAI_ADDRESS, "/channel"): 2,
        (LTAI_ADDRESS, "/news"): 1,
        (LTAI_ADDRESS, "other"): 1,
        (LTAI_REFERRER, "www.partner-council.gov.uk"): 3,
        (LTAI_REFERRER, "none"): 1,
        (LTAI_REFERRER, "this site"): 1,
        (LTAI_REFERRER, "other"): 1,
    }


@pytest.mark.parametrize(
    "headers",
    [
        {**ARRIVE, "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
        {"user-agent": "curl/8.0"},
        {**ARRIVE, "sec-purpose": "prefetch"},
        {**ARRIVE, "sec-fetch-dest": "empty"},
    ],
)
def test_robots_scripts_and_prefetches_following_an_old_address_are_not_counted(
    client: TestClient, headers: dict[str, str]
) -> None:
    assert client.get("/ltai/channel", headers=headers, follow_redirects=False).status_code == 301
    assert client.head("/ltai/channel", headers=ARRIVE, follow_redirects=False).status_code == 301
    assert followed_counts(client) == {}


def test_a_day_counts_at_most_so_many_referring_sites_then_other() -> None:
    keys = DailyKeys(limit=2)
    day = dt.date(2026, 12, 7)
    assert [keys.admit(day, host) for host in ("a.example", "b.example", "c.example", "a.example")] == [
        "a.example",
        "b.example",
        "other",
        "a.example",
    ]
    assert keys.admit(day + dt.timedelta(days=1), "c.example") == "c.example"
