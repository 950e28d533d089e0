"""Every page is complete without JavaScript: the same heading and the same links."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from a11y_tests.pages import SITEMAP_PATHS


def _h1_and_links(page: Page) -> tuple[list[str], list[str]]:
    headings = page.locator("h1").all_inner_texts()
    links = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    return headings, links


@pytest.mark.parametrize("path", SITEMAP_PATHS)
def test_page_without_javascript_has_the_same_heading_and_links(browser: Browser, base_url: str, path: str) -> None:
    with_js = browser.new_context()
    without_js = browser.new_context(java_script_enabled=False)
    try:
        page = with_js.new_page()
        page.goto(base_url + path)
        expected = _h1_and_links(page)
        bare = without_js.new_page()
        bare.goto(base_url + path)
        assert _h1_and_links(bare) == expected
        assert len(expected[0]) == 1, f"{path} must have exactly one h1"
        # The main navigation and the exit control are usable without JavaScript.
        assert bare.locator(".govuk-service-navigation nav a").count() >= 3
        assert bare.locator(".govuk-exit-this-page__button").is_visible()
    finally:
        with_js.close()
        without_js.close()
