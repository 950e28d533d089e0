"""The figures anyone can check: the daily totals the comms dashboard is drawn from, without comments.

Only the metrics named in PUBLIC_METRICS are shown or given as CSV, so a figure added later is public only
once it is listed here and described on the page. Concern counts are not: they are read from the concerns
table, which the public site's database role cannot read (docs/database-roles.md). Pure: no HTTP.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from web.clock import DateRange
from web.storage.figures import FEEDBACK_NO, FEEDBACK_YES, LTAI_ADDRESS, Figure, totals

# The metric names web/public/measurement.py counts under (an area cannot import another; a test checks them).
VIEW, SOURCE, CAMPAIGN, OFFLINE_SAVE = "view", "source", "campaign", "offline-save"
# The old "Let's Talk About It" addresses still followed are public; the sites linking to them (LTAI_REFERRER)
# are not: anyone can send any site name in a Referer, and a site's name (a personal blog) can be a person's.
PUBLIC_METRICS = (VIEW, SOURCE, CAMPAIGN, OFFLINE_SAVE, FEEDBACK_YES, FEEDBACK_NO, LTAI_ADDRESS)
SATISFACTION_KEY = re.compile(r"^/[a-z]{2,3}/what-did-you-think/([a-z-]+)(?:/[a-z-]+)?$")  # answer/where asked
PARTNER_KEY = re.compile(r"^/[a-z]{2,3}/partners/feedback/([a-z-]+)$")


@dataclass(frozen=True)
class DailyRow:
    day: dt.date
    views: int
    saves: int


@dataclass(frozen=True)
class UsefulRow:
    page: str
    yes: int
    no: int


@dataclass(frozen=True)
class PublicFigures:
    range: DateRange
    daily: list[DailyRow]
    pages: list[tuple[str, int]]  # views a page, most viewed first
    sources: list[tuple[str, int]]
    campaigns: list[tuple[str, int]]  # "<force slug>/<poster|social|other|none>"
    useful: list[UsefulRow]  # "Is this page useful?" a page
    satisfaction: dict[str, int]  # answer -> count
    partners: dict[str, int]  # type of organisation -> count
    ltai: list[tuple[str, int]]  # old "Let's Talk About It" addresses followed, most first

    @property
    def total_views(self) -> int:
        return sum(row.views for row in self.daily)


def public(figures: Iterable[Figure]) -> list[Figure]:
    return [figure for figure in figures if figure.metric in PUBLIC_METRICS]


def _ranked(totals: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def _answers(totals: Mapping[str, int], pattern: re.Pattern[str]) -> dict[str, int]:
    answers: dict[str, int] = defaultdict(int)
    for key, count in totals.items():
        found = pattern.match(key)
        if found:
            answers[found.group(1)] += count
    return dict(answers)


def summarise(rng: DateRange, figures: Iterable[Figure]) -> PublicFigures:
    shown = public(figures)
    per_day: dict[tuple[str, dt.date], int] = defaultdict(int)
    for figure in shown:
        per_day[(figure.metric, figure.day)] += figure.count
    yes, no = totals(shown, FEEDBACK_YES), totals(shown, FEEDBACK_NO)
    both = {**yes, **no}
    launch = {key for key in both if SATISFACTION_KEY.match(key) or PARTNER_KEY.match(key)}
    useful = [UsefulRow(page, yes.get(page, 0), no.get(page, 0)) for page in both if page not in launch]
    return PublicFigures(
        range=rng,
        daily=[DailyRow(day, per_day[(VIEW, day)], per_day[(OFFLINE_SAVE, day)]) for day in rng.days()],
        pages=_ranked(totals(shown, VIEW)),
        sources=_ranked(totals(shown, SOURCE)),
        campaigns=_ranked(totals(shown, CAMPAIGN)),
        useful=sorted(useful, key=lambda row: (-(row.yes + row.no), row.page)),
        satisfaction=_answers(both, SATISFACTION_KEY),
        partners=_answers(yes, PARTNER_KEY),
        ltai=_ranked(totals(shown, LTAI_ADDRESS)),
    )


def csv_text(figures: Iterable[Figure]) -> str:
    """One row per metric, key and day, as stored: the public metrics only."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["metric", "key", "day", "count"])
    for figure in sorted(public(figures), key=lambda f: (f.metric, f.key, f.day)):
        writer.writerow([figure.metric, figure.key, figure.day.isoformat(), figure.count])
    return out.getvalue()
