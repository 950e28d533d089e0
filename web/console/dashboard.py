"""The campaign dashboard for the comms role (and admin): the soft-launch figures for a date range,
each chart beside the table it is drawn from, and the same figures as CSV.

Charts are inline SVG with presentation attributes only (the console's CSP allows no inline style);
each has role="img", a <title> and a <desc> that says what the table beside it holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.clock import utc_today
from web.concern.questions import HEARD_ABOUT
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
    counts_between,
    latest_comments,
)

DEFAULT_DAYS, MAX_DAYS, TOP = 28, 366, 10
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SOURCE_LABELS = {
    "campaign": "Campaign tag (poster or social media QR code or link)",
    "search": "Search engine",
    "social": "Social media site",
    "other-site": "Another website",
    "direct": "Direct (typed in, bookmarked or from an app)",
}
ROUTE_LABELS = {"form": "Online form", "callback": "Call-back request"}
HEARD_LABELS = {**dict(HEARD_ABOUT), NOT_GIVEN: "Not given"}


@dataclass(frozen=True)
class DateRange:
    first: dt.date
    last: dt.date

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def _date(raw: str) -> dt.date | None:
    if not ISO_DATE.match(raw):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def parse_range(query: Mapping[str, str], today: dt.date) -> tuple[DateRange, dict[str, str]]:
    """The dates asked for (default: the last 28 days to today) and an error message per field."""
    raw = {name: query.get(name, "").strip() for name in ("from", "to")}
    errors: dict[str, str] = {}
    last = _date(raw["to"]) if raw["to"] else today
    if last is None:
        errors["to"] = "Enter the end date as a real date, for example 2026-11-25"
    first = _date(raw["from"]) if raw["from"] else (last or today) - dt.timedelta(days=DEFAULT_DAYS - 1)
    if first is None:
        errors["from"] = "Enter the start date as a real date, for example 2026-11-01"
    if first is not None and last is not None:
        if first > last:
            errors["from"] = "The start date must be the same as or before the end date"
        elif (last - first).days >= MAX_DAYS:
            errors["from"] = "Choose dates no more than a year apart"
    if errors or first is None or last is None:
        return DateRange(today - dt.timedelta(days=DEFAULT_DAYS - 1), today), errors
    return DateRange(first, last), errors


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


def _totals(figures: Iterable[Figure], metric: str) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for figure in figures:
        if figure.metric == metric:
            totals[figure.key] += figure.count
    return dict(totals)


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
    yes, no = _totals(figures, FEEDBACK_YES), _totals(figures, FEEDBACK_NO)
    feedback = sorted(
        (FeedbackRow(page, yes.get(page, 0), no.get(page, 0)) for page in {*yes, *no}),
        key=lambda row: (-(row.yes + row.no), row.page),
    )
    board = Dashboard(
        range=rng,
        daily=daily,
        pages=_ranked(_totals(figures, VIEW)),
        sources=_ranked(_totals(figures, SOURCE), SOURCE_LABELS),
        campaigns=_campaigns(_totals(figures, CAMPAIGN), forces),
        feedback=feedback,
        concerns_by_route=_ranked(_totals(concerns, CONCERN), ROUTE_LABELS),
        concerns_by_heard=_ranked(_totals(concerns, CONCERN_HEARD_ABOUT), HEARD_LABELS),
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
    actor = request.state.signed_in.officer.username
    await run_in_threadpool(audit.record, state.engine, actor, "dashboard", detail=f"{rng.first}..{rng.last}")
    return _form_page(request, rng, {}, board)


@requires("comms", "admin")
async def figures_csv(request: Request) -> Response:
    rng, errors = parse_range(request.query_params, utc_today())
    if errors:
        return _form_page(request, rng, errors, None)
    figures, concerns = await _figures(request, rng)
    actor = request.state.signed_in.officer.username
    engine = console_of(request).engine
    await run_in_threadpool(audit.record, engine, actor, "figures-csv", detail=f"{rng.first}..{rng.last}")
    filename = f"act-early-figures-{rng.first}-to-{rng.last}.csv"
    return Response(
        csv_rows(figures, concerns),
        media_type="text/csv; charset=utf-8",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


@requires("comms", "admin")
async def figures_moved(request: Request) -> Response:
    """The old /figures page: the dashboard has its figures and more."""
    return RedirectResponse("/dashboard", status_code=301, headers=NO_STORE)
