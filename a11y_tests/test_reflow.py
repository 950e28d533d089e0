"""1.4.10 Reflow (AA): no page scrolls sideways, or cuts text off, at 320 CSS px or at 400% zoom.

Two conditions (audit/conditions.py): a 320 × 640 CSS px window, and 400% zoom of a 1280 × 900
window, emulated as Chromium's own zoom does it: a 320 × 225 CSS px layout viewport at 4 device
pixels per CSS pixel (media queries and devicePixelRatio as a zoomed window has them). Pinch zoom
(CDP Emulation.setPageScaleFactor) would keep the 1280 px layout and never reflow, so it could not
fail. Content that needs two dimensions (data tables, images, maps) may scroll; it is reported for
review, not failed, as the criterion allows.
"""

from __future__ import annotations

import pytest

from a11y_tests import expect
from a11y_tests.batch import CheckedPages
from a11y_tests.pages import PageState, pages_with
from audit.conditions import PHONE, ZOOM_400, Condition


@pytest.mark.parametrize(("state", "condition"), pages_with([PHONE, ZOOM_400]))
def test_page_reflows_into_320_css_px_without_scrolling_sideways(
    checked: CheckedPages, state: PageState, condition: Condition
) -> None:
    """1.4.10 Reflow: nothing wider than the window, no text cut off."""
    result = checked(state, condition, "reflow")
    assert result.error or result.stats["width"] == 320, f"the window is {result.stats['width']} CSS px wide"
    expect.no_failures(result, f"{state.path} at {condition.description}")
