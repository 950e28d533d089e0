"""What a check finds: a `Finding` per failure (or item for review), gathered in a `CheckResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from audit.criteria import Criterion

Box = dict[str, float]  # x, y, width, height in CSS px, from the top left of the document
Severity = Literal["fail", "review"]


@dataclass(frozen=True)
class Finding:
    criterion: Criterion
    message: str
    fix: str
    selector: str = ""
    box: Box | None = None
    severity: Severity = "fail"
    focused: bool = False  # show the element focused in its screenshot

    def describe(self) -> str:
        where = f" at {self.selector}" if self.selector else ""
        return f"{self.criterion.label}: {self.message}{where}"


@dataclass
class CheckResult:
    check: str
    condition: str
    criteria: tuple[Criterion, ...]
    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    error: str = ""  # the check could not run
    screenshots: dict[int, bytes] = field(default_factory=dict, repr=False)  # PNG crops, by finding position

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "fail"]

    @property
    def passed(self) -> bool:
        return not self.error and not self.failures

    def describe(self) -> str:
        """Every failure on its own line, for an assertion message."""
        lines = [f"  {f.describe()}" for f in self.failures]
        return "\n".join([f"  could not check: {self.error}"] * bool(self.error) + lines)
