"""The campaign dashboard for the comms role (and admin): the soft-launch figures for a date range,
each chart beside the table it is drawn from, and the same figures as CSV.

Charts are inline SVG with presentation attributes only (the console's CSP allows no inline style);
each has role="img", a <title> and a <desc> that says what the table beside it holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.clock import BACKWARDS, BAD_DATE, MAX_DAYS, TOO_LONG, DateRange, utc_today
from web.clock import parse_range as parse_dates
from web.concern.questions import HEARD_ABOUT
from web.console.launch_tables import CONTACTED_MEANS, Table, ltai_tables, outcome_tables, reception_tables
from web.console.pages import NO_STORE, render, requires
from web.console.state import console_of
from web.content.forces import Force, load_forces
from web.public.measurement import CAMPAIGN, OFFLINE_SAVE, SOURCE, VIEW
from web.storage import officers as audit
from web.storage.figures import (
    CONCERN,
    CONCERN_HEARD_ABOUT,
    FEEDBACK_NO,
    FEEDBACK_YES,
    NOT_GIVEN,
    FeedbackComment,
    Figure,
    concern_counts_between,
    concerns_by_route_and_area,
    counts_between,
    first_day_with_data,
    latest_comments,
    outcomes_between,
    status_changes,
    totals,
)

TOP = 10
SOURCE_LABELS = {
    "campaign": "Campaign tag (poster or social media QR code or link)",
    "search": "Search engine",
    "social": "Social media site",
    "other-site": "Another website",
    "direct": "Direct (typed in, bookmarked or from an app)",
}
ROUTE_LABELS = {"form": "Online form", "callback": "Call-back request"}
HEARD_LABELS = {**dict(HEARD_ABOUT), NOT_GIVEN: "Not given"}


PROBLEMS = {
    ("from", BAD_DATE): "Enter the start date as a real date, for example 2026-11-01",
    ("to", BAD_DATE): "Enter the end date as a real date, for example 2026-11-25",
    ("from", BACKWARDS): "The start date must be the same as or before the end date",
    ("from", TOO_LONG): "Choose dates no more than a year apart",
}


def parse_range(query: Mapping[str, str], today: dt.date) -> tuple[DateRange, dict[str, str]]:
    """The dates asked for (default: the last 28 days to today) and an error message per field."""
    rng, problems = parse_dates(query, today)
    return rng, {name: PROBLEMS[(name, problem)] for name, problem in problems.items()}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    shown: str  # the value as printed beside the bar


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    horizontal: bool
    axis: tuple[tuple[float, float, str, str], ...] = ()  # x, y, text, text-anchor


def row_chart(chart_id: str, title: str, rows: list[tuple[str, int]], unit: str = "") -> Chart:
    """One labelled horizontal bar a row: the label above its bar, the value after it."""
    top = max((value for _, value in rows), default=0) or 1
    bars = tuple(
        Bar(label, value, 0, 44 * n + 26, max(2.0, 520 * value / top) if value else 0, 14, f"{value}{unit}")
        for n, (label, value) in enumerate(rows)
    )
    description = f"{title}. {len(rows)} bars, largest {max((v for _, v in rows), default=0)}{unit}. "
    return Chart(
        chart_id, title, description + "The table after it has the figures.", 640, 44 * len(rows) + 8, bars, True
    )


def column_chart(chart_id: str, title: str, points: list[tuple[dt.date, int]]) -> Chart:
    """One column a day, with the first and last day and the largest value marked."""
    top = max((value for _, value in points), default=0) or 1
    step = 580 / max(len(points), 1)
    bars = tuple(
        Bar(day.isoformat(), value, 52 + n * step, 208 - 180 * value / top, max(step * 0.8, 1), 180 * value / top, "")
        for n, (day, value) in enumerate(points)
    )
    axis: tuple[tuple[float, float, str, str], ...] = ()
    if points:
        axis = (
            (44, 34, str(top), "end"),
            (44, 210, "0", "end"),
            (52, 236, points[0][0].isoformat(), "start"),
            (632, 236, points[-1][0].isoformat(), "end"),
        )
    busiest = max(points, key=lambda point: point[1], default=None)
    description = f"{title}, one column a day from {points[0][0]} to {points[-1][0]}. " if points else f"{title}. "
    if busiest is not None and busiest[1]:
        description += f"The busiest day was {busiest[0]} with {busiest[1]}. "
    return Chart(chart_id, title, description + "The table after it has every day.", 640, 248, bars, False, axis)


@dataclass(frozen=True)
class DailyRow:
    day: dt.date
    views: int
    form: int  # concerns sent with the online form
    callback: int  # call-back requests
    saves: int  # saves for offline use


@dataclass(frozen=True)
class CampaignRow:
    force: str
    poster: int = 0
    social: int = 0
    other: int = 0

    @property
    def total(self) -> int:
        return self.poster + self.social + self.other


@dataclass(frozen=True)
class FeedbackRow:
    page: str
    yes: int
    no: int

    @property
    def percent_useful(self) -> int:
        return round(100 * self.yes / (self.yes + self.no)) if self.yes + self.no else 0


@dataclass
class Dashboard:
    range: DateRange
    daily: list[DailyRow]
    pages: list[tuple[str, int]]
    sources: list[tuple[str, int]]
    campaigns: list[CampaignRow]
    feedback: list[FeedbackRow]
    concerns_by_route: list[tuple[str, int]]
    concerns_by_heard: list[tuple[str, int]]
    comments: list[FeedbackComment] = field(default_factory=list)
    charts: dict[str, Chart] = field(default_factory=dict)
    tables: dict[str, list[Table]] = field(default_factory=dict)  # "ltai", "reception", "outcomes"
    launch_start: dt.date | None = None  # the first day with any figure or concern

    @property
    def since_launch(self) -> dt.date | None:
        """The start of "every week since the launch": the first day with data, at most a year before the end."""
        if self.launch_start is None:
            return None
        return min(max(self.launch_start, self.range.last - dt.timedelta(days=MAX_DAYS - 1)), self.range.last)


def _ranked(totals: Mapping[str, int], labels: Mapping[str, str] | None = None) -> list[tuple[str, int]]:
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [((labels or {}).get(key, key), count) for key, count in ranked]


def _campaigns(totals: Mapping[str, int], forces: Mapping[str, Force]) -> list[CampaignRow]:
    by_force: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, count in totals.items():
        force, _, medium = key.partition("/")
        name = forces[force].name if force in forces else "Not a force tag"
        by_force[name][medium if medium in ("poster", "social") else "other"] += count
    rows = [CampaignRow(name, **counts) for name, counts in by_force.items()]
    return sorted(rows, key=lambda row: (row.force == "Not a force tag", -row.total, row.force))


def summarise(rng: DateRange, figures: list[Figure], concerns: list[Figure], forces: Mapping[str, Force]) -> Dashboard:
    per_day: dict[tuple[str, str, dt.date], int] = defaultdict(int)
    for figure in [*figures, *concerns]:
        per_day[(figure.metric, figure.key if figure.metric == CONCERN else "", figure.day)] += figure.count
    daily = [
        DailyRow(
            day,
            views=per_day[(VIEW, "", day)],
            form=per_day[(CONCERN, "form", day)],
            callback=per_day[(CONCERN, "callback", day)],
            saves=per_day[(OFFLINE_SAVE, "", day)],
        )
        for day in rng.days()
    ]
    yes, no = totals(figures, FEEDBACK_YES), totals(figures, FEEDBACK_NO)
    feedback = sorted(
        (FeedbackRow(page, yes.get(page, 0), no.get(page, 0)) for page in {*yes, *no}),
        key=lambda row: (-(row.yes + row.no), row.page),
    )
    board = Dashboard(
        range=rng,
        daily=daily,
        pages=_ranked(totals(figures, VIEW)),
        sources=_ranked(totals(figures, SOURCE), SOURCE_LABELS),
        campaigns=_campaigns(totals(figures, CAMPAIGN), forces),
        feedback=feedback,
        concerns_by_route=_ranked(totals(concerns, CONCERN), ROUTE_LABELS),
        concerns_by_heard=_ranked(totals(concerns, CONCERN_HEARD_ABOUT), HEARD_LABELS),
    )
    board.charts = charts(board)
    return board


def charts(board: Dashboard) -> dict[str, Chart]:
    campaigns = [(row.force, row.total) for row in board.campaigns]
    useful = [(row.page, row.percent_useful) for row in board.feedback]
    return {
        "views": column_chart("chart-views", "Page views a day", [(row.day, row.views) for row in board.daily]),
        "pages": row_chart("chart-pages", f"The {TOP} most viewed pages", board.pages[:TOP]),
        "sources": row_chart("chart-sources", "Where visits came from", board.sources),
        "campaigns": row_chart("chart-campaigns", "Visits from campaign tags, by force", campaigns),
        "feedback": row_chart("chart-feedback", "Share of answers that said the page is useful", useful, "%"),
        "routes": row_chart("chart-routes", "Concerns by route", board.concerns_by_route),
        "heard": row_chart("chart-heard", "How people who shared a concern heard about us", board.concerns_by_heard),
    }


def csv_rows(figures: list[Figure], concerns: list[Figure]) -> str:
    """One row per metric, key and day: the figures exactly as stored, and the concern counts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["metric", "key", "day", "count"])
    for figure in sorted([*figures, *concerns], key=lambda f: (f.metric, f.key, f.day)):
        writer.writerow([figure.metric, figure.key, figure.day.isoformat(), figure.count])
    return out.getvalue()


async def _figures(request: Request, rng: DateRange) -> tuple[list[Figure], list[Figure]]:
    engine = console_of(request).engine
    figures = await run_in_threadpool(counts_between, engine, rng.first, rng.last)
    concerns = await run_in_threadpool(concern_counts_between, engine, rng.first, rng.last)
    return figures, concerns


async def _tables(request: Request, rng: DateRange, figures: list[Figure]) -> dict[str, list[Table]]:
    """The launch's tables (web/console/launch_tables.py), from the figures and counts of the concerns."""
    state = console_of(request)
    forces = load_forces(state.settings.content_dir / "forces.yaml")
    counts = await run_in_threadpool(concerns_by_route_and_area, state.engine, rng.first, rng.last)
    changes = await run_in_threadpool(status_changes, state.engine, rng.first, rng.last)
    outcomes = await run_in_threadpool(outcomes_between, state.engine, rng.first, rng.last)
    return {
        "ltai": ltai_tables(figures),
        "reception": reception_tables(rng, figures, forces),
        "outcomes": outcome_tables(rng, counts, changes, outcomes, forces, utc_today()),
    }


def _form_page(request: Request, rng: DateRange, errors: dict[str, str], board: Dashboard | None) -> Response:
    values = {name: request.query_params.get(name, "") for name in ("from", "to")} if errors else {}
    return render(
        request,
        "console/dashboard.html",
        status_code=400 if errors else 200,
        range=rng,
        errors=errors,
        values=values or {"from": rng.first.isoformat(), "to": rng.last.isoformat()},
        board=board,
        contacted_means=CONTACTED_MEANS,
    )


@requires("comms", "admin")
async def dashboard(request: Request) -> Response:
    rng, errors = parse_range(request.query_params, utc_today())
    if errors:
        return _form_page(request, rng, errors, None)
    state = console_of(request)
    figures, concerns = await _figures(request, rng)
    board = summarise(rng, figures, concerns, load_forces(state.settings.content_dir / "forces.yaml"))
    board.comments = await run_in_threadpool(latest_comments, state.engine, rng.first, rng.last)
    board.tables = await _tables(request, rng, figures)
    board.launch_start = await run_in_threadpool(first_day_with_data, state.engine)
    actor = request.state.signed_in.officer.username
    await run_in_threadpool(audit.record, state.engine, actor, "dashboard", detail=f"{rng.first}..{rng.last}")
    return _form_page(request, rng, {}, board)


@requires("comms", "admin")
async def figures_csv(request: Request) -> Response:
    rng, errors = parse_range(request.query_params, utc_today())
    if errors:
        return _form_page(request, rng, errors, None)
    figures, concerns = await _figures(request, rng)
    wanted = request.query_params.get("table")
    text, name = csv_rows(figures, concerns), "figures"
    if wanted is not None:
        tables = {table.id: table for group in (await _tables(request, rng, figures)).values() for table in group}
        if wanted not in tables:
            raise HTTPException(status_code=404)
        text, name = tables[wanted].csv(), wanted
    actor = request.state.signed_in.officer.username
    engine = console_of(request).engine
    await run_in_threadpool(
        audit.record, engine, actor, "figures-csv", detail=f"{rng.first}..{rng.last}" + (f" {wanted}" if wanted else "")
    )
    filename = f"act-early-{name}-{rng.first}-to-{rng.last}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


@requires("comms", "admin")
async def figures_moved(request: Request) -> Response:
    """The old /figures page: the dashboard has its figures and more."""
    return RedirectResponse("/dashboard", status_code=301, headers=NO_STORE)
