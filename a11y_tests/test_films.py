"""The films in real Chromium: each one plays, its captions load, its transcript is on the page, each
has an audio-described version beside it that plays and whose soundtrack is longer by exactly its spoken
descriptions, the details above a player are read once, and axe finds nothing on the films pages at
320 and 1280 px.

The films are built once for the session, into var/films (what `make` does; skipped when they are
up to date). Without ffmpeg or espeak-ng the build fails, and so do these tests: they never skip.
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from audit.axe import axe_violations, describe
from web.content import films
from web.films import build as film_build
from web.films.build import build_films
from web.shell.formats import file_size
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


# Each takes the index of the <video> on the page: 0 is the standard film, 1 the audio-described one.
PLAY = """async (index) => {
  const video = document.querySelectorAll("video")[index ?? 0];
  video.muted = true;
  await video.play();
  return video.currentSrc;
}"""
# Functions, not expressions: Playwright evaluates an expression with eval(), which the CSP forbids.
PLAYED_HALF_A_SECOND = "(index) => document.querySelectorAll('video')[index ?? 0].currentTime > 0.5"
SHOW_CAPTIONS = """(index) => {
  const video = document.querySelectorAll("video")[index ?? 0];
  const track = [...video.querySelectorAll("track")].find((t) => t.kind === "captions");
  track.track.mode = "showing";
  return track.srclang;
}"""
CAPTIONS_LOADED = """(index) => {
  const video = document.querySelectorAll("video")[index ?? 0];
  const track = [...video.querySelectorAll("track")].find((t) => t.kind === "captions");
  return track.readyState === 2 && track.track.cues.length > 0;
}"""
PLAYERS = """() => [...document.querySelectorAll("video")].map((video) => ({
  sources: [...video.querySelectorAll("source")].map((source) => source.src),
  preload: video.getAttribute("preload"),
  autoplay: video.hasAttribute("autoplay") || video.autoplay,
  captions: [...video.querySelectorAll("track[default]")].filter((t) => t.kind === "captions").map((t) => t.srclang),
}))"""
# The length of a file's soundtrack, decoded by Chromium itself (Web Audio), in seconds.
AUDIO_SECONDS = """async (url) => {
  const data = await (await fetch(url)).arrayBuffer();
  const audio = await new OfflineAudioContext(1, 1, 22050).decodeAudioData(data);
  return audio.duration;
}"""


def video_nodes(page: Page) -> list[dict[str, str]]:
    """Each <video>'s accessible name and description, as Chromium gives them to screen readers."""
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    return [
        {"name": node.get("name", {}).get("value", ""), "description": node.get("description", {}).get("value", "")}
        for node in tree["nodes"]
        if node.get("role", {}).get("value") == "Video"
    ]


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as clip:
        return clip.getnframes() / clip.getframerate()


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


@pytest.mark.parametrize(("slug", "lang"), FILM_PAGES)
def test_each_film_offers_an_audio_described_version_beside_it_that_plays_with_captions(
    browser: Browser, films_base_url: str, built_films: dict[str, Any], slug: str, lang: str
) -> None:
    """1.2.5 Audio Description (Prerecorded): a version with the descriptions in its soundtrack, which
    Chromium plays (the descriptions track it turns off), said plainly, sized before play, captioned."""
    page, errors = open_film(browser, films_base_url + film_url(lang, slug))
    try:
        players = page.evaluate(PLAYERS)
        assert len(players) == 2, "the standard film, then the audio-described one"
        standard, described = players
        assert all("-described-" not in source for source in standard["sources"])
        assert "-described-standard." in described["sources"][0] and "-described-low." in described["sources"][1]
        assert described["preload"] == "none" and not described["autoplay"] and described["captions"] == [lang]
        names = [node["name"] for node in video_nodes(page)]
        if lang == "en":
            assert names == ["Watch the film", "Watch with audio description"]
            assert page.get_by_role("heading", name="Watch with audio description", exact=True).count() == 1
        entry = built_films["films"][slug]["languages"][lang]["described"]
        size = file_size(next(item["bytes"] for item in entry["renditions"] if item["name"] == "standard"))
        assert size in page.locator("#film-facts-described").inner_text(), "its size, before it plays"
        assert "-described-standard." in page.evaluate(PLAY, 1)
        page.wait_for_function(PLAYED_HALF_A_SECOND, arg=1, timeout=15_000)
        assert page.evaluate(SHOW_CAPTIONS, 1) == lang
        page.wait_for_function(CAPTIONS_LOADED, arg=1, timeout=10_000)
        assert errors == [], errors
    finally:
        page.context.close()


@pytest.mark.parametrize(("slug", "lang"), FILM_PAGES)
def test_the_described_soundtrack_is_longer_by_the_spoken_descriptions(
    browser: Browser, films_base_url: str, tmp_path: Path, slug: str, lang: str
) -> None:
    """Extended audio description: the slide holds while each description is said, so the described
    soundtrack is the standard one plus every description (as espeak-ng says it) and its pause."""
    page, _ = open_film(browser, films_base_url + film_url(lang, slug))
    try:
        players = page.evaluate(PLAYERS)
        assert len(players) == 2, "no audio-described version on the page"
        standard, described = (page.evaluate(AUDIO_SECONDS, player["sources"][0]) for player in players)
    finally:
        page.context.close()
    film = next(film for film in FILMS if film.slug == slug)
    said = 0.0
    for number, text in enumerate(film_build.description_speech(film, lang)):
        clip = tmp_path / f"description-{number}.wav"
        voice = f"{film_build.VOICES[lang]}+{film_build.DESCRIBER}"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(film_build.SPEED), "-w", str(clip), text], check=True)
        said += wav_seconds(clip) + film_build.DESCRIPTION_GAP
    assert said > 20, "every line has a description"
    assert described - standard == pytest.approx(said, abs=0.1), (standard, described, said)


@pytest.mark.parametrize(("slug", "lang"), FILM_PAGES)
def test_the_film_details_are_read_once_in_words(browser: Browser, films_base_url: str, slug: str, lang: str) -> None:
    """The length and sizes are a list above each player; the player does not repeat them as its
    description, and sizes read as words ("640 by 360 pixels"), not "640 times 360"."""
    page, _ = open_film(browser, films_base_url + film_url(lang, slug))
    try:
        nodes = video_nodes(page)
        assert nodes, "the page has a player"
        for node in nodes:
            assert node["name"], "each player is named"
            assert node["description"] == "", f"the player repeats the details: {node['description']!r}"
        details = page.locator("#film-facts-standard").inner_text()
        assert "×" not in page.locator("main").inner_text()
        if lang == "en":
            assert "640 by 360 pixels" in details and "426 by 240 pixels" in details
    finally:
        page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PATHS)
def test_axe_finds_nothing_on_the_films_pages(browser: Browser, films_base_url: str, path: str, width: str) -> None:
    context = browser.new_context(viewport=WIDTHS[width])
    try:
        page = context.new_page()
        page.goto(films_base_url + path)
        assert page.locator("video").count() == (2 if path.count("/") == 3 else 0)
        violations = axe_violations(page)
        assert not violations, describe(violations)
    finally:
        context.close()


def test_the_players_fit_a_320_px_screen(browser: Browser, films_base_url: str) -> None:
    context = browser.new_context(viewport=WIDTHS["320"])
    try:
        page = context.new_page()
        page.goto(films_base_url + film_url("en", FILMS[0].slug))
        for video in page.locator("video").all():
            box = video.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 320
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
