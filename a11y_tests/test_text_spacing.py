"""1.4.12 Text Spacing (AA): with more space between lines, paragraphs, letters and words, no text
is cut off or overlaps other text.

The spacing is the W3C text-spacing bookmarklet's: line height 1.5, paragraph spacing 2em, letter
spacing 0.12em, word spacing 0.16em, applied as a reader's own stylesheet would (it beats the site's
!important rules). A failure is text clipped by overflow: hidden (its scroll size exceeds its box)
or two visible pieces of text whose letters overlap, that were not so before the spacing changed.
At 1280 px and at 320 px, where lines are shortest.
"""

from __future__ import annotations

import pytest

from a11y_tests import expect
from a11y_tests.batch import CheckedPages
from a11y_tests.pages import PageState, pages_with
from audit.conditions import DESKTOP, PHONE, Condition


@pytest.mark.parametrize(("state", "condition"), pages_with([DESKTOP, PHONE]))
def test_no_text_is_cut_off_or_overlaps_with_more_text_spacing(
    checked: CheckedPages, state: PageState, condition: Condition
) -> None:
    """1.4.12 Text Spacing: no text clipped, no text overlapping."""
    expect.no_failures(checked(state, condition, "text-spacing"), f"{state.path} at {condition.description}")
