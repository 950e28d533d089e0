"""The rules of an officer's work on a concern, apart from HTTP and SQL: when a concern is overdue, which
outcomes close one, and what a handover record must hold.

A concern waits until someone first contacts the sender (its status is still "new"). It is due by the end of
the working day after the day it arrived (OVERDUE_AFTER_WORKING_DAYS), and overdue from the day after that.
The day, not the hour: the database keeps the day a concern was received, never the time (nothing links a
concern to a visit), so "one working day" is counted in whole days: Monday to Friday less the bank holidays of
the queue's calendar (web/console/working_days.py), and "today" is the day in UK local time (`console_today`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from web.console import working_days as uk_days
from web.console.working_days import ENGLAND_AND_WALES

OVERDUE_AFTER_WORKING_DAYS = 1  # issue 20's default; a setting in web/settings.py if areas come to differ
WAITING = ("new",)  # statuses in which a concern waits for its first contact
OPEN = ("new", "contacted", "referred")
OUTCOMES = {
    "no-further-action": "No further action",
    "other-services": "Passed to other services",
    "channel": "Referred to Channel",
    "police-investigation": "Police investigation",
    "could-not-contact": "Could not contact",
}
HANDOVER_TO_LENGTH = 120
HANDOVER_REFERENCE_LENGTH = 64


def console_today(now: dt.datetime | None = None) -> dt.date:
    """The console's today: the day in the UK (a concern sent at 00:30 in a London summer is tomorrow's)."""
    return uk_days.uk_today(now)


def is_working_day(day: dt.date, calendar: str = ENGLAND_AND_WALES) -> bool:
    return uk_days.is_working_day(day, calendar)


def due_by(
    received_on: dt.date, working_days: int = OVERDUE_AFTER_WORKING_DAYS, *, calendar: str = ENGLAND_AND_WALES
) -> dt.date:
    """The last day on which a concern received on `received_on` is on time: `working_days` working days on,
    in the bank-holiday `calendar` of its queue (working_days.calendar_of_area)."""
    day, left = received_on, working_days
    while left > 0:
        day += dt.timedelta(days=1)
        left -= is_working_day(day, calendar)
    return day


def overdue_received_by(
    today: dt.date, working_days: int = OVERDUE_AFTER_WORKING_DAYS, *, calendar: str = ENGLAND_AND_WALES
) -> dt.date:
    """The latest day of receipt that is overdue `today` (waiting concerns received on it or before are):
    due_by never goes backwards, so one date is the whole condition, and the database can use an index."""
    day = today - dt.timedelta(days=1)
    while due_by(day, working_days, calendar=calendar) >= today:
        day -= dt.timedelta(days=1)
    return day


def is_overdue(status: str, received_on: dt.date, today: dt.date, *, calendar: str = ENGLAND_AND_WALES) -> bool:
    return status in WAITING and due_by(received_on, calendar=calendar) < today


@dataclass(frozen=True)
class Handover:
    """Who took the concern on (a team or service), on which day, and their reference for it, if they gave one."""

    to: str
    on: dt.date
    their_reference: str


def handover_errors(to: str, on: str, their_reference: str, today: dt.date) -> tuple[Handover | None, dict[str, str]]:
    """A handover from what an officer typed, or the errors by field (each says how to put it right)."""
    errors: dict[str, str] = {}
    to, their_reference = " ".join(to.split()), " ".join(their_reference.split())
    if not to:
        errors["handover-to"] = "Enter the team or service the concern was handed over to"
    elif len(to) > HANDOVER_TO_LENGTH:
        errors["handover-to"] = f"The team or service must be {HANDOVER_TO_LENGTH} characters or fewer"
    day = _date(on)
    if day is None:
        errors["handover-on"] = "Enter the date of the handover as a real date, for example 2026-03-27"
    elif day > today:
        errors["handover-on"] = "The date of the handover must be today or in the past"
    if len(their_reference) > HANDOVER_REFERENCE_LENGTH:
        errors["handover-reference"] = f"Their reference must be {HANDOVER_REFERENCE_LENGTH} characters or fewer"
    if errors or day is None:
        return None, errors
    return Handover(to, day, their_reference), {}


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None
