"""The phone routes to help: one place for every number the site shows (facts: PRODUCT.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phone:
    number: str
    tel: str

    @property
    def href(self) -> str:
        return f"tel:{self.tel}"


SUPPORT_LINE = Phone("0800 011 3764", "08000113764")
SUPPORT_LINE_HOURS = "9am to 5pm every day"
EMERGENCY = Phone("999", "999")
TEXTPHONE = Phone("18001 101", "18001101")
ANTI_TERRORIST_HOTLINE = Phone("0800 789 321", "0800789321")
REPORT_ONLINE_URL = "https://www.gov.uk/ACT"
