"""Keyboard: the skip link is the first stop and moves focus to the main content."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_skip_link_is_first_and_moves_focus_to_main(browser: Browser, base_url: str, javascript: bool) -> None:
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.goto(base_url + "/en/signs-to-spot")
        page.keyboard.press("Tab")  # the first stop is the way out (test_exit_this_page.py)
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused == "Skip to main content"
        assert page.locator(".govuk-skip-link[href='#main-content']").is_visible(), "the focused skip link must show"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main-content"
        # The next Tab goes into the main content, not back to the header.
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('main')")
    finally:
        context.close()


def test_every_link_in_the_header_is_reachable_by_tab(browser: Browser, base_url: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base_url + "/en/")
        expected = page.eval_on_selector_all(
            "header a[href], .app-language-switcher a, .govuk-exit-this-page a",
            "els => els.map(e => e.getAttribute('href'))",
        )
        reached = []
        for _ in range(len(expected) + 2):
            page.keyboard.press("Tab")
            reached.append(page.evaluate("document.activeElement.getAttribute('href')"))
        for href in expected:
            assert href in reached, f"{href} was not reached by Tab (reached {reached})"
    finally:
        context.close()
