"""Kept pages answered again in front of the middleware (web/shell/remembered.py): the same answer, count and
log line as the long way, and never an answer the long way would not give now."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.types import Scope, Send

from testing.settings import change_site
from web.content import ContentLibrary
from web.public.measurement import VIEW
from web.shell.critical import STYLES_HEADER
from web.shell.remembered import RememberedPages
from web.shell.rendered import RenderedResponse
from web.shell.site import site_of_app
from web.storage.figures import FigureCounter

BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Dest": "document",
}
SITE = "https://actearly.test"
PATHS = ["/", "/en/", "/en/myths-and-facts", "/cy/get-help", "/ur/signs-to-spot", "/en/offline", "/toolkit"]


def front(app: Starlette) -> RememberedPages:
    layer = app.middleware_stack
    while not isinstance(layer, RememberedPages):
        layer = layer.app  # type: ignore[union-attr]
    return layer


@pytest.fixture
def client(app: Starlette) -> Iterator[TestClient]:
    # At the site's public address (the tests' PUBLIC_BASE_URL): answers for any other Host are not remembered.
    with TestClient(app, base_url=SITE, raise_server_exceptions=False) as client:
        client.get("/healthz")  # builds the middleware stack, so `front` can find the layer
        yield client


def served(client: TestClient) -> int:
    return front(client.app).served  # type: ignore[arg-type]


def twice(client: TestClient, path: str, headers: dict[str, str]) -> tuple[object, object, int]:
    """The answer the long way, then the answer remembered, and how many were remembered."""
    front(client.app).paths.clear()  # type: ignore[arg-type]
    before = served(client)
    first = client.get(path, headers=headers)
    second = client.get(path, headers=headers)
    return first, second, served(client) - before


def variants(client: TestClient) -> list[dict[str, str]]:
    styles = site_of_app(client.app).assets.manifest["app.css"]  # type: ignore[arg-type]
    return [
        {},
        {"Accept-Encoding": "br"},
        {"Accept-Encoding": "gzip", STYLES_HEADER: styles},
        {"Accept-Encoding": "identity", "Sec-Fetch-Site": "same-origin"},
        {"Accept-Encoding": "gzip", **BROWSER},
    ]


def test_a_remembered_answer_is_the_answer_the_long_way_gives(client: TestClient) -> None:
    for path in PATHS:
        for headers in variants(client):
            first, second, remembered = twice(client, path, headers)
            assert remembered == 1, (path, headers)
            assert first.status_code == second.status_code == 200  # type: ignore[attr-defined]
            assert first.headers.multi_items() == second.headers.multi_items(), (path, headers)  # type: ignore[attr-defined]
            assert first.content == second.content  # type: ignore[attr-defined]


def test_a_remembered_revalidation_is_the_same_304(client: TestClient) -> None:
    etag = client.get("/en/signs-to-spot", headers={"Accept-Encoding": "gzip"}).headers["etag"]
    first, second, remembered = twice(client, "/en/signs-to-spot", {"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert remembered == 1
    assert first.status_code == second.status_code == 304  # type: ignore[attr-defined]
    assert first.headers.multi_items() == second.headers.multi_items()  # type: ignore[attr-defined]
    assert "content-security-policy" in second.headers and "strict-transport-security" in second.headers  # type: ignore[attr-defined]


def test_the_inline_and_the_linked_stylesheet_are_never_crossed(client: TestClient) -> None:
    styles = site_of_app(client.app).assets.manifest["app.css"]  # type: ignore[arg-type]
    for _ in range(2):
        inline = client.get("/en/get-help")
        linked = client.get("/en/get-help", headers={STYLES_HEADER: styles})
        same_site = client.get("/en/get-help", headers={"Sec-Fetch-Site": "same-origin"})
        assert "<style" in inline.text and "<style" not in linked.text and "<style" not in same_site.text
        assert inline.headers["content-security-policy"] != linked.headers["content-security-policy"]


def test_page_views_are_counted_the_same_both_ways(client: TestClient) -> None:
    counter = site_of_app(client.app).figure_counter  # type: ignore[arg-type]
    assert isinstance(counter, FigureCounter)
    _, _, remembered = twice(client, "/en/myths-and-facts", BROWSER)
    assert remembered == 1
    views = {key: n for (day, metric, key), n in counter.pending().items() if metric == VIEW}
    assert views == {"/en/myths-and-facts": 2}
    twice(client, "/en/myths-and-facts", {**BROWSER, "Sec-Fetch-Dest": "image"})  # not a page view, either way
    twice(client, "/en/myths-and-facts", {"User-Agent": "curl/8.0"})
    views = {key: n for (day, metric, key), n in counter.pending().items() if metric == VIEW}
    assert views == {"/en/myths-and-facts": 2}


def test_the_access_log_has_the_same_line_both_ways(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="web.access"):
        _, _, remembered = twice(client, "/cy/get-help", {})
    assert remembered == 1
    lines = [record.getMessage().rsplit(" ", 1)[0] for record in caplog.records if record.name == "web.access"]
    assert lines == ["GET /cy/get-help 200", "GET /cy/get-help 200"]


def test_an_old_host_name_is_still_redirected_after_the_page_is_remembered(client: TestClient) -> None:
    client.get("/en/get-help")
    client.get("/en/get-help")
    moved = client.get("/en/get-help", headers={"Host": "www.ltai.info"}, follow_redirects=False)
    assert moved.status_code == 301


def test_requests_that_ask_more_go_the_long_way(client: TestClient) -> None:
    client.get("/en/get-help")
    for method, path, headers in [
        ("GET", "/en/get-help?from=ltai", {}),  # the query string: the notice, a campaign's tags
        ("HEAD", "/en/get-help", {}),
        ("GET", "/en/get-help", {"Content-Length": "0"}),  # a body: the body limit's
    ]:
        before = served(client)
        answer = client.request(method, path, headers=headers)
        assert answer.status_code == 200 and served(client) == before, (method, path)


def test_films_and_error_pages_are_not_remembered(client: TestClient) -> None:
    films = site_of_app(client.app).films.films  # type: ignore[arg-type]
    assert films, "the shipped content has films"
    for path in ["/en/no-such-page", "/en/films", f"/en/films/{films[0].slug}"]:
        _, _, remembered = twice(client, path, {})
        assert remembered == 0, path


def test_the_support_line_opening_is_seen_at_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.public.support_line.utc_now", lambda: dt.datetime(2026, 1, 15, 8, 59, tzinfo=dt.UTC))
    _, closed, remembered = twice(client, "/en/get-help", {})
    assert remembered == 1 and "The support line is closed now." in closed.text  # type: ignore[attr-defined]
    monkeypatch.setattr("web.public.support_line.utc_now", lambda: dt.datetime(2026, 1, 15, 9, 0, tzinfo=dt.UTC))
    assert "The support line is open now." in client.get("/en/get-help").text


def test_the_hours_feedback_token_is_seen_at_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    start = 1_800_000_000 - 1_800_000_000 % 3600
    monkeypatch.setattr("web.public.feedback.time.time", lambda: start + 3599.0)
    _, before, _ = twice(client, "/en/signs-to-spot", {})
    monkeypatch.setattr("web.public.feedback.time.time", lambda: start + 3600.0)
    after = client.get("/en/signs-to-spot")
    assert before.text != after.text  # type: ignore[attr-defined]


def test_a_content_change_is_seen_at_once(client: TestClient) -> None:
    twice(client, "/en/myths-and-facts", {})
    library = site_of_app(client.app).library  # type: ignore[arg-type]
    page = library.pages[("en", "myths-and-facts")]
    changed = replace(page, body_html=page.body_html + "<p>A sentence added today.</p>")
    pages = {**library.pages, ("en", "myths-and-facts"): changed}
    change_site(client.app, library=ContentLibrary(pages, library.languages, library.facts))  # type: ignore[arg-type]
    assert "A sentence added today." in client.get("/en/myths-and-facts").text


def test_a_page_no_longer_kept_is_no_longer_remembered(client: TestClient) -> None:
    twice(client, "/en/myths-and-facts", {})
    site_of_app(client.app).rendered.entries.clear()  # type: ignore[arg-type]
    before = served(client)
    assert client.get("/en/myths-and-facts").status_code == 200
    assert served(client) == before


def test_what_is_remembered_is_bounded(app: Starlette) -> None:
    with TestClient(app, base_url=SITE) as client:
        client.get("/healthz")
        layer = front(app)
        layer.max_paths, layer.max_variants = 3, 2
        for path in PATHS:
            client.get(path)
            client.get(path, headers={"Sec-Fetch-Site": "same-origin"})
            client.get(path, headers={"Sec-Fetch-Site": "cross-site"})
            assert len(layer.paths) <= 3
            assert all(len(answers) <= 2 for _, answers in layer.paths.values())


def test_only_the_sites_own_host_is_remembered(client: TestClient) -> None:
    """A Host made up (long, to fill memory, or many, to push the readers' answers out) goes the long way."""
    layer = front(client.app)  # type: ignore[arg-type]
    for host in ["a" * 600, "x1.example", "evil@actearly.test", "actearly.test:8443"]:
        layer.paths.clear()
        assert client.get("/en/get-help", headers={"Host": host}).status_code == 200
        assert layer.paths.get("/en/get-help") is None, host
    for host in ["actearly.test", "ACTEARLY.test"]:
        layer.paths.clear()
        client.get("/en/get-help", headers={"Host": host})
        assert layer.paths.get("/en/get-help") is not None, host


def test_a_page_replaced_in_memory_is_let_go(client: TestClient) -> None:
    layer = front(client.app)  # type: ignore[arg-type]
    layer.paths.clear()
    client.get("/en/get-help")
    site_of_app(client.app).rendered.entries.clear()  # type: ignore[arg-type]  # as at RenderedPages' bound
    client.get("/en/get-help", headers={"Sec-Fetch-Site": "same-origin"})
    _, variants = layer.paths["/en/get-help"]
    assert len(variants) == 1  # the answer whose page was dropped is not held here either
    client.get("/en/get-help")  # its own key again: the long way, then remembered anew
    assert len(variants) == 2


def test_the_oldest_variant_goes_first(client: TestClient) -> None:
    layer = front(client.app)  # type: ignore[arg-type]
    layer.paths.clear()
    layer.max_variants = 2
    styles = site_of_app(client.app).assets.manifest["app.css"]  # type: ignore[arg-type]
    for headers in ({}, {"Sec-Fetch-Site": "same-origin"}, {STYLES_HEADER: styles}):
        client.get("/en/get-help", headers=headers)
    _, variants = layer.paths["/en/get-help"]
    assert len(variants) == 2
    assert all(b"same-origin" in key or styles.encode() in key for key in variants)


def test_an_answer_that_fails_before_it_starts_goes_the_long_way(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get("/en/get-help")
    failures = []
    send_to = RenderedResponse.send_to

    async def failing_once(self: RenderedResponse, scope: Scope, send: Send) -> None:
        if not failures:
            failures.append(True)
            raise MemoryError
        await send_to(self, scope, send)

    monkeypatch.setattr(RenderedResponse, "send_to", failing_once)
    before = served(client)
    answer = client.get("/en/get-help")
    assert failures and answer.status_code == 200 and "content-security-policy" in answer.headers
    assert served(client) == before
