"""WCAG 2.2 A/AA and best practice, by axe in real Chromium, on every public page at phone and desktop widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from a11y_tests.pages import DESKTOP, EXTRA_PATHS, PHONE, SITEMAP_PATHS
from audit.axe import axe_violations, describe
from testing.sitemap import fetch_sitemap_paths

WIDTHS = {"phone-320": PHONE, "desktop-1280": DESKTOP}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", SITEMAP_PATHS + EXTRA_PATHS)
def test_page_has_no_axe_violations(
    browser: Browser, base_url: str, checked_paths: set[str], path: str, width: str
) -> None:
    context = browser.new_context(viewport=WIDTHS[width])
    try:
        page = context.new_page()
        page.goto(base_url + path)
        violations = axe_violations(page)
        assert not violations, f"{path} at {width}:\n{describe(violations)}"
        checked_paths.add(path)
    finally:
        context.close()


def test_every_sitemap_page_was_checked(base_url: str, checked_paths: set[str]) -> None:
    live = set(fetch_sitemap_paths(base_url))
    assert live, "the sitemap lists no pages"
    missing = live - checked_paths
    assert not missing, f"pages in the sitemap that axe did not check: {sorted(missing)}"
