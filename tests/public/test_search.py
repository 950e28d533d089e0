from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.settings import change_site
from web.content.search import MAX_QUERY_LENGTH, SearchHit, SearchIndex, SnippetPart
from web.shell.critical import STYLES_HEADER
from web.shell.site import site_of_app

HTMX = {"HX-Request": "true", "HX-Request-Type": "partial"}
# A word in each language's "signs to spot" body that is in neither its title nor its summary.
BODY_WORDS = {"en": "crisis", "cy": "argyfwng"}


class RefusingIndex:
    """Stands in for the index where a test shows that the database is not asked."""

    def search(self, lang: str, query: str, limit: int = 20) -> list[SearchHit]:
        raise AssertionError("the index was searched")


class FixedIndex:
    def __init__(self, hits: list[SearchHit]) -> None:
        self.hits = hits

    def search(self, lang: str, query: str, limit: int = 20) -> list[SearchHit]:
        return self.hits


def context(response: Any) -> dict[str, Any]:
    return dict(response.context)


def test_the_app_builds_the_search_index_at_start_up(app: Starlette) -> None:
    index = site_of_app(app).search_index
    assert isinstance(index, SearchIndex)
    assert [hit.slug for hit in index.search("en", "crisis")]
    paths = {getattr(route, "name", None): getattr(route, "path", None) for route in app.router.routes}
    assert paths["search"] == "/{lang:str}/search"


class NoDatabase:
    """Stands in for the engine: any use of it fails the test."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"search used the database ({name})")


def test_search_never_asks_the_database(client: TestClient) -> None:
    """Issue 15 item 11: a search cannot tie up a database connection, however hostile the query."""
    change_site(client.app, engine=NoDatabase())
    for query in ("⒜" * 98, "far right", "radic"):
        assert client.get("/en/search", params={"q": query}).status_code == 200


def test_the_boxes_a_page_shows_are_searched_with_it(app: Starlette) -> None:
    """ "What is urgent" is in a template, not in the Markdown of the pages that show it."""
    for page in ("get-help", "signs-to-spot"):
        assert "weapon" not in site_of_app(app).library.get("en", page).body_text
    assert {"get-help", "signs-to-spot"} <= {hit.slug for hit in site_of_app(app).search_index.search("en", "weapon")}


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_search_finds_a_page_by_a_word_in_its_body(client: TestClient, lang: str) -> None:
    word = BODY_WORDS[lang]
    page = site_of_app(client.app).library.get(lang, "signs-to-spot")
    assert word in page.body_text and word not in page.title + page.summary, "pick another word"
    response = client.get(f"/{lang}/search", params={"q": word})
    assert response.status_code == 200
    assert response.template.name == "search/results.html"
    found = context(response)
    assert (found["lang"], found["query"]) == (lang, word)
    assert "signs-to-spot" in [hit.slug for hit in found["hits"]]
    assert found["count"] == len(found["hits"])
    assert re.search(
        rf'<a class="govuk-link" href="/{lang}/signs-to-spot(#[a-z0-9-]+)?">{page.title}</a>', response.text
    )
    assert f"<mark>{word}</mark>" in response.text
    assert f'<html lang="{lang}"' in response.text


def test_the_last_word_typed_matches_the_start_of_a_word(client: TestClient) -> None:
    hits = context(client.get("/en/search", params={"q": "radic"}))["hits"]
    assert "what-is-radicalisation" in [hit.slug for hit in hits]


def test_welsh_words_match_without_their_circumflex(client: TestClient) -> None:
    hits = context(client.get("/cy/search", params={"q": "grwp"}))["hits"]
    assert hits, "a Welsh page with the word grŵp"
    assert any(part.marked and part.text.lower() == "grŵp" for hit in hits for part in hit.snippet)


def test_the_status_counts_the_results_for_the_query(client: TestClient) -> None:
    response = client.get("/en/search", params={"q": "crisis"})
    count = context(response)["count"]
    noun = "result" if count == 1 else "results"
    status = f'<p id="search-status" class="govuk-body" role="status">{count} {noun} for “crisis”</p>'
    assert status in response.text


def test_the_form_works_without_javascript_and_keeps_the_query(client: TestClient) -> None:
    text = client.get("/en/search", params={"q": "  crisis  "}).text
    assert '<form action="/en/search" method="get"' in text
    assert re.search(r'<label class="govuk-label govuk-label--m" for="search-q">\s*Search ACT Early\s*</label>', text)
    assert re.search(r'<input class="govuk-input" id="search-q" name="q" type="search"[^>]* value="crisis"', text)
    assert re.search(r'<button type="submit" class="govuk-button"[^>]*>\s*Search\s*</button>', text)
    assert 'autocomplete="off"' in text  # a shared browser should not suggest what someone searched for


def test_the_search_box_asks_htmx_for_results_as_the_reader_types(client: TestClient) -> None:
    text = client.get("/cy/search").text
    assert 'hx-get="/cy/search"' in text
    assert 'hx-trigger="input changed delay:400ms, search"' in text
    assert 'hx-target="#search-results"' in text
    assert " hx-on" not in text
    assert site_of_app(client.app).assets.url("htmx.js") in text
    assert """<meta name="htmx-config" content='{"includeIndicatorCSS":false}'>""" in text


def test_only_the_search_page_loads_htmx(client: TestClient) -> None:
    htmx = site_of_app(client.app).assets.url("htmx.js")
    assert htmx not in client.get("/en/signs-to-spot").text


def test_an_htmx_request_gets_the_results_with_the_status_out_of_band(client: TestClient) -> None:
    response = client.get("/en/search", params={"q": "crisis"}, headers=HTMX)
    assert response.status_code == 200
    assert response.template.name == "search/_results.html"
    text = response.text
    assert "<html" not in text and "<h1" not in text
    assert re.search(r'<p id="search-status" class="govuk-body" role="status" hx-swap-oob="innerHTML">\d+ result', text)
    assert '<div id="search-results">' in text
    assert "<mark>crisis</mark>" in text


def test_the_full_page_has_no_out_of_band_markup(client: TestClient) -> None:
    assert "hx-swap-oob" not in client.get("/en/search", params={"q": "crisis"}).text


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
        {"HX-Request": "true", "HX-Request-Type": "full"},
    ],
    ids=["history restore", "whole-page swap"],
)
def test_htmx_requests_for_a_whole_page_get_the_whole_page(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/en/search", params={"q": "crisis"}, headers=headers)
    assert response.template.name == "search/results.html"


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_search_responses_are_never_stored_and_vary_on_htmx(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/en/search", params={"q": "crisis"}, headers=headers)
    assert response.headers["cache-control"] == "no-store"
    assert "HX-Request" in response.headers["vary"]


def test_an_unknown_language_is_a_404(client: TestClient) -> None:
    assert client.get("/xx/search", params={"q": "crisis"}).status_code == 404


def test_an_empty_query_shows_the_form_and_asks_nothing_of_the_index(client: TestClient) -> None:
    change_site(client.app, search_index=RefusingIndex())
    for query in ("", "   "):
        response = client.get("/en/search", params={"q": query})
        assert response.status_code == 200
        assert (context(response)["hits"], context(response)["count"]) == ([], 0)
        assert '<p id="search-status" class="govuk-body" role="status"></p>' in response.text
        assert "No pages match" not in response.text
    assert client.get("/en/search").status_code == 200


def test_an_overlong_query_shows_an_error_summary_linked_to_the_box(client: TestClient) -> None:
    change_site(client.app, search_index=RefusingIndex())
    response = client.get("/en/search", params={"q": "a" * (MAX_QUERY_LENGTH + 1)})
    assert response.status_code == 200
    assert context(response)["error"] == "Search term must be 100 characters or fewer"
    text = response.text
    assert "<title>Error: Search \u2013 ACT Early</title>" in text
    assert 'class="govuk-error-summary"' in text and "There is a problem" in text
    assert re.search(r'<a href="#search-q">\s*Search term must be 100 characters or fewer\s*</a>', text)
    assert 'aria-describedby="search-q-error"' in text
    assert 'value="' + "a" * (MAX_QUERY_LENGTH + 1) + '"' in text


def test_an_overlong_query_from_htmx_announces_the_error(client: TestClient) -> None:
    response = client.get("/en/search", params={"q": "a" * 500}, headers=HTMX)
    assert response.status_code == 200
    assert 'hx-swap-oob="innerHTML">Search term must be 100 characters or fewer</p>' in response.text


def test_a_query_of_exactly_the_limit_is_searched(client: TestClient) -> None:
    response = client.get("/en/search", params={"q": "crisis " + "x" * (MAX_QUERY_LENGTH - 7)})
    assert context(response)["error"] is None


def test_no_results_offers_the_help_page_and_the_support_line(client: TestClient) -> None:
    response = client.get("/cy/search", params={"q": "zzyzzx"})
    assert context(response)["count"] == 0
    assert "0 canlyniad ar gyfer “zzyzzx”" in response.text
    assert 'href="/cy/get-help"' in response.text
    assert 'href="tel:08000113764"' in response.text


def test_the_query_and_the_snippets_are_escaped(client: TestClient) -> None:
    hit = SearchHit(
        slug="signs-to-spot",
        title="<i>Title</i>",
        summary="<b>Summary</b>",
        snippet=(SnippetPart("<script>x</script> ", False), SnippetPart("<img src=x>", True)),
    )
    change_site(client.app, search_index=FixedIndex([hit]))
    text = client.get("/en/search", params={"q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)</script>" not in text and "<script>x</script>" not in text
    assert "&lt;script&gt;x&lt;/script&gt; <mark>&lt;img src=x&gt;</mark>" in text
    assert "&lt;i&gt;Title&lt;/i&gt;" in text and "&lt;b&gt;Summary&lt;/b&gt;" in text
    assert "for “&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;”" in text


def test_the_search_term_is_not_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        client.get("/en/search", params={"q": "crisis"})
        client.get("/en/search", params={"q": "crisis"}, headers=HTMX)
    # The test client logs the URL it asked for; everything the site logs must leave the term out.
    site = [record for record in caplog.records if not record.name.startswith("httpx")]
    assert any(record.name == "web.access" for record in site)
    assert not [record for record in site if "crisis" in record.getMessage()]


def test_the_search_page_has_no_inline_script_or_style(client: TestClient) -> None:
    worker = {STYLES_HEADER: site_of_app(client.app).assets.manifest["app.css"]}  # else its CSS inline (ADR 22)
    text = client.get("/en/search", params={"q": "crisis"}, headers=worker).text
    assert "<script>" not in text and "<style" not in text and " style=" not in text
