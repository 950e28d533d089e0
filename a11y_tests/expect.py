"""One way to fail a check: every failure on its own line, each naming its success criterion."""

from __future__ import annotations

from collections.abc import Iterable

from audit.checks import CheckResult, Finding


def no_failures(found: CheckResult | Iterable[Finding], where: str) -> None:
    """Fail, listing each failure with its criterion, unless `found` holds none."""
    if isinstance(found, CheckResult):
        assert not found.error, f"{where}: the check could not run: {found.error}"
        found = found.findings
    failures = [f for f in found if f.severity == "fail"]
    lines = "\n".join(f"  {f.describe()}\n    fix: {f.fix}" for f in failures)
    assert not failures, f"{where}: {len(failures)} failures\n{lines}"
