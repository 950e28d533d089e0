"""Forced colours (Windows contrast themes): axe finds nothing on any page.

WCAG 2.0, 2.1 and 2.2 A and AA and axe's best practice (the rule set of audit/axe.py, which
test_audit.py keeps equal to audit/axe.py), with `forced-colors: active` emulated at 1280 px.
Forced colours replace the site's colours with the reader's, so this finds what only shows then:
text or controls that vanish, icons drawn with background images, states shown by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from a11y_tests import expect
from a11y_tests.pages import PAGES, PageState
from audit.checks import check_axe
from audit.conditions import FORCED_COLOURS, Condition


@pytest.mark.parametrize("state", PAGES)
def test_page_has_no_axe_violations_with_forced_colours(
    page_in: Callable[[Condition], Page], base_url: str, state: PageState
) -> None:
    """WCAG 2.2 A/AA (every criterion axe covers) and best practice, with forced colours."""
    page = page_in(FORCED_COLOURS)
    state.open(page, base_url, FORCED_COLOURS)
    assert page.evaluate("matchMedia('(forced-colors: active)').matches"), "forced colours are not on"
    expect.no_failures(check_axe(page, FORCED_COLOURS.name), f"{state.path} with {FORCED_COLOURS.description}")
