"""axe-core (bundled with axe-playwright-python) with WCAG 2.0, 2.1 and 2.2 A and AA, and best practice:
the one axe helper, for the audit command and for the browser tests in a11y_tests/ alike."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from audit import criteria as sc
from audit.browser import measure
from audit.results import CheckResult, Finding

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
OPTIONS: dict[str, Any] = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
# Every rule runs. A rule disabled here must carry a comment with the reason and a link.
DISABLED_RULES: dict[str, str] = {}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on the page as it is now and return its violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = dict(OPTIONS)
    if DISABLED_RULES:
        options["rules"] = {rule: {"enabled": False} for rule in DISABLED_RULES}
    return list(Axe().run(page, options=options).response["violations"])


def check_axe(page: Page, condition: str) -> CheckResult:
    """Every axe violation, one finding per element, named by the criterion its tags give."""
    violations = axe_violations(page)
    targets = [" ".join(str(part) for part in node["target"]) for v in violations for node in v["nodes"]]
    boxes = iter(measure(page, "boxes", arg=targets))
    result = CheckResult("axe", condition, (), stats={"rules": len(violations)})
    for violation in violations:
        criterion = sc.from_axe_tags(violation["tags"])
        for node in violation["nodes"]:
            selector = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            message = f"{violation['help']} (axe {violation['id']}, {violation['impact']})"
            fix = f"{summary} More: {violation['helpUrl']}"
            result.findings.append(Finding(criterion, message, fix, selector, next(boxes)))
    return result


def describe(violations: list[dict[str, Any]]) -> str:
    """Each violation on a line: its rule, impact, what to do, and where (the first five places)."""
    lines = []
    for violation in violations:
        targets = [", ".join(str(part) for part in node["target"]) for node in violation["nodes"]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets[:5]}")
    return "\n".join(lines)
