"""All the content pages, loaded once at start-up and looked up by language and slug."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from web.content.page import ContentError, Page, parse_page

DEFAULT_LANGUAGE = "en"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
HOME = "home"
# Each language's name in that language, for the language switcher and the films' script languages.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "ur": "اردو"}


@dataclass(frozen=True)
class ContentLibrary:
    pages: dict[tuple[str, str], Page]
    languages: tuple[str, ...]

    def get(self, lang: str, slug: str) -> Page | None:
        return self.pages.get((lang, slug))

    def in_language(self, lang: str) -> list[Page]:
        found = [page for (page_lang, _), page in self.pages.items() if page_lang == lang]
        return sorted(found, key=lambda page: (page.order, page.slug))

    def translations(self, slug: str) -> dict[str, Page]:
        return {lang: page for (lang, page_slug), page in self.pages.items() if page_slug == slug}

    def __iter__(self) -> Iterator[Page]:
        return iter(sorted(self.pages.values(), key=lambda page: (page.lang, page.order, page.slug)))

    def __len__(self) -> int:
        return len(self.pages)


def content_files(content_dir: Path) -> list[tuple[str, Path]]:
    """Every `content/<lang>/<slug>.md`, with its language."""
    if not content_dir.is_dir():
        raise ContentError(content_dir, "the content folder does not exist")
    return [
        (lang_dir.name, path)
        for lang_dir in sorted(path for path in content_dir.iterdir() if path.is_dir() and LANGUAGE.match(path.name))
        for path in sorted(lang_dir.glob("*.md"))
    ]


def load_page(lang: str, path: Path) -> Page:
    if not SLUG.match(path.stem):
        raise ContentError(path, "file names must be lower-case words joined by hyphens")
    return parse_page(path, path.read_text(encoding="utf-8"), slug=path.stem, lang=lang)


def load_library(content_dir: Path) -> ContentLibrary:
    """Read every content file. Raises ContentError naming the first bad file."""
    return library_of([load_page(lang, path) for lang, path in content_files(content_dir)], content_dir)


def library_of(loaded: list[Page], content_dir: Path) -> ContentLibrary:
    pages = {(page.lang, page.slug): page for page in loaded}
    languages = tuple(sorted({lang for lang, _ in pages}, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang)))
    if (DEFAULT_LANGUAGE, HOME) not in pages:
        raise ContentError(content_dir / DEFAULT_LANGUAGE / f"{HOME}.md", "the English home page is missing")
    return ContentLibrary(pages=pages, languages=languages)
