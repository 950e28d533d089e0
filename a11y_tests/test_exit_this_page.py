"""Exit this page: by click and by pressing Shift three times, the reader lands on a neutral site."""

from __future__ import annotations

from playwright.sync_api import Page


def test_exit_button_click_leaves_for_a_neutral_site(page: Page, base_url: str, exit_url: str) -> None:
    page.goto(base_url + "/en/signs-to-spot")
    page.get_by_role("button", name="Exit this page").click()
    page.wait_for_url(exit_url)
    assert page.title() == "Weather"


def test_exit_button_works_without_javascript(browser_without_js: Page, base_url: str, exit_url: str) -> None:
    browser_without_js.goto(base_url + "/en/signs-to-spot")
    browser_without_js.get_by_role("button", name="Exit this page").click()
    browser_without_js.wait_for_url(exit_url)


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
