"""3.1.2 Language of Parts (AA): text in another language than the page says so, so a screen reader
switches voice (an English phrase read by an Urdu voice, or "November" in Welsh, is gibberish).

What a machine can tell without guessing a language from words: Latin-script words in an element
whose language is written in another script (Urdu), apart from proper names (audit/checks.py
PROPER_NAMES) and web addresses; and dates whose month is named in English in a Welsh or Urdu
element (judged with babel, as Chromium has no Welsh month names). Welsh text in English, or English
in Welsh, needs a person: docs/accessibility-manual-testing.md.
"""

from __future__ import annotations

import pytest

from a11y_tests import expect
from a11y_tests.batch import CheckedPages
from a11y_tests.pages import PAGE_STATES, PageState
from audit.conditions import DESKTOP


@pytest.mark.parametrize("state", [pytest.param(s, id=s.id) for s in PAGE_STATES])
def test_text_in_another_script_says_its_language(checked: CheckedPages, state: PageState) -> None:
    """3.1.2 Language of Parts: no unmarked Latin-script text on an Urdu page."""
    expect.no_failures(checked(state, DESKTOP, "language-of-parts"), f"{state.path}")


@pytest.mark.parametrize("state", [pytest.param(s, id=s.id) for s in PAGE_STATES])
def test_dates_are_written_in_the_language_of_the_page(checked: CheckedPages, state: PageState) -> None:
    """3.1.2 Language of Parts: a date names its month in the language around it."""
    result = checked(state, DESKTOP, "language-of-dates")
    expect.no_failures(result, f"{state.path}")
