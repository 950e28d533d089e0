"""The films in real Chromium: each one plays, its captions load, its transcript is on the page, and
axe finds nothing on the films pages at 320 and 1280 px.

The films are built once for the session, into var/films (what `make` does; skipped when they are
up to date). Without ffmpeg or espeak-ng the build fails, and so do these tests: they never skip.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from audit.axe import axe_violations, describe
from web.content import films
from web.films.build import build_films
from web.shell.navigation import film_url

FILMS = films.load_films()
FILM_PAGES = [(film.slug, lang) for film in FILMS for lang in film.languages]
PATHS = ["/en/films", "/cy/films", *(film_url(lang, slug) for slug, lang in FILM_PAGES)]
WIDTHS: dict[str, ViewportSize] = {"320": {"width": 320, "height": 640}, "1280": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def built_films() -> dict[str, Any]:
    """The real films (espeak-ng + ffmpeg), built once; a missing tool fails the tests with how to install it."""
    return build_films(films.FILMS_DIR, log=lambda message: None)


@pytest.fixture(scope="session")
def films_base_url(built_films: dict[str, Any], base_url: str) -> str:
    """The shared live site, once the films are built (it reads the build's file list when it changes)."""
    return base_url


def open_film(browser: Browser, url: str, **context: Any) -> tuple[Page, list[str]]:
    page = browser.new_context(viewport=WIDTHS["1280"], **context).new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(url)
    return page, errors


PLAY = """async () => {
  const video = document.querySelector("video");
  video.muted = true;
  await video.play();
  return video.currentSrc;
}"""
# Functions, not expressions: Playwright evaluates an expression with eval(), which the CSP forbids.
PLAYED_HALF_A_SECOND = "() => document.querySelector('video').currentTime > 0.5"
SHOW_CAPTIONS = """() => {
  const track = [...document.querySelectorAll("video track")].find((t) => t.kind === "captions");
  track.track.mode = "showing";
  return track.srclang;
}"""
CAPTIONS_LOADED = """() => {
  const track = [...document.querySelectorAll("video track")].find((t) => t.kind === "captions");
  return track.readyState === 2 && track.track.cues.length > 0;
}"""


@pytest.mark.parametrize(("slug", "lang"), FILM_PAGES)
def test_each_film_plays_loads_its_captions_and_has_its_transcript(
    browser: Browser, films_base_url: str, slug: str, lang: str
) -> None:
    page, errors = open_film(browser, films_base_url + film_url(lang, slug))
    try:
        source = page.evaluate(PLAY)
        assert "-standard." in source, "without Save-Data, the standard rendition plays"
        page.wait_for_function(PLAYED_HALF_A_SECOND, timeout=15_000)
        assert page.evaluate(SHOW_CAPTIONS) == lang
        page.wait_for_function(CAPTIONS_LOADED, timeout=10_000)
        transcript = page.locator(".app-transcript").inner_text()
        position = 0
        for line in next(film for film in FILMS if film.slug == slug).scripts[lang].lines:
            position = transcript.index(line.text, position)
        assert errors == [], errors
    finally:
        page.context.close()


def test_save_data_plays_the_low_data_rendition(browser: Browser, films_base_url: str) -> None:
    url = films_base_url + film_url("en", FILMS[0].slug)
    page, _ = open_film(browser, url, extra_http_headers={"Save-Data": "on"})
    try:
        assert "-low." in page.evaluate(PLAY)
        page.wait_for_function(PLAYED_HALF_A_SECOND, timeout=15_000)
    finally:
        page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PATHS)
def test_axe_finds_nothing_on_the_films_pages(browser: Browser, films_base_url: str, path: str, width: str) -> None:
    context = browser.new_context(viewport=WIDTHS[width])
    try:
        page = context.new_page()
        page.goto(films_base_url + path)
        assert page.locator("video").count() == (1 if path.count("/") == 3 else 0)
        violations = axe_violations(page)
        assert not violations, describe(violations)
    finally:
        context.close()


def test_the_player_fits_a_320_px_screen(browser: Browser, films_base_url: str) -> None:
    context = browser.new_context(viewport=WIDTHS["320"])
    try:
        page = context.new_page()
        page.goto(films_base_url + film_url("en", FILMS[0].slug))
        box = page.locator("video").bounding_box()
        assert box is not None and box["x"] + box["width"] <= 320
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
