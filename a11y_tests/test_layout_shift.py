"""Nothing moves (issue 17): on every page, on a desktop and on a phone, a first visit's cumulative layout shift
stays under 0.02, counted by Chromium itself (PerformanceObserver, 'layout-shift' entries without input).

What appears after the first paint (the offline controls once their catalogue has loaded, the saved pages'
list) must take space reserved for it or appear below the window. Each page opens in a fresh browser
context, as a first visit does, and is measured once the network is quiet and what the offline script
shows is showing. The pages: every page the browser checks visit, and the offline pages and the toolkit.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, ViewportSize

from a11y_tests.pages import DESKTOP, PAGE_STATES, PHONE
from web.content.names import LANGUAGE_NAMES
from web.offline.worker import offline_paths

LIMIT = 0.02
PATHS = list(
    dict.fromkeys(
        [state.path for state in PAGE_STATES]
        + [path for lang in LANGUAGE_NAMES for path in offline_paths(lang)]
        + ["/toolkit"]
    )
)
# The save controls, shown by static/js/offline.mjs once their catalogue has loaded (after the page's load).
SHOWN_LATER = ("[data-offline-save]",)
# Every layout-shift entry so far without recent input, with the elements that moved: Chromium buffers
# them, and takeRecords() hands over what the observer has not delivered yet.
LAYOUT_SHIFTS = """() => new Promise((resolve) => {
  const shifts = []
  const keep = (entries) => { for (const entry of entries) if (!entry.hadRecentInput) shifts.push(entry) }
  const observer = new PerformanceObserver((list) => keep(list.getEntries()))
  observer.observe({ type: 'layout-shift', buffered: true })
  requestAnimationFrame(() => requestAnimationFrame(() => {
    keep(observer.takeRecords())
    observer.disconnect()
    resolve(shifts.map((entry) => ({
      value: entry.value,
      moved: entry.sources.map((source) => source.node && (source.node.id || source.node.className)),
    })))
  }))
})"""


def layout_shift(browser: Browser, url: str, viewport: ViewportSize) -> tuple[float, list[dict[str, Any]]]:
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        for selector in SHOWN_LATER:
            if page.locator(selector).count():
                page.locator(selector).first.wait_for(state="visible")
        shifts: list[dict[str, Any]] = page.evaluate(LAYOUT_SHIFTS)
        return sum(shift["value"] for shift in shifts), shifts
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone-320"])
def test_no_page_moves_after_its_first_paint(browser: Browser, base_url: str, viewport: ViewportSize) -> None:
    moved = {}
    for path in PATHS:
        total, shifts = layout_shift(browser, base_url + path, viewport)
        if total >= LIMIT:
            moved[path] = (round(total, 3), shifts)
    assert not moved, f"layout shift of {LIMIT} or more: {moved}"


# Where every element of the page is, once what the offline script shows is showing.
BOXES = """() => [...document.querySelectorAll('body *')].map((element) => {
  const box = element.getBoundingClientRect()
  const place = [box.x, box.y, box.width, box.height].map(Math.round)
  return [element.tagName, element.className, ...place]
})"""
# The page's own kinds, for the checks that need one of each rather than every page.
KINDS = [
    "/en/",
    "/cy/signs-to-spot",
    "/ur/signs-to-spot",
    "/en/films/meet-the-officers",
    "/en/share-a-concern",
    "/en/offline/saved",
]


def boxes(browser: Browser, url: str, viewport: ViewportSize, *, without_stylesheet: bool) -> list[list[Any]]:
    context = browser.new_context(viewport=viewport)
    try:
        if without_stylesheet:  # the first visit's inline CSS alone (ADR 22): app.css never arrives
            context.route("**/assets/app.*.css", lambda route: route.abort())
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        for selector in SHOWN_LATER:
            if page.locator(selector).count():
                page.locator(selector).first.wait_for(state="visible")
        found: list[list[Any]] = page.evaluate(BOXES)
        return found
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone-320"])
def test_a_first_visit_looks_the_same_before_the_stylesheet_arrives(
    browser: Browser, base_url: str, viewport: ViewportSize
) -> None:
    """The inline CSS styles every element as app.css does: each element is where it is with the stylesheet."""
    for path in KINDS:
        alone = boxes(browser, base_url + path, viewport, without_stylesheet=True)
        full = boxes(browser, base_url + path, viewport, without_stylesheet=False)
        moved = [(before, after) for before, after in zip(alone, full, strict=True) if before != after]
        assert not moved, f"{path}: {moved[:5]}"


SHOW_UPDATE_PROMPT = """() => {
  const region = document.querySelector('[data-offline-update]')
  region.append(document.querySelector('[data-offline-update-template]').content.cloneNode(true))
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone-320"])
def test_the_new_advice_prompt_moves_nothing(browser: Browser, base_url: str, viewport: ViewportSize) -> None:
    """ "New advice is available" appears over the foot of the window (static/js/offline.mjs fills the region as
    this does), after the page has painted and settled."""
    for path in KINDS:
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            page.goto(base_url + path, wait_until="networkidle")
            for selector in SHOWN_LATER:
                if page.locator(selector).count():
                    page.locator(selector).first.wait_for(state="visible")
            before: list[dict[str, Any]] = page.evaluate(LAYOUT_SHIFTS)
            page.evaluate(SHOW_UPDATE_PROMPT)
            button = page.locator("[data-offline-refresh]")  # its name is in the page's language
            button.wait_for(state="visible")
            assert button.is_visible()
            shifts: list[dict[str, Any]] = page.evaluate(LAYOUT_SHIFTS)
            added = sum(shift["value"] for shift in shifts) - sum(shift["value"] for shift in before)
            assert added < LIMIT / 10, f"{path}: the prompt moved the page by {added}: {shifts}"
        finally:
            context.close()


def test_the_main_navigation_shows_its_links_on_a_phone_with_javascript(browser: Browser, base_url: str) -> None:
    """Not folded behind a "Menu" button once the script has run (folding it moved the page): its links show."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(base_url + "/en/signs-to-spot", wait_until="networkidle")
        navigation = page.get_by_role("navigation", name="Main")
        assert navigation.get_by_role("link", name="Search").is_visible()
        assert navigation.get_by_role("link", name="Get help now").is_visible()
        assert not page.get_by_role("button", name="Menu").is_visible()
    finally:
        context.close()
