"""2.5.8 Target Size (Minimum) (AA): every target is at least 24 × 24 CSS px, or meets an exception.

Targets are links, buttons, form controls, summaries and anything with a role or tabindex that makes
it one. The exceptions are judged as the criterion words them: spacing (a 24 px circle centred on
the target meets no other target and no other undersized target's circle), inline (a link in a
sentence: display: inline with non-target text in its line's block), and user-agent controls the
page has not restyled. "Equivalent" and "essential" need a person. At 320 and 1280 px.

How many targets reach 44 × 44 CSS px (2.5.5 Target Size (Enhanced), AAA) is counted, not required:
the last test prints the table (run pytest with -s to see it).
"""

from __future__ import annotations

from typing import Any

import pytest

from a11y_tests import expect
from a11y_tests.batch import CheckedPages
from a11y_tests.pages import PAGE_STATES, PageState, pages_with
from audit.conditions import DESKTOP, PHONE, Condition

CONDITIONS = [PHONE, DESKTOP]


@pytest.fixture(scope="session")
def target_counts() -> dict[str, dict[str, Any]]:
    """Each page's target counts, by "<page id>-<condition>", for the 2.5.5 table."""
    return {}


@pytest.mark.parametrize(("state", "condition"), pages_with(CONDITIONS))
def test_every_target_is_at_least_24_px_or_spaced(
    checked: CheckedPages, target_counts: dict[str, dict[str, Any]], state: PageState, condition: Condition
) -> None:
    """2.5.8 Target Size (Minimum), with the spacing, inline and user-agent exceptions."""
    result = checked(state, condition, "target-size")
    target_counts[f"{state.id}-{condition.name}"] = result.stats
    expect.no_failures(result, f"{state.path} at {condition.description}")
    assert result.stats["total"] > 5, f"{state.path}: only {result.stats['total']} targets found"


def test_every_sitemap_page_was_checked_for_target_size(target_counts: dict[str, dict[str, Any]]) -> None:
    """2.5.5 Target Size (Enhanced), AAA, reported: how many targets reach 44 × 44 CSS px."""
    expected = {f"{s.id}-{c.name}" for s in PAGE_STATES for c in CONDITIONS}
    missing = expected - set(target_counts)
    assert not missing, f"pages whose target size was not checked: {sorted(missing)}"
    print("\n2.5.5 Target Size (Enhanced): targets of at least 44 × 44 CSS px")
    print(f"{'page':<44} {'condition':<13} {'44×44':>6} {'24×24':>6} {'spaced':>7} {'inline':>7} {'total':>6}")
    for key, c in sorted(target_counts.items()):
        page, condition = key.rsplit("-", 2)[0], "-".join(key.rsplit("-", 2)[1:])
        row = f"{page:<44} {condition:<13} {c['enhanced']:>6} {c['size']:>6} {c['spacing']:>7} {c['inline']:>7}"
        print(f"{row} {c['total']:>6}")
    enhanced = sum(c["enhanced"] for c in target_counts.values())
    total = sum(c["total"] for c in target_counts.values())
    print(f"{'all pages':<58} {enhanced:>6} of {total} targets ({enhanced / total:.0%}) reach 44 × 44")
