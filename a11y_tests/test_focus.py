"""Keyboard focus on every page, at 1280 and 320 px: order, visibility, nothing covering it, no trap.

One walk per page and width (audit/focus.py, run once per page by a11y_tests/batch.py) presses
Tab from the top of the page until focus leaves it, measuring each stop; four tests judge the walk,
one criterion each:

- 2.4.3 Focus Order (A): Tab visits the links and controls in document order, which is the reading
  order (no positive tabindex; no step against the reading direction along a line of text); and
  2.1.1 Keyboard (A): it reaches every one of them.
- 2.4.7 Focus Visible (AA): each stop looks different focused (computed outline, box-shadow,
  background, border, colour, underline of it, its ::before/::after and its first descendants,
  before and after focus); 1.4.11 Non-text Contrast (AA): some changed part of that indicator
  contrasts at least 3:1 with the colours next to it.
- 2.4.11 Focus Not Obscured (Minimum) (AA): no focused element is entirely covered by other content
  (GOV.UK's Exit this page is position: sticky at the top), both where Chromium scrolls it after Tab
  and at the nearest edge of the window, where Firefox and Safari leave it after Shift+Tab.
- 2.1.2 No Keyboard Trap (A): Tab takes focus out of the page, or round to its start, in the end.
"""

from __future__ import annotations

import pytest

from a11y_tests import expect
from a11y_tests.batch import CheckedPages
from a11y_tests.pages import PageState, pages_with
from audit.conditions import DESKTOP, PHONE, Condition

PAGES_AND_WIDTHS = pages_with([DESKTOP, PHONE])


@pytest.mark.parametrize(("state", "condition"), PAGES_AND_WIDTHS)
def test_tab_reaches_every_control_in_reading_order(
    checked: CheckedPages, state: PageState, condition: Condition
) -> None:
    """2.4.3 Focus Order and 2.1.1 Keyboard."""
    result = checked(state, condition, "focus-order")
    expect.no_failures(result, f"{state.path} at {condition.description}")
    assert result.stats["stops"] > 5, f"{state.path}: only {result.stats['stops']} places to Tab to were found"
    assert result.stats["visited"] > 5, f"{state.path}: Tab visited only {result.stats['visited']} places"


@pytest.mark.parametrize(("state", "condition"), PAGES_AND_WIDTHS)
def test_focus_is_visible_and_contrasts_3_to_1(checked: CheckedPages, state: PageState, condition: Condition) -> None:
    """2.4.7 Focus Visible and 1.4.11 Non-text Contrast (the focus indicator)."""
    expect.no_failures(checked(state, condition, "focus-visible"), f"{state.path} at {condition.description}")


@pytest.mark.parametrize(("state", "condition"), PAGES_AND_WIDTHS)
def test_focus_is_never_entirely_hidden(checked: CheckedPages, state: PageState, condition: Condition) -> None:
    """2.4.11 Focus Not Obscured (Minimum); partly hidden stops (2.4.12, AAA) are for review only."""
    expect.no_failures(checked(state, condition, "focus-not-obscured"), f"{state.path} at {condition.description}")


@pytest.mark.parametrize(("state", "condition"), PAGES_AND_WIDTHS)
def test_tab_never_traps_focus(checked: CheckedPages, state: PageState, condition: Condition) -> None:
    """2.1.2 No Keyboard Trap."""
    expect.no_failures(checked(state, condition, "keyboard-trap"), f"{state.path} at {condition.description}")
