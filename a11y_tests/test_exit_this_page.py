"""Exit this page: by click and by pressing Shift three times, the reader lands on a neutral site."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect


def test_exit_button_click_leaves_for_a_neutral_site(page: Page, base_url: str, exit_url: str) -> None:
    page.goto(base_url + "/en/signs-to-spot")
    page.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(exit_url)
    assert page.title() == "Weather"


def test_exit_button_works_without_javascript(browser_without_js: Page, base_url: str, exit_url: str) -> None:
    browser_without_js.goto(base_url + "/en/signs-to-spot")
    browser_without_js.locator(".govuk-exit-this-page__button").click()
    browser_without_js.wait_for_url(exit_url)


@pytest.mark.parametrize("path", ["/en/signs-to-spot", "/cy/share-a-concern"])
def test_space_on_the_exit_button_leaves(page: Page, base_url: str, exit_url: str, path: str) -> None:
    """Issue 21 item 1: announced as a button, it answers Space as a button does (WCAG 2.1.1, 4.1.2)."""
    page.goto(base_url + path)
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
    button = page.locator(".govuk-exit-this-page__button")
    assert button.get_attribute("role") == "button"
    button.focus()
    page.keyboard.press("Space")
    page.wait_for_url(exit_url)


def test_without_javascript_the_exit_controls_are_links(browser_without_js: Page, base_url: str) -> None:
    """Space cannot work on a link without JavaScript, so it must not claim to be a button (ADR 15)."""
    browser_without_js.goto(base_url + "/en/signs-to-spot")
    assert browser_without_js.get_by_role("link", name="Emergency Exit this page").count() == 1
    assert browser_without_js.get_by_role("button", name="Exit this page").count() == 0


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_first_tab_stop_is_the_way_out_and_says_what_it_does(
    browser: Browser, base_url: str, exit_url: str, javascript: bool
) -> None:
    """Issue 21 item 2: the exit skip link is first in the tab order, named "Exit this page", described (with
    the Shift shortcut only where it works), and the exit is a landmark a reader moving by region meets."""
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(base_url + "/en/signs-to-spot")
        if javascript:
            page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        expect(focused).to_have_accessible_name("Exit this page")
        expect(focused).to_be_visible()
        described = "Leaves this site at once for a weather page, and removes any pages you saved on this device."
        shortcut = "To leave from anywhere on the page, press the Shift key 3 times."
        expect(focused).to_have_accessible_description(described + (" " + shortcut if javascript else ""))
        expect(page.get_by_role("region", name="Leave this site quickly")).to_have_count(1)
        expect(page.locator(".govuk-exit-this-page__button")).to_have_accessible_description(
            re.compile("^" + re.escape(described))
        )
        page.keyboard.press("Enter")
        page.wait_for_url(exit_url)
    finally:
        context.close()


def test_shift_three_times_leaves_for_a_neutral_site(page: Page, base_url: str, exit_url: str) -> None:
    page.goto(base_url + "/en/signs-to-spot")
    page.wait_for_function("document.body.classList.contains('govuk-frontend-supported')")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(exit_url)
    assert page.title() == "Weather"


def test_exit_route_asks_the_browser_to_clear_site_data(page: Page, base_url: str, exit_url: str) -> None:
    with page.expect_response(base_url + "/exit") as exit_response:
        page.goto(base_url + "/exit")
    assert exit_response.value.status == 303
    headers = exit_response.value.all_headers()
    assert '"storage"' in headers.get("clear-site-data", ""), headers
    assert page.url == exit_url
