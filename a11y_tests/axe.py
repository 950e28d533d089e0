"""The one axe helper: WCAG 2.2 A and AA, plus best practice, with no rule disabled."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
OPTIONS: dict[str, Any] = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# Every rule runs. A rule disabled here must carry a comment with the reason and a link.
DISABLED_RULES: dict[str, str] = {}

_axe = Axe()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on the page as it is now and return its violations."""
    options = dict(OPTIONS)
    if DISABLED_RULES:
        options["rules"] = {rule: {"enabled": False} for rule in DISABLED_RULES}
    results = _axe.run(page, options=options)
    return list(results.response["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets[:5]}")
    return "\n".join(lines)
