"""How a first-time visitor finds their way: three sections, breadcrumbs, the next page, languages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from web.content import ContentLibrary, Page
from web.content.names import DEFAULT_LANGUAGE, HOME, LANGUAGE_NAMES
from web.shell.i18n import N_, translations

# The top-level sections: their label in the main navigation and breadcrumbs, and their hub page.
SECTIONS = {
    "understand": (N_("Signs and advice"), "signs-to-spot"),
    "process": (N_("How Prevent works"), "what-happens-next"),
    "help": (N_("Get help now"), "get-help"),
}


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str
    current: bool = False
    lang: str | None = None  # set when the linked page is in another language than the page linking to it

    @property
    def attributes(self) -> dict[str, str]:
        """For GOV.UK macros: say the linked page's language when it differs (the text is translated)."""
        return {"hreflang": self.lang} if self.lang else {}


@dataclass(frozen=True)
class LanguageLink:
    lang: str
    name: str
    href: str
    current: bool


def _other(lang: str, current: str) -> str | None:
    return lang if lang != current else None


def _says_its_language(text: str, other: str | None, gettext: Callable[[str], str]) -> str:
    """A link's text (already in the reader's language) to a page in English: it says so (issue 21)."""
    return f"{text} {gettext('(in English)')}" if other else text


def page_url(lang: str, slug: str) -> str:
    return f"/{lang}/" if slug == HOME else f"/{lang}/{slug}"


def film_url(lang: str, slug: str | None = None) -> str:
    return f"/{lang}/films/{slug}" if slug else f"/{lang}/films"


def _in_language(library: ContentLibrary, lang: str, slug: str) -> Page | None:
    return library.get(lang, slug) or library.get(DEFAULT_LANGUAGE, slug)


def main_navigation(library: ContentLibrary, lang: str, current: Page | None, path: str = "") -> list[NavItem]:
    gettext = translations(lang).gettext
    items = []
    for section, (label, slug) in SECTIONS.items():
        hub = _in_language(library, lang, slug)
        if hub is not None:
            is_current = current is not None and (current.slug == slug or current.section == section)
            other = _other(hub.lang, lang)
            text = _says_its_language(gettext(label), other, gettext)
            items.append(NavItem(href=page_url(hub.lang, slug), text=text, current=is_current, lang=other))
    search = f"/{lang}/search"
    items.append(NavItem(href=search, text=gettext("Search"), current=path == search))
    return items


def breadcrumbs(library: ContentLibrary, page: Page) -> list[NavItem]:
    if page.slug == HOME:
        return []
    gettext = translations(page.lang).gettext
    trail = [NavItem(href=page_url(page.lang, HOME), text=gettext("Home"))]
    label, hub_slug = SECTIONS.get(page.section or "", ("", ""))
    hub = _in_language(library, page.lang, hub_slug) if hub_slug and hub_slug != page.slug else None
    if hub is not None:
        other = _other(hub.lang, page.lang)
        text = _says_its_language(gettext(label), other, gettext)
        trail.append(NavItem(href=page_url(hub.lang, hub.slug), text=text, lang=other))
    return trail


def section_pages(library: ContentLibrary, page: Page) -> list[NavItem]:
    """The pages of the current page's section, in journey order, for "In this section"."""
    if page.section is None:
        return []
    english = [other for other in library.in_language(DEFAULT_LANGUAGE) if other.section == page.section]
    items = []
    for original in english:
        shown = _in_language(library, page.lang, original.slug)
        assert shown is not None
        items.append(
            NavItem(
                href=page_url(shown.lang, shown.slug),
                text=shown.nav_title,
                current=shown.slug == page.slug,
                lang=_other(shown.lang, page.lang),
            )
        )
    return items


def next_page(library: ContentLibrary, page: Page) -> Page | None:
    """The next page of the section's journey that exists in the page's own language."""
    journey = [other.slug for other in library.in_language(DEFAULT_LANGUAGE) if other.section == page.section]
    if page.section is None or page.slug not in journey:
        return None
    for slug in journey[journey.index(page.slug) + 1 :]:
        translated = library.get(page.lang, slug)
        if translated is not None:
            return translated
    return None


def language_links(library: ContentLibrary, lang: str, page: Page | None) -> list[LanguageLink]:
    """Every language of the site: the current page's translation where there is one, else that language's home."""
    links = []
    for other in library.languages:
        translated = library.get(other, page.slug) if page is not None else None
        slug = translated.slug if translated is not None else HOME
        links.append(
            LanguageLink(
                lang=other, name=LANGUAGE_NAMES.get(other, other), href=page_url(other, slug), current=other == lang
            )
        )
    return links
