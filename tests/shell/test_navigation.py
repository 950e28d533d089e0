from __future__ import annotations

import re

from starlette.applications import Starlette
from starlette.testclient import TestClient

from web.shell.navigation import breadcrumbs, language_links, main_navigation, next_page, section_pages
from web.shell.site import site_of_app


def test_the_main_navigation_has_three_sections_with_get_help_now_and_search(app: Starlette) -> None:
    items = main_navigation(site_of_app(app).library, "en", None)
    assert [item.text for item in items] == ["Signs and advice", "How Prevent works", "Get help now", "Search"]
    assert [item.href for item in items] == ["/en/signs-to-spot", "/en/what-happens-next", "/en/get-help", "/en/search"]


def test_a_page_marks_its_section_current(app: Starlette) -> None:
    page = site_of_app(app).library.get("en", "what-is-channel")
    items = main_navigation(site_of_app(app).library, "en", page)
    assert [item.current for item in items] == [False, True, False, False]


def test_breadcrumbs_lead_home_then_to_the_section(app: Starlette) -> None:
    page = site_of_app(app).library.get("en", "what-is-channel")
    trail = breadcrumbs(site_of_app(app).library, page)
    assert [(item.text, item.href) for item in trail] == [
        ("Home", "/en/"),
        ("How Prevent works", "/en/what-happens-next"),
    ]


def test_the_next_page_follows_the_section_order(app: Starlette) -> None:
    library = site_of_app(app).library
    page = library.get("en", "what-happens-next")
    assert next_page(library, page).slug == "your-questions"  # order 10, then 15
    last = section_pages(library, page)[-1]
    assert next_page(library, library.get("en", last.href.rsplit("/", 1)[-1])) is None


def test_section_pages_mark_english_fallbacks_with_their_language(app: Starlette) -> None:
    library = site_of_app(app).library
    page = library.get("ur", "signs-to-spot")
    items = section_pages(library, page)
    current = [item for item in items if item.current]
    assert current[0].href == "/ur/signs-to-spot" and current[0].lang is None
    assert all(item.lang == "en" for item in items if item.href.startswith("/en/"))


def test_the_language_switcher_links_to_the_translation(app: Starlette) -> None:
    library = site_of_app(app).library
    links = {link.lang: link for link in language_links(library, "en", library.get("en", "signs-to-spot"))}
    assert links["cy"].href == "/cy/signs-to-spot" and links["cy"].name == "Cymraeg"
    assert links["en"].current


def test_the_language_switcher_falls_back_to_the_language_home(app: Starlette) -> None:
    library = site_of_app(app).library
    links = {link.lang: link for link in language_links(library, "en", library.get("en", "faq"))}
    assert links["ur"].href == "/ur/"


def test_the_switcher_and_related_links_carry_hreflang(client: TestClient) -> None:
    text = client.get("/ur/signs-to-spot").text
    assert 'href="/cy/signs-to-spot" hreflang="cy" lang="cy" dir="ltr"' in text
    assert re.search(r'hreflang="en"><span lang="en" dir="ltr">[^<]+</span> \(انگریزی میں\)</a>', text)
