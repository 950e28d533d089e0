"""Working days in the UK, for the console's "due by" and "overdue": Monday to Friday, less the bank holidays
of the queue's nation (`content/bank-holidays.yaml`, from gov.uk), with "today" the day in UK local time
(Europe/London): at 00:30 on a summer night in London it is already tomorrow, though UTC says otherwise.

England and Wales share a calendar; Scotland and Northern Ireland have their own. A queue's calendar is its
police force's nation (content/forces.yaml); the national queue follows England and Wales'.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from web.clock import utc_now
from web.content.forces import load_forces
from web.settings import ROOT

log = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")
CONTENT = ROOT / "content"
BANK_HOLIDAYS_FILE = CONTENT / "bank-holidays.yaml"
CALENDARS = ("england-and-wales", "scotland", "northern-ireland")
ENGLAND_AND_WALES = "england-and-wales"
CALENDAR_OF_NATION = {
    "england": ENGLAND_AND_WALES,
    "wales": ENGLAND_AND_WALES,
    "scotland": "scotland",
    "northern-ireland": "northern-ireland",
}
NATIONAL = "national"  # the national triage queue: every area's concerns
NOT_A_FORCE = ("unknown", "outside-uk")  # areas the national triage team works (web/concern/areas.py)


class BankHolidaysFileError(ValueError):
    """content/bank-holidays.yaml is not as documented at its top."""


@dataclass(frozen=True)
class BankHolidays:
    source: str
    years: frozenset[int]
    days: dict[str, frozenset[dt.date]]  # by calendar

    def is_holiday(self, day: dt.date, calendar: str) -> bool:
        return day in self.days[calendar]


def years_without_holidays(today: dt.date, path: Path = BANK_HOLIDAYS_FILE) -> list[int]:
    """This year, and from October the next, where content/bank-holidays.yaml has no holidays for them: days
    there count Monday to Friday only until the year is added (gov.uk lists the next year's well ahead). The
    queue says so."""
    years = load_bank_holidays(path).years
    wanted = (today.year, today.year + 1) if today.month >= 10 else (today.year,)
    return [year for year in wanted if year not in years]


@cache
def load_bank_holidays(path: Path = BANK_HOLIDAYS_FILE) -> BankHolidays:
    """The file's holidays by calendar, refused with the reason when the file is not as documented."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or set(data) != {"source", "checked", "years", "calendars"}:
        raise BankHolidaysFileError(f"{path}: wants exactly source, checked, years and calendars")
    source, years, calendars = data["source"], data["years"], data["calendars"]
    if not (isinstance(source, str) and source.startswith("https://")):
        raise BankHolidaysFileError(f"{path}: source must be the https address the dates come from")
    if not isinstance(data["checked"], dt.date):
        raise BankHolidaysFileError(f"{path}: checked must be a date (YYYY-MM-DD)")
    if not (isinstance(years, list) and years and all(isinstance(year, int) for year in years)):
        raise BankHolidaysFileError(f"{path}: years must be a list of years")
    if not isinstance(calendars, dict) or set(calendars) != set(CALENDARS):
        raise BankHolidaysFileError(f"{path}: calendars must be exactly {', '.join(CALENDARS)}")
    days = {name: _days(path, name, entries, set(years)) for name, entries in calendars.items()}
    return BankHolidays(source, frozenset(years), days)


def _days(path: Path, calendar: str, entries: object, years: set[int]) -> frozenset[dt.date]:
    if not isinstance(entries, list):
        raise BankHolidaysFileError(f"{path}: {calendar} must be a list of {{date, title}}")
    days: set[dt.date] = set()
    for entry in entries:
        if not (isinstance(entry, dict) and set(entry) == {"date", "title"} and isinstance(entry["date"], dt.date)):
            raise BankHolidaysFileError(f"{path}: {calendar}: {entry!r} is not {{date: YYYY-MM-DD, title: …}}")
        day = entry["date"]
        if day.weekday() >= 5:
            raise BankHolidaysFileError(f"{path}: {calendar}: {day} is a weekend day (list the substitute day)")
        if day.year not in years:
            raise BankHolidaysFileError(f"{path}: {calendar}: {day} is not in one of the years {sorted(years)}")
        if day in days:
            raise BankHolidaysFileError(f"{path}: {calendar}: {day} is listed twice")
        days.add(day)
    return frozenset(days)


def uk_day(moment: dt.datetime) -> dt.date:
    """The day it is in the UK at `moment` (an aware time; a naive one is taken as UTC, as the site keeps it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(UK).date()


def uk_today(now: dt.datetime | None = None) -> dt.date:
    """Today in the UK: the console's "today" for what is due and overdue."""
    return uk_day(now or utc_now())


def calendar_of_area(area: str | None, content_dir: Path = CONTENT) -> str:
    """The bank-holiday calendar of a queue: its force's nation's; the national queue's (or no area's) is
    England and Wales', as are those of a concern whose area is unknown or outside the UK.

    A concern stored with an area that is no longer a force in content/forces.yaml (forces merge, slugs are
    renamed) is England and Wales' too, with a warning logged once for that area: its page and the queue
    must still open. Settings that name an area (NOTICE_TO) are checked when they are read."""
    if area is None or area == NATIONAL or area in NOT_A_FORCE:
        return ENGLAND_AND_WALES
    force = load_forces(content_dir / "forces.yaml").get(area)
    if force is None:
        if area not in _WARNED:
            _WARNED.add(area)
            log.warning("area %r is not a police force in content/forces.yaml: England and Wales' working days", area)
        return ENGLAND_AND_WALES
    return CALENDAR_OF_NATION[force.nation]


_WARNED: set[str] = set()


def is_working_day(day: dt.date, calendar: str = ENGLAND_AND_WALES) -> bool:
    """Monday to Friday, and not a bank holiday in `calendar` (in a year the file lists; other years count
    Monday to Friday only)."""
    if calendar not in CALENDARS:
        raise ValueError(f"{calendar!r} is not one of {CALENDARS}")
    return day.weekday() < 5 and not load_bank_holidays().is_holiday(day, calendar)
