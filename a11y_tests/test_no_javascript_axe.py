"""Without JavaScript: axe finds nothing on any page.

WCAG 2.0, 2.1 and 2.2 A and AA and axe's best practice, at 1280 px, on the page as it is when its
scripts never run. axe itself needs JavaScript: the page is loaded with script execution disabled
(the same `Emulation.setScriptExecutionDisabled` as Playwright's `java_script_enabled=False`, so
the page's scripts are skipped as it is parsed), and execution is turned back on afterwards for axe
alone, because Chromium runs no timers or promise callbacks while scripts are disabled and
`axe.run()` would never finish (we tried: in the page's world and in a CDP isolated world alike).
See audit/conditions.py. test_no_javascript.py checks the same pages keep their content.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from a11y_tests import expect
from a11y_tests.pages import PAGES, PageState
from audit.checks import check_axe
from audit.conditions import NO_JAVASCRIPT, Condition


@pytest.mark.parametrize("state", PAGES)
def test_page_has_no_axe_violations_without_javascript(
    page_in: Callable[[Condition], Page], base_url: str, state: PageState
) -> None:
    """WCAG 2.2 A/AA (every criterion axe covers) and best practice, with the page's scripts never run."""
    page = page_in(NO_JAVASCRIPT)
    state.open(page, base_url, NO_JAVASCRIPT)
    # app.js marks the body when it runs; it must not have.
    assert "govuk-frontend-supported" not in (page.get_attribute("body", "class") or ""), "the page's scripts ran"
    expect.no_failures(check_axe(page, NO_JAVASCRIPT.name), f"{state.path} {NO_JAVASCRIPT.description}")
