"""Debian's Chromium, driven by Playwright (Playwright's own browser download does not work here).

The path and flags are the QA audit's (audit/browser.py), so the tests and the audit run the same browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit.browser import CHROMIUM_ARGS, chromium_path

if TYPE_CHECKING:
    from playwright.sync_api import Page


def launch_options() -> dict[str, object]:
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS}


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the first element `selector` finds has the focus (reached by keyboard alone)."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with Tab")
