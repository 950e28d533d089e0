"""The toolkit in real Chromium: axe finds nothing at phone and desktop widths, and the form works without JavaScript.

Also the page a "Let's Talk About It" address lands on, with its notice.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from a11y_tests.pages import DESKTOP, PHONE
from audit.axe import axe_violations, describe

WIDTHS = {"phone-320": PHONE, "desktop-1280": DESKTOP}
PATHS = [
    "/toolkit",
    "/toolkit?force=north-wales&lang=cy",
    "/toolkit?force=police-scotland&lang=en",
    "/toolkit?force=&lang=",
    "/ltai/what-is-channel",
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PATHS)
def test_toolkit_page_has_no_axe_violations(browser: Browser, base_url: str, path: str, width: str) -> None:
    context = browser.new_context(viewport=WIDTHS[width])
    try:
        page = context.new_page()
        page.goto(base_url + path)
        violations = axe_violations(page)
        assert not violations, f"{path} at {width}:\n{describe(violations)}"
        # Nothing is wider than the screen: long web addresses wrap (WCAG 1.4.10 reflow).
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{path} scrolls sideways"
    finally:
        context.close()


def test_the_toolkit_form_works_without_javascript(browser_without_js: Page, base_url: str) -> None:
    page = browser_without_js
    page.goto(base_url + "/toolkit")
    page.get_by_label("Police force").select_option("north-wales")
    page.get_by_role("radio", name="Cymraeg").check()
    page.get_by_role("button", name="Show downloads").click()
    page.wait_for_url("**/toolkit?force=north-wales&lang=cy#downloads")
    assert page.get_by_role("heading", name="Downloads").is_visible()
    with page.expect_download() as poster:
        page.get_by_role("link", name="A4 poster (PDF").click()
    assert poster.value.suggested_filename == "act-early-poster-north-wales-cy.pdf"
    with page.expect_download() as image:
        page.get_by_role("link", name="Square image for social media").click()
    assert image.value.suggested_filename == "act-early-social-north-wales-cy.png"


def test_the_toolkit_form_without_an_answer_links_each_error_to_its_field(
    browser_without_js: Page, base_url: str
) -> None:
    page = browser_without_js
    page.goto(base_url + "/toolkit")
    page.get_by_role("button", name="Show downloads").click()
    assert page.title().startswith("Error:")
    page.get_by_role("link", name="Choose the language of the poster and image").click()
    assert page.evaluate("location.hash") == "#lang"
    assert page.get_by_role("radio", name="English").is_visible()
