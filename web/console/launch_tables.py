"""The dashboard's tables for the launch: old "Let's Talk About It" addresses still followed, reception per
audience and per force tag a week, and the outcomes of concerns a week. Counts only, never contents.

Each table is a `Table`: the same rows are the HTML table and its CSV (`/figures.csv?table=<id>`), so the
data beside a table is the table. A week is an ISO week, Monday to Sunday, named by its Monday; the days in
it are the UTC days the figures are kept by (the database keeps no time of day to move a day to UK time),
and the first and last weeks hold only the days inside the dates chosen.

"Contacted within a working day" (CONTACTED_MEANS, said on the dashboard too): of the concerns received in a
week whose day to be contacted by has passed, the share whose status first left "new" on or before that day
(web/console/workflow.py `due_by`: the working day after the day it arrived, in its area's bank-holiday
calendar). The first change is the audit log's (web/storage/figures.py `status_changes`), so a concern
contacted in time and changed again later still counts as in time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from web.clock import DateRange, week_of
from web.console.workflow import OUTCOMES, due_by
from web.console.working_days import calendar_of_area
from web.content.forces import Force
from web.launch.partner_feedback import ORGANISATIONS
from web.launch.satisfaction import ANSWERS, SOURCES
from web.public.measurement import CAMPAIGN, NO_REFERRER, OTHER_SITE, THIS_SITE
from web.storage.figures import (
    FEEDBACK_NO,
    FEEDBACK_YES,
    LTAI_ADDRESS,
    LTAI_REFERRER,
    NOT_GIVEN,
    ConcernCount,
    Figure,
    StatusDay,
    totals,
)

Cell = str | int
SATISFACTION_KEY = re.compile(r"^/[a-z]{2,3}/what-did-you-think/([a-z-]+)(?:/([a-z-]+))?$")
PARTNER_KEY = re.compile(r"^/[a-z]{2,3}/partners/feedback/([a-z-]+)$")
NOT_RECORDED = "not-recorded"  # satisfaction answers from before the source was kept
SOURCE_NAMES = {**SOURCES, NOT_RECORDED: "Not recorded (answered before the dashboard kept where)"}
REFERRER_NAMES = {
    NO_REFERRER: "No referring site (typed in, bookmarked, or the site sent none)",
    THIS_SITE: "This site",
    OTHER_SITE: "Other sites (not a host name, or after the first 500 sites in a day)",
}
OLD_OTHER = "Any other old address (redirected to the home page)"
AREA_NAMES = {"unknown": "Not known", "outside-uk": "Outside the UK"}
MEDIA = ("poster", "social")
CONTACTED_MEANS = (
    "Contacted within a working day: of the concerns received in the week whose day to be contacted by has "
    "passed (the working day after the day a concern arrived: Monday to Friday, not counting the bank holidays "
    "of the nation the concern’s area is in), the share whose status first changed from “new” on or before "
    "that day. A concern contacted in time and changed again later counts as in time."
)


@dataclass(frozen=True)
class Table:
    id: str  # the CSV's name too
    caption: str
    columns: tuple[str, ...]  # the first column heads the rows
    rows: tuple[tuple[Cell, ...], ...]
    numeric_from: int = 1  # the columns from this one on are figures (aligned right)

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue()


def _ranked(totals: Mapping[str, int], names: Mapping[str, str]) -> tuple[tuple[Cell, ...], ...]:
    return tuple((names.get(key, key), count) for key, count in sorted(totals.items(), key=lambda i: (-i[1], i[0])))


def ltai_tables(figures: list[Figure]) -> list[Table]:
    addresses = _ranked(totals(figures, LTAI_ADDRESS), {"other": OLD_OTHER})
    sites = _ranked(totals(figures, LTAI_REFERRER), REFERRER_NAMES)
    return [
        Table("ltai-addresses", "Old LTAI addresses still followed", ("Old address", "Times followed"), addresses),
        Table("ltai-sites", "Sites still linking to LTAI", ("Referring site", "Times followed"), sites),
    ]


def _weekly(
    rng: DateRange, counts: Mapping[tuple[dt.date, str], int], keys: Iterable[str]
) -> tuple[tuple[Cell, ...], ...]:
    """One row a week of the range: its Monday, a count for each key, and their total."""
    rows: list[tuple[Cell, ...]] = []
    for monday in rng.weeks():
        values = [counts.get((monday, key), 0) for key in keys]
        rows.append((monday.isoformat(), *values, sum(values)))
    return tuple(rows)


def _satisfaction(figures: Iterable[Figure]) -> list[tuple[dt.date, str, str, int]]:
    """(week, answer, source, count) for every "What did you think of this site?" answer."""
    found = []
    for figure in figures:
        match = SATISFACTION_KEY.match(figure.key) if figure.metric in (FEEDBACK_YES, FEEDBACK_NO) else None
        if match and match.group(1) in ANSWERS:
            source = match.group(2) if match.group(2) in SOURCES else NOT_RECORDED
            found.append((week_of(figure.day), match.group(1), source, figure.count))
    return found


def reception_tables(rng: DateRange, figures: list[Figure], forces: Mapping[str, Force]) -> list[Table]:
    satisfied: dict[tuple[dt.date, str], int] = defaultdict(int)
    by_source: dict[tuple[str, str], int] = defaultdict(int)
    for week, answer, source, count in _satisfaction(figures):
        satisfied[(week, answer)] += count
        by_source[(answer, source)] += count
    useful: dict[tuple[dt.date, str], int] = defaultdict(int)
    partners: dict[tuple[dt.date, str], int] = defaultdict(int)
    tags: dict[tuple[dt.date, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for figure in figures:
        week = week_of(figure.day)
        partner = PARTNER_KEY.match(figure.key)
        if figure.metric == CAMPAIGN:
            force, _, medium = figure.key.partition("/")
            name = forces[force].name if force in forces else "Not a force tag"
            tags[(week, name)][medium if medium in MEDIA else "other"] += figure.count
        elif figure.metric == FEEDBACK_YES and partner:
            partners[(week, partner.group(1))] += figure.count
        elif figure.metric in (FEEDBACK_YES, FEEDBACK_NO) and not SATISFACTION_KEY.match(figure.key) and not partner:
            useful[(week, figure.metric)] += figure.count
    sources = [*SOURCES, NOT_RECORDED]
    tag_rows = tuple(
        (week.isoformat(), name, media["poster"], media["social"], media["other"], sum(media.values()))
        for (week, name), media in sorted(tags.items(), key=lambda item: (item[0][0], item[0][1]))
    )
    return [
        Table(
            "reception-satisfaction",
            "The public: answers to “What did you think of this site?” a week",
            ("Week beginning", *ANSWERS.values(), "Total"),
            _weekly(rng, satisfied, ANSWERS),
        ),
        Table(
            "reception-satisfaction-source",
            "The public: answers to “What did you think of this site?” by where the question was asked",
            ("Answer", *(SOURCE_NAMES[source] for source in sources), "Total"),
            tuple(
                (text, *(by_source[(answer, s)] for s in sources), sum(by_source[(answer, s)] for s in sources))
                for answer, text in ANSWERS.items()
            ),
        ),
        Table(
            "reception-useful",
            "The public: answers to “Is this page useful?” a week, every page",
            ("Week beginning", "Useful", "Not useful", "Total"),
            _weekly(rng, useful, (FEEDBACK_YES, FEEDBACK_NO)),
        ),
        Table(
            "reception-partners",
            "Partners: feedback forms a week, by type of organisation",
            ("Week beginning", *ORGANISATIONS.values(), "Total"),
            _weekly(rng, partners, ORGANISATIONS),
        ),
        Table(
            "reception-forces",
            "Force campaign tags: visits a week, by force and by poster or social media",
            ("Week beginning", "Force", "Poster", "Social media", "Other or none", "Total"),
            tag_rows,
            numeric_from=2,
        ),
    ]


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def outcome_tables(
    rng: DateRange,
    counts: list[ConcernCount],
    changes: list[StatusDay],
    outcomes: list[Figure],
    forces: Mapping[str, Force],
    today: dt.date,
) -> list[Table]:
    by_route: dict[tuple[dt.date, str], int] = defaultdict(int)
    by_area: dict[tuple[dt.date, str], int] = defaultdict(int)
    for count in counts:
        by_route[(week_of(count.received_on), count.route)] += count.count
        area = forces[count.area].name if count.area in forces else AREA_NAMES.get(count.area, count.area)
        by_area[(week_of(count.received_on), area)] += count.count
    received: dict[dt.date, int] = defaultdict(int)
    due: dict[dt.date, int] = defaultdict(int)
    in_time: dict[dt.date, int] = defaultdict(int)
    for change in changes:
        week = week_of(change.received_on)
        due_day = due_by(change.received_on, calendar=calendar_of_area(change.area))
        received[week] += 1
        if due_day < today:
            due[week] += 1
            in_time[week] += change.changed_on is not None and change.changed_on <= due_day
    closed: dict[tuple[dt.date, str], int] = defaultdict(int)
    for figure in outcomes:
        closed[(week_of(figure.day), figure.key)] += figure.count
    outcome_names = {**OUTCOMES, NOT_GIVEN: "Not given"}
    return [
        Table(
            "outcomes-route",
            "Concerns received a week, by route",
            ("Week beginning", "Online form", "Call-back request", "Total"),
            _weekly(rng, by_route, ("form", "callback")),
        ),
        Table(
            "outcomes-area",
            "Concerns received a week, by police force area",
            ("Week beginning", "Area", "Concerns"),
            tuple((week.isoformat(), area, n) for (week, area), n in sorted(by_area.items())),
            numeric_from=2,
        ),
        Table(
            "outcomes-contacted",
            "Concerns contacted within a working day, by the week they were received",
            ("Week beginning", "Received", "Day to contact by has passed", "Contacted in time", "Share in time"),
            tuple((m.isoformat(), received[m], due[m], in_time[m], _share(in_time[m], due[m])) for m in rng.weeks()),
        ),
        Table(
            "outcomes-closed",
            "Concerns closed a week, by outcome",
            ("Week beginning", *outcome_names.values(), "Total"),
            _weekly(rng, closed, outcome_names),
        ),
    ]
