"""Reduced motion: axe finds nothing on any page, and nothing moves when the reader asks for less motion.

WCAG 2.0, 2.1 and 2.2 A and AA and axe's best practice with `prefers-reduced-motion: reduce`; and
no animation or transition is running once the page has loaded: anything that plays longer than
5 seconds fails 2.2.2 Pause, Stop, Hide (A); anything shorter fails 2.3.3 Animation from
Interactions (AAA), the criterion behind honouring the reader's setting.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from a11y_tests import expect
from a11y_tests.pages import PAGES, PageState
from audit.checks import check_axe, check_motion
from audit.conditions import REDUCED_MOTION, Condition


@pytest.mark.parametrize("state", PAGES)
def test_page_has_no_axe_violations_and_nothing_moves_with_reduced_motion(
    page_in: Callable[[Condition], Page], base_url: str, state: PageState
) -> None:
    """WCAG 2.2 A/AA (axe) and best practice; 2.2.2 Pause, Stop, Hide and 2.3.3 Animation from Interactions."""
    page = page_in(REDUCED_MOTION)
    state.open(page, base_url, REDUCED_MOTION)
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches"), "reduced motion is not on"
    where = f"{state.path} with {REDUCED_MOTION.description}"
    axe = check_axe(page, REDUCED_MOTION.name)
    motion = check_motion(page, REDUCED_MOTION.name)
    expect.no_failures(axe.findings + motion.findings, where)
