"""How a first-time visitor finds their way: main navigation, breadcrumbs, the next page."""

from __future__ import annotations

from dataclasses import dataclass

from web.content import ContentLibrary, Page
from web.content.library import HOME

MAIN_NAVIGATION = ("signs-to-spot", "what-happens-next", "get-help")


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str
    current: bool


def page_url(lang: str, slug: str) -> str:
    return f"/{lang}/" if slug == HOME else f"/{lang}/{slug}"


def main_navigation(library: ContentLibrary, lang: str, current: Page | None) -> list[NavItem]:
    items = []
    for slug in MAIN_NAVIGATION:
        page = library.get(lang, slug) or library.get("en", slug)
        if page is None:
            continue
        is_current = current is not None and (
            current.slug == slug or (page.section is not None and current.section == page.section)
        )
        items.append(NavItem(href=page_url(lang, slug), text=page.nav_title, current=is_current))
    return items


def breadcrumbs(page: Page, home_label: str) -> list[NavItem]:
    if page.slug == HOME:
        return []
    return [NavItem(href=page_url(page.lang, HOME), text=home_label, current=False)]


def next_page(library: ContentLibrary, page: Page) -> Page | None:
    if page.section is None:
        return None
    journey = [other for other in library.in_language(page.lang) if other.section == page.section]
    later = [other for other in journey if (other.order, other.slug) > (page.order, page.slug)]
    return later[0] if later else None
