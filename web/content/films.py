"""The films as content: their scripts (`content/films/<slug>.yaml`) and what has been built from them.

A script holds, per language, the lines the officers say and what is seen. The narration, captions,
audio description track, the audio-described version and the transcript on the page all come from
those lines (web/films/build.py builds the videos), so they cannot drift apart: a film whose script
changed since its build is shown as a transcript only until it is built again. Pure code: no HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from web.content.names import LANGUAGE_NAMES
from web.content.page import Source
from web.settings import ROOT

SCRIPTS_DIR = ROOT / "content" / "films"
FILMS_DIR = ROOT / "var" / "films"  # built by `python -m web films build`; git-ignored
MANIFEST = "films.json"
LINE_FIELDS = ("speaker", "text", "slide", "audio_description")
MAX_SLIDE = 60


class FilmError(ValueError):
    """A film script is wrong. The message names the file and what is wrong with it."""


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str  # what is said: the captions and the transcript
    slide: str  # the short words on screen
    audio_description: str  # what is seen, for the descriptions track and the transcript
    spoken: str | None = None  # how the speech synthesiser should say `text` (phone numbers), if not as written

    @property
    def speaker_name(self) -> str:
        return self.speaker.split(",")[0].strip()


@dataclass(frozen=True)
class Script:
    lang: str
    title: str
    summary: str
    sources: tuple[Source, ...]
    lines: tuple[Line, ...]
    translator_reviewed: bool | None = None  # None for the original (English) script


@dataclass(frozen=True)
class Film:
    slug: str
    order: int
    updated: dt.date
    voices: dict[str, str]  # speaker's name (before the comma) -> espeak-ng voice variant
    scripts: dict[str, Script]
    revision: str  # of the script file: a build is current only for the revision it was made from

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.scripts)


def load_films(directory: Path = SCRIPTS_DIR) -> tuple[Film, ...]:
    films = [load_film(path) for path in sorted(directory.glob("*.yaml"))] if directory.is_dir() else []
    return tuple(sorted(films, key=lambda film: (film.order, film.slug)))


def load_film(path: Path) -> Film:
    data = path.read_bytes()
    meta = yaml.safe_load(data)
    if not isinstance(meta, dict):
        raise FilmError(f"{path}: a film script is a YAML mapping")
    try:
        scripts = {lang: _script(lang, meta[lang]) for lang in meta if lang in LANGUAGE_NAMES}
        film = Film(
            slug=path.stem,
            order=int(meta["order"]),
            updated=meta["updated"],
            voices={str(name): str(variant) for name, variant in meta["voices"].items()},
            scripts=scripts,
            revision=hashlib.sha256(data).hexdigest()[:12],
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise FilmError(f"{path}: {type(error).__name__} {error}") from None
    problem = _problem(film)
    if problem:
        raise FilmError(f"{path}: {problem}")
    return film


def _script(lang: str, raw: dict[str, Any]) -> Script:
    return Script(
        lang=lang,
        title=str(raw["title"]).strip(),
        summary=str(raw["summary"]).strip(),
        sources=tuple(Source(title=str(item["title"]), url=str(item["url"])) for item in raw["sources"]),
        lines=tuple(_line(item) for item in raw["lines"]),
        translator_reviewed=raw.get("translator_reviewed"),
    )


def _line(raw: dict[str, Any]) -> Line:
    unknown = set(raw) - {*LINE_FIELDS, "spoken"}
    if unknown:
        raise ValueError(f"unknown line field {sorted(unknown)[0]!r} (known: {', '.join(LINE_FIELDS)}, spoken)")
    values = {field: " ".join(str(raw[field]).split()) for field in LINE_FIELDS}
    return Line(**values, spoken=" ".join(str(raw["spoken"]).split()) if raw.get("spoken") else None)


def _problem(film: Film) -> str | None:
    if "en" not in film.scripts:
        return "the English script (en) is missing"
    if not isinstance(film.updated, dt.date):
        return "updated must be a date (YYYY-MM-DD)"
    counts = {lang: len(script.lines) for lang, script in film.scripts.items()}
    if len(set(counts.values())) != 1 or 0 in counts.values():
        return f"every language needs the same lines, in the same order (lines: {counts})"
    for script in film.scripts.values():
        if not script.sources or any(not source.url.startswith("https://") for source in script.sources):
            return f"{script.lang}: sources must be a list of https addresses"
        if script.lang != "en" and script.translator_reviewed is None:
            return f"{script.lang}: say whether a translator has reviewed it (translator_reviewed)"
        for number, line in enumerate(script.lines, start=1):
            if not all(getattr(line, field) for field in LINE_FIELDS):
                return f"{script.lang} line {number}: needs {', '.join(LINE_FIELDS)}"
            if len(line.slide) > MAX_SLIDE:
                return f"{script.lang} line {number}: the slide has more than {MAX_SLIDE} characters"
            if line.speaker_name not in film.voices:
                return f"{script.lang} line {number}: no voice for {line.speaker_name!r} (voices)"
    return None


@dataclass(frozen=True)
class Rendition:
    name: str  # standard | low
    file: str
    width: int
    height: int
    bytes: int
    type: str


@dataclass(frozen=True)
class Track:
    kind: str  # captions | subtitles | descriptions
    srclang: str
    file: str
    bytes: int


@dataclass(frozen=True)
class BuiltVersion:
    """The audio-described version: the descriptions are in its soundtrack and captions."""

    duration: float
    poster: str
    renditions: tuple[Rendition, ...]
    tracks: tuple[Track, ...]


@dataclass(frozen=True)
class BuiltFilm:
    duration: float
    poster: str
    renditions: tuple[Rendition, ...]
    tracks: tuple[Track, ...]
    described: BuiltVersion | None = None  # None from a build older than the described versions


class FilmLibrary:
    """The scripts, and what has been built from them (re-read when the build's manifest changes)."""

    def __init__(self, films: tuple[Film, ...], built_dir: Path = FILMS_DIR) -> None:
        self.films = films
        self.built_dir = built_dir
        self._stamp: float | None = None
        self._manifest: dict[str, Any] = {}

    def film(self, slug: str) -> Film | None:
        return next((film for film in self.films if film.slug == slug), None)

    def in_language(self, lang: str) -> list[Film]:
        return [film for film in self.films if lang in film.scripts]

    def manifest(self) -> dict[str, Any]:
        path = self.built_dir / MANIFEST
        try:
            stamp = path.stat().st_mtime
        except FileNotFoundError:
            self._stamp, self._manifest = None, {}
            return self._manifest
        if stamp != self._stamp:
            self._manifest, self._stamp = json.loads(path.read_text(encoding="utf-8")), stamp
        return self._manifest

    def built(self, film: Film, lang: str) -> BuiltFilm | None:
        """The film as built from its current script, or None (not built, or the script changed since)."""
        entry = self.manifest().get("films", {}).get(film.slug, {})
        if entry.get("revision") != film.revision or lang not in entry.get("languages", {}):
            return None
        raw = entry["languages"][lang]
        described = raw.get("described")
        return BuiltFilm(
            duration=float(raw["duration"]),
            poster=raw["poster"],
            renditions=tuple(Rendition(**item) for item in raw["renditions"]),
            tracks=tuple(Track(**item) for item in raw["tracks"]),
            described=BuiltVersion(
                duration=float(described["duration"]),
                poster=described["poster"],
                renditions=tuple(Rendition(**item) for item in described["renditions"]),
                tracks=tuple(Track(**item) for item in described["tracks"]),
            )
            if described
            else None,
        )

    def file(self, name: str) -> Path | None:
        if name not in set(self.manifest().get("files", [])):
            return None
        path = self.built_dir / name
        return path if path.is_file() else None
