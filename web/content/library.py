"""All the content pages, loaded once at start-up and looked up by language and slug."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from web.content.facts import Facts, load_facts
from web.content.names import DEFAULT_LANGUAGE, HOME, LANGUAGE, SLUG
from web.content.page import ContentError, Page, parse_page

FACTS_FILE = "facts.yaml"


@dataclass(frozen=True)
class ContentLibrary:
    pages: dict[tuple[str, str], Page]
    languages: tuple[str, ...]
    facts: Facts

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


def facts_of(content_dir: Path) -> Facts:
    """The facts file beside the pages (content/facts.yaml)."""
    return load_facts(content_dir / FACTS_FILE)


def load_page(lang: str, path: Path, facts: Facts | None = None) -> Page:
    if not SLUG.match(path.stem):
        raise ContentError(path, "file names must be lower-case words joined by hyphens")
    return parse_page(path, path.read_text(encoding="utf-8"), slug=path.stem, lang=lang, facts=facts)


def load_library(content_dir: Path, deployment: Mapping[str, str] | None = None) -> ContentLibrary:
    """Read every content file, with this deployment's contacts. Raises ContentError naming the first bad file."""
    facts = facts_of(content_dir).with_deployment(deployment or {})
    return library_of([load_page(lang, path, facts) for lang, path in content_files(content_dir)], content_dir, facts)


def library_of(loaded: list[Page], content_dir: Path, facts: Facts) -> ContentLibrary:
    pages = {(page.lang, page.slug): page for page in loaded}
    languages = tuple(sorted({lang for lang, _ in pages}, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang)))
    if (DEFAULT_LANGUAGE, HOME) not in pages:
        raise ContentError(content_dir / DEFAULT_LANGUAGE / f"{HOME}.md", "the English home page is missing")
    return ContentLibrary(pages=pages, languages=languages, facts=facts)
