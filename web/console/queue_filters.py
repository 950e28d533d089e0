"""What an officer asks the concern list for (`GET /concerns?…`), read into a QueueFilter, or errors to show.

A choice from a list (status, route, language, page) that is not one of its values is a 400: only a changed
address sends one. What an officer types (dates, a reference) gets an error beside its field instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.exceptions import HTTPException

from web.concern.areas import area_slugs
from web.console.pages import one_line
from web.console.workflow import OPEN, WAITING, overdue_received_by
from web.console.working_days import CALENDARS, ENGLAND_AND_WALES, calendar_of_area
from web.storage.concerns import STATUSES
from web.storage.queue import QueueFilter

SHOWN_STATUSES = {"open": OPEN, "all": STATUSES, **{status: (status,) for status in STATUSES}}
ROUTES = {"form": "Online form", "callback": "Call back"}
LANGUAGES = {"en": "English", "cy": "Welsh", "ur": "Urdu"}
LAST_PAGE = 10_000
REFERENCE = re.compile(r"([A-Z0-9]{4})-?([A-Z0-9]{4})")
FIELDS = ("status", "route", "language", "area", "from", "to", "overdue", "mine", "reference")


@dataclass(frozen=True)
class Asked:
    """The list's query as the officer sent it (to fill the form again), what it asks the database for, and
    the errors by field id."""

    values: dict[str, str]
    wanted: QueueFilter
    page: int
    errors: dict[str, str] = field(default_factory=dict)

    def link(self, page: int) -> str:
        """The list's address with the same filters, at `page`."""
        kept = [(name, value) for name, value in self.values.items() if value]
        return "/concerns?" + urlencode([*kept, ("page", str(page))])


def read_query(query: Mapping[str, str], today: dt.date, officer_id: int) -> Asked:
    values = {name: query.get(name, "").strip()[:40] for name in FIELDS}
    values["status"] = values["status"] or "open"
    for value in values.values():
        one_line(value)
    page = query.get("page", "1")
    statuses = SHOWN_STATUSES.get(values["status"])
    if statuses is None or not (page.isascii() and page.isdigit() and 1 <= int(page) <= LAST_PAGE):
        raise HTTPException(status_code=400)
    if values["route"] not in ("", *ROUTES) or values["language"] not in ("", *LANGUAGES):
        raise HTTPException(status_code=400)
    if values["area"] and values["area"] not in area_slugs():  # an area out of the officer's own finds nothing
        raise HTTPException(status_code=400)
    if values["overdue"] not in ("", "yes") or values["mine"] not in ("", "yes"):
        raise HTTPException(status_code=400)
    errors: dict[str, str] = {}
    received_from = _day(values["from"], "from", "the first day", errors)
    received_to = _day(values["to"], "to", "the last day", errors)
    if received_from and received_to and received_from > received_to:
        errors["to"] = "The last day must be the same as or after the first day"
    reference = None
    if values["reference"]:
        found = REFERENCE.fullmatch(values["reference"].upper().replace(" ", ""))
        if found is None:
            errors["reference"] = "Enter a reference of 8 letters and numbers, like ABCD-2345"
        else:
            reference = values["reference"] = f"{found[1]}-{found[2]}"
    wanted = QueueFilter(
        statuses=statuses,
        route=values["route"] or None,
        language=values["language"] or None,
        received_from=received_from,
        received_to=received_to,
        overdue_received_by=overdue_received_by(today) if values["overdue"] else None,
        overdue_elsewhere=overdue_elsewhere(today) if values["overdue"] else (),
        waiting=WAITING,
        reference=reference,
        assigned_to=officer_id if values["mine"] else None,
        area=values["area"] or None,
    )
    return Asked(values, wanted, int(page), errors)


def overdue_elsewhere(today: dt.date) -> tuple[tuple[frozenset[str], dt.date], ...]:
    """The areas whose bank holidays make a different day of receipt overdue `today` than England and
    Wales's (the default calendar), with that day; nothing on most days."""
    default = overdue_received_by(today)
    differing = []
    for calendar in CALENDARS:
        day = overdue_received_by(today, calendar=calendar)
        if calendar != ENGLAND_AND_WALES and day != default:
            differing.append((frozenset(area for area in area_slugs() if calendar_of_area(area) == calendar), day))
    return tuple(differing)


def _day(text: str, name: str, what: str, errors: dict[str, str]) -> dt.date | None:
    if not text:
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    errors[name] = f"Enter {what} as a real date, for example 2026-03-27"
    return None
