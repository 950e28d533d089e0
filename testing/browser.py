"""Debian's Chromium, driven by Playwright (Playwright's own browser download does not work here).

The path and flags are the QA audit's (audit/browser.py), so the tests and the audit run the same browser.
"""

from __future__ import annotations

from audit.browser import CHROMIUM_ARGS, chromium_path


def launch_options() -> dict[str, object]:
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS}
