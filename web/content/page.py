"""One content page: its front matter, validated, and its rendered body."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from web.content.markdown import Heading, Image, Link, render_markdown

REQUIRED = ("title", "summary", "lang", "reviewed", "review_due", "sources")
OPTIONAL = ("nav_title", "section", "order", "translation_of", "translator_reviewed", "layout", "film")
LAYOUTS = ("advice", "home")


class ContentError(ValueError):
    """A content file is wrong. The message names the file and, where it can, the field."""

    def __init__(self, path: Path | str, message: str, field: str | None = None) -> None:
        self.path = Path(path)
        self.field = field
        shown = display_path(self.path)
        super().__init__(f"{shown}: front matter field '{field}' {message}" if field else f"{shown}: {message}")


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    lang: str | None = None  # the title's language, when it is not the page's (the facts file's are English)


@dataclass(frozen=True)
class TranslationOf:
    page: str
    revision: str


class FactSet(Protocol):
    """What a page needs of the facts file (web/content/facts.py's `Facts` has it)."""

    def expand(self, markdown: str, lang: str, path: Path) -> tuple[str, tuple[str, ...]]: ...
    def source_of(self, name: str) -> Source: ...


@dataclass(frozen=True)
class Page:
    path: Path
    slug: str
    lang: str
    title: str
    summary: str
    reviewed: dt.date  # when its facts were last checked against their sources
    review_due: dt.date  # when they must be checked again: `content check` fails a page past it
    sources: tuple[Source, ...]  # its own, then those of the facts it uses
    body_html: str
    headings: tuple[Heading, ...]
    body_text: str
    links: tuple[Link, ...]
    images: tuple[Image, ...]
    revision: str
    nav_title: str
    section: str | None = None
    order: int = 0
    layout: str = "advice"
    translation_of: TranslationOf | None = None
    translator_reviewed: bool | None = None
    facts_used: tuple[str, ...] = ()
    film: str | None = None  # the slug of the film that helps with this page (content/films/<slug>.yaml)

    @property
    def updated(self) -> dt.date:
        """The date search engines are told the page changed (the sitemap's lastmod)."""
        return self.reviewed


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_page(path: Path, text: str, *, slug: str, lang: str, facts: FactSet | None = None) -> Page:
    meta, body = split_front_matter(path, text)
    unknown = sorted(set(meta) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ContentError(path, f"is not a known field (known: {', '.join(REQUIRED + OPTIONAL)})", unknown[0])
    for key in REQUIRED:
        if key not in meta or meta[key] in (None, "", []):
            raise ContentError(path, "is missing", key)
    if meta["lang"] != lang:
        raise ContentError(path, f"says {meta['lang']!r} but the file is in the {lang!r} folder", "lang")
    used: tuple[str, ...] = ()
    if facts is not None:
        body, used = facts.expand(body, lang, path)
    rendered = render_markdown(body, lang)
    reviewed, review_due = _date(path, meta, "reviewed"), _date(path, meta, "review_due")
    if review_due <= reviewed:
        raise ContentError(path, f"must come after reviewed ({reviewed})", "review_due")
    own = _sources(path, meta["sources"])
    from_facts = tuple(facts.source_of(name) for name in used) if facts is not None else ()
    return Page(
        path=path,
        slug=slug,
        lang=lang,
        title=_text(path, meta, "title", limit=90),
        summary=_text(path, meta, "summary", limit=300),
        reviewed=reviewed,
        review_due=review_due,
        sources=_distinct(own, from_facts),
        body_html=rendered.html,
        headings=rendered.headings,
        body_text=rendered.text,
        links=rendered.links,
        images=rendered.images,
        revision=hashlib.sha256(text.encode()).hexdigest()[:12],
        nav_title=_text(path, meta, "nav_title", limit=40) if "nav_title" in meta else meta["title"],
        section=meta.get("section"),
        order=_int(path, meta, "order"),
        layout=_layout(path, meta),
        translation_of=_translation_of(path, meta.get("translation_of")),
        translator_reviewed=_optional_bool(path, meta, "translator_reviewed"),
        facts_used=used,
        film=str(meta["film"]) if meta.get("film") else None,
    )


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        raise ContentError(path, "has no front matter: it must start with a line '---'")
    end = text.find("\n---\n", 4)
    if end == -1:
        raise ContentError(path, "front matter is not closed by a line '---'")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as error:
        raise ContentError(path, f"front matter is not valid YAML ({error})") from None
    if not isinstance(meta, dict):
        raise ContentError(path, "front matter must be a mapping of field: value")
    return meta, text[end + 5 :]


def _text(path: Path, meta: dict[str, Any], key: str, *, limit: int) -> str:
    value = meta[key]
    if not isinstance(value, str) or not value.strip():
        raise ContentError(path, "must be text", key)
    if len(value) > limit:
        raise ContentError(path, f"is {len(value)} characters long; keep it to {limit}", key)
    return value.strip()


def _date(path: Path, meta: dict[str, Any], key: str) -> dt.date:
    value = meta[key]
    if isinstance(value, dt.date):
        return value
    raise ContentError(path, f"must be a date written YYYY-MM-DD, not {value!r}", key)


def _int(path: Path, meta: dict[str, Any], key: str) -> int:
    value = meta.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ContentError(path, f"must be a whole number, not {value!r}", key)
    return value


def _optional_bool(path: Path, meta: dict[str, Any], key: str) -> bool | None:
    value = meta.get(key)
    if value is not None and not isinstance(value, bool):
        raise ContentError(path, f"must be true or false, not {value!r}", key)
    return value


def _layout(path: Path, meta: dict[str, Any]) -> str:
    layout = meta.get("layout", "advice")
    if layout not in LAYOUTS:
        raise ContentError(path, f"must be one of {', '.join(LAYOUTS)}, not {layout!r}", "layout")
    return str(layout)


def _distinct(own: tuple[Source, ...], from_facts: tuple[Source, ...]) -> tuple[Source, ...]:
    """The page's own sources, then its facts' sources that it does not already list (by address: a
    translated page names a source in its own language, the facts file in English)."""
    seen: dict[str, Source] = {}
    for source in (*own, *from_facts):
        seen.setdefault(_place(source.url), source)
    return tuple(seen.values())


def _place(url: str) -> str:
    """An address without what does not change the page it names: scheme, "www.", a trailing slash, case."""
    return re.sub(r"^https?://(www\.)?", "", url.strip().lower()).rstrip("/")


def _sources(path: Path, value: Any) -> tuple[Source, ...]:
    if not isinstance(value, list):
        raise ContentError(path, "must be a list of {title, url}", "sources")
    sources = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or not item.get("title") or not item.get("url"):
            raise ContentError(path, f"entry {number} needs both a title and a url", "sources")
        if not str(item["url"]).startswith("https://"):
            raise ContentError(path, f"entry {number} url must start with https://", "sources")
        sources.append(Source(title=str(item["title"]), url=str(item["url"])))
    return tuple(sources)


def _translation_of(path: Path, value: Any) -> TranslationOf | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not value.get("page") or value.get("revision") is None:
        raise ContentError(path, "needs both page (the English slug) and revision", "translation_of")
    if not isinstance(value["revision"], str):
        raise ContentError(path, 'revision must be quoted text, e.g. revision: "0123456789ab"', "translation_of")
    return TranslationOf(page=str(value["page"]), revision=str(value["revision"]))
