"""The site's one clock: UTC. Dates kept anywhere (figures, a concern's received and closed days, the
retention purge) are UTC dates, so a server's own time zone never moves a day.

Also the one reading of a date range from a query (`?from=2026-11-01&to=2026-11-28`), for the comms
dashboard and the public figures page alike: each says the problems in its own words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DEFAULT_DAYS, MAX_DAYS = 28, 366
BAD_DATE, BACKWARDS, TOO_LONG = "bad-date", "backwards", "too-long"  # the problems parse_range reports


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_today() -> dt.date:
    return utc_now().date()


def parse_iso_date(raw: str) -> dt.date | None:
    """A date written as year-month-day (2026-11-01), or None: nothing else is read as a date."""
    if not ISO_DATE.match(raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def week_of(day: dt.date) -> dt.date:
    """The Monday that starts the ISO week `day` is in."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class DateRange:
    first: dt.date
    last: dt.date

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def weeks(self) -> list[dt.date]:
        """The Mondays of the ISO weeks the range touches (the first and last may be partly outside it)."""
        monday, found = week_of(self.first), []
        while monday <= self.last:
            found.append(monday)
            monday += dt.timedelta(days=7)
        return found


def parse_range(query: Mapping[str, str], today: dt.date) -> tuple[DateRange, dict[str, str]]:
    """The dates asked for (default: the 28 days to today) and a problem (BAD_DATE, ...) per field; with a
    problem, the range is the default one."""
    raw = {name: query.get(name, "").strip()[:20] for name in ("from", "to")}
    problems: dict[str, str] = {}
    last = parse_iso_date(raw["to"]) if raw["to"] else today
    if last is None:
        problems["to"] = BAD_DATE
    first = parse_iso_date(raw["from"]) if raw["from"] else (last or today) - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first is None:
        problems["from"] = BAD_DATE
    if first is not None and last is not None:
        if first > last:
            problems["from"] = BACKWARDS
        elif (last - first).days >= MAX_DAYS:
            problems["from"] = TOO_LONG
    if problems or first is None or last is None:
        return DateRange(today - dt.timedelta(days=DEFAULT_DAYS - 1), today), problems
    return DateRange(first, last), problems
