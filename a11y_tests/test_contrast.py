"""1.4.6 Contrast (Enhanced) (AAA): all text is at least 7:1 against what is behind it (4.5:1 large).

Measured in the browser: the computed colour of each visible text node's element (with opacity)
against its effective background, its own and its ancestors' background colours blended down to
the canvas. Text over a background image or gradient cannot be measured so; it is reported for a
person to review. Large text is 24 px, or 18.66 px and bold. The site's palette is chosen for 7:1
(docs/adr/0002-brand-and-colours.md), so this holds the whole site to AAA.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from a11y_tests import expect
from a11y_tests.batch import CheckedPages
from a11y_tests.pages import PageState, pages_with
from audit.browser import measure
from audit.conditions import DESKTOP, PHONE, Condition


@pytest.mark.parametrize(("state", "condition"), pages_with([DESKTOP, PHONE]))
def test_all_text_contrasts_at_least_7_to_1(checked: CheckedPages, state: PageState, condition: Condition) -> None:
    """1.4.6 Contrast (Enhanced): 7:1, or 4.5:1 for large text."""
    result = checked(state, condition, "contrast")
    expect.no_failures(result, f"{state.path} at {condition.description}")
    assert result.stats["texts"] > 5, f"{state.path}: only {result.stats['texts']} pieces of text measured"


def test_contrast_is_measured_as_wcag_defines_it(page_in: Callable[[Condition], Page]) -> None:
    """The relative-luminance formula of WCAG 2.2, on pairs with known ratios."""
    page = page_in(DESKTOP)
    page.goto("about:blank")
    pairs = [
        ("rgb(0, 0, 0)", "rgb(255, 255, 255)", 21.0),
        ("rgb(118, 118, 118)", "rgb(255, 255, 255)", 4.54),  # #767676, the lightest grey at 4.5:1
        ("rgb(63, 42, 112)", "rgb(255, 255, 255)", 11.82),  # the brand purple (ADR 0002: 11.8:1)
        ("rgba(0, 0, 0, 0.5)", "rgb(255, 255, 255)", 3.98),  # half-transparent black blends to #808080
        ("oklch(0 0 0)", "rgb(255, 255, 255)", 21.0),  # other colour spaces, through a canvas
    ]
    measured = measure(page, "contrast_ratio", arg=[[a, b] for a, b, _ in pairs])
    for (a, b, expected), ratio in zip(pairs, measured, strict=True):
        assert ratio == pytest.approx(expected, abs=0.01), f"{a} on {b}"
