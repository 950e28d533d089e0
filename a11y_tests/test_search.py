"""Site search in real Chromium: the form without JavaScript, live results with htmx, and axe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from a11y_tests.pages import DESKTOP, PHONE
from audit.axe import axe_violations, describe

WIDTHS = {"phone-320": PHONE, "desktop-1280": DESKTOP}
# A word in each language's "signs to spot" body (in neither its title nor its summary), and that title.
SEARCHES = {
    "en": ("crisis", "Signs to spot"),
    "cy": ("argyfwng", "Arwyddion i sylwi arnynt"),
}
STATUS = "#search-status"


@pytest.mark.parametrize("lang", SEARCHES)
def test_without_javascript_the_form_submits_and_shows_results(
    browser_without_js: Page, base_url: str, lang: str
) -> None:
    word, title = SEARCHES[lang]
    page = browser_without_js
    page.goto(f"{base_url}/{lang}/search")
    page.locator("input[name=q]").fill(word)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/search\?q={word}$"))
    expect(page.locator(STATUS)).to_have_text(re.compile(rf"^\d+ \S.* “{word}”$"))
    result = page.locator("#search-results").get_by_role("link", name=title)
    expect(result).to_have_attribute("href", re.compile(rf"^/{lang}/signs-to-spot(#[\w-]+)?$"))  # to the answer
    expect(page.locator("#search-results mark").first).to_have_text(re.compile(word, re.IGNORECASE))
    expect(page.locator("input[name=q]")).to_have_value(word)


@pytest.mark.parametrize("lang", SEARCHES)
def test_with_javascript_typing_updates_the_results_and_status_in_place(page: Page, base_url: str, lang: str) -> None:
    word, title = SEARCHES[lang]
    errors: list[str] = []
    elsewhere: list[str] = []
    origin = urlsplit(base_url).netloc
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "request", lambda request: elsewhere.append(request.url) if urlsplit(request.url).netloc != origin else None
    )
    page.goto(f"{base_url}/{lang}/search")
    page.wait_for_function("() => window.htmx !== undefined")
    # Marks on this document and on the live region: a navigation or a replaced region would lose them.
    page.evaluate("() => { window.searchMark = 1; document.querySelector('#search-status').searchMark = 1 }")
    status = page.locator(STATUS)
    expect(status).to_have_text("")

    box = page.locator("input[name=q]")
    box.press_sequentially(word, delay=30)
    expect(status).to_have_text(re.compile(rf"^\d+ \S.* “{word}”$"))
    expect(page.locator("#search-results").get_by_role("link", name=title)).to_be_visible()

    assert page.evaluate("() => window.searchMark") == 1, "the page navigated"
    assert page.evaluate("() => document.querySelector('#search-status').searchMark") == 1, "the region was replaced"
    expect(status).to_have_attribute("role", "status")
    expect(box).to_be_focused()
    assert urlsplit(page.url).path == f"/{lang}/search"
    assert urlsplit(page.url).query == "", "live results put the half-typed phrase in the address (and History)"

    box.fill("zzyzzx")
    expect(status).to_have_text(re.compile(r"^0 \S.* “zzyzzx”$"))
    expect(page.locator(f"#search-results a[href='/{lang}/get-help']")).to_be_visible()
    assert not errors, f"browser errors (a CSP violation shows here): {errors}"
    assert not elsewhere, f"requests to other origins: {elsewhere}"


def test_with_javascript_an_overlong_query_is_announced(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/en/search")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("input[name=q]").fill("a" * 101)
    expect(page.locator(STATUS)).to_have_text("Search term must be 100 characters or fewer")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_submitted_query_that_is_too_long_moves_focus_to_the_error(
    browser: Browser, base_url: str, javascript: bool
) -> None:
    """Issue 21 item 7: after submitting, the reader hears the problem first and can follow it to the box."""
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/en/search")
        page.locator("input[name=q]").fill("a" * 101)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/en/search\?q=a+$"))
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # the summary's link to the box
        expect(page.locator("input[name=q]")).to_be_focused()
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "query",
    ["crisis", "zzyzzx", "a" * 101],
    ids=["results", "no results", "error"],
)
def test_search_pages_have_no_axe_violations(browser: Browser, base_url: str, query: str, width: str) -> None:
    context = browser.new_context(viewport=WIDTHS[width])
    try:
        page = context.new_page()
        page.goto(f"{base_url}/en/search?q={query}")
        violations = axe_violations(page)
        assert not violations, f"search for {query[:20]!r} at {width}:\n{describe(violations)}"
    finally:
        context.close()


def test_results_swapped_in_by_htmx_have_no_axe_violations(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/cy/search")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("input[name=q]").fill("grwp")
    expect(page.locator(STATUS)).to_have_text(re.compile(r"“grwp”"))
    violations = axe_violations(page)
    assert not violations, describe(violations)
