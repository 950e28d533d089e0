"""Screen-reader output: the accessibility tree of one page per template, kept as reviewed snapshots.

Playwright's ARIA snapshot (`page.locator("body").aria_snapshot()`) is the tree screen readers read:
landmarks, headings and their levels, lists, and each link's and button's role and name (1.3.1 Info
and Relationships, 2.4.6 Headings and Labels, 4.1.2 Name, Role, Value). One page per template is
kept in a11y_tests/snapshots/<template>.yml, reviewed like code. When a template or its content
changes the tree, this test fails and shows the difference. Check the new tree (headings in order,
every link and button named, landmarks labelled, nothing read twice), then rewrite the snapshots
on purpose and commit them with the change:

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest a11y_tests/test_screen_reader.py

The test server's address and the neutral exit site's are written as {base_url} and {exit_url}.
docs/accessibility-manual-testing.md has the script for listening with real screen readers.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from a11y_tests.pages import NOT_FOUND, PageState
from audit.conditions import DESKTOP, Condition

SNAPSHOTS = Path(__file__).with_name("snapshots")


def _answer_to_the_check_page(page: Page) -> None:
    """From the first question to "Check your answers": the form's Back, Change buttons and rows."""
    for fill in (
        lambda: page.locator("#danger-2").check(),
        lambda: (
            page.locator("#person_name").fill("Sam"),
            page.locator("#person_age-2").check(),
            page.locator("#relationship").check(),
        ),
        lambda: (page.locator("#worries").fill("He shares violent videos."), page.locator("#since_when-2").check()),
        lambda: None,
        lambda: page.locator("#heard_about").check(),
    ):
        fill()
        page.locator("main form button.govuk-button").click()
        page.wait_for_load_state()


TEMPLATES = {
    "home": PageState("home", "/en/"),
    "advice": PageState("advice", "/en/signs-to-spot"),
    "advice-urdu": PageState("advice-urdu", "/ur/signs-to-spot"),
    "not-found": NOT_FOUND,
    "concern-question": PageState("concern-question", "/en/share-a-concern/questions"),
    "concern-check": PageState("concern-check", "/en/share-a-concern/questions", then=_answer_to_the_check_page),
}


@pytest.mark.parametrize("template", TEMPLATES)
def test_accessibility_tree_matches_its_reviewed_snapshot(
    page_in: Callable[[Condition], Page], base_url: str, exit_url: str, template: str
) -> None:
    """1.3.1 Info and Relationships, 2.4.6 Headings and Labels, 4.1.2 Name, Role, Value: as reviewed."""
    page = page_in(DESKTOP)
    TEMPLATES[template].open(page, base_url)
    # The scripts change the tree after load (the offline controls appear once their catalogue has
    # arrived): snapshot the settled page, as a screen-reader user hears it, never a race.
    page.wait_for_load_state("networkidle")
    tree = page.locator("body").aria_snapshot().replace(base_url, "{base_url}").replace(exit_url, "{exit_url}")
    tree += "\n"
    path = SNAPSHOTS / f"{template}.yml"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(tree, encoding="utf-8")
        return
    assert path.exists(), f"no reviewed snapshot {path.name}: review the tree, then run with UPDATE_SNAPSHOTS=1"
    reviewed = path.read_text(encoding="utf-8")
    if tree != reviewed:
        diff = "".join(difflib.unified_diff(reviewed.splitlines(True), tree.splitlines(True), "reviewed", "now"))
        pytest.fail(
            f"the accessibility tree of {TEMPLATES[template].path} ({template} template) changed "
            f"(1.3.1, 2.4.6, 4.1.2): check it, then rerun with UPDATE_SNAPSHOTS=1\n{diff}"
        )
