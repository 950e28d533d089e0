"""Each page loaded once per condition: one load runs every browser check, and each test judges one.

Loading is the slow part of a browser check. So the first test that asks for a page in a condition
loads it and runs all of that condition's checks, in the audit's order (audit.runner's
BROWSER_CHECKS: contrast, target size, reflow, the keyboard walk, then text spacing, which changes
the page); test_contrast.py, test_target_size.py, test_reflow.py, test_focus.py and
test_text_spacing.py then each assert on their own result. axe runs in its own modules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from playwright.sync_api import Page

from audit.checks import CheckResult
from audit.conditions import Condition
from audit.runner import BROWSER_CHECKS, run_checks

if TYPE_CHECKING:
    from a11y_tests.pages import PageState


class CheckedPages:
    """`checked(state, condition, "reflow")`: that check's result for the page in that condition."""

    def __init__(self, page_in: Callable[[Condition], Page], base_url: str) -> None:
        self._page_in = page_in
        self._base_url = base_url
        self._results: dict[str, dict[str, CheckResult]] = {}

    def __call__(self, state: PageState, condition: Condition, check: str) -> CheckResult:
        key = f"{state.id}-{condition.name}"
        if key not in self._results:
            page = self._page_in(condition)
            state.open(page, self._base_url, condition)
            self._results[key] = {r.check: r for r in run_checks(page, condition, BROWSER_CHECKS[condition])}
        results = self._results[key]
        if check in results:
            return results[check]
        broken = "; ".join(f"{r.check}: {r.error}" for r in results.values() if r.error)
        return CheckResult(check, condition.name, (), error=broken or f"no {check} check runs in {condition.name}")
