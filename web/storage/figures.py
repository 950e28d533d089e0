"""Aggregate figures for the soft launch: counts per day, metric and key, and page feedback comments.

Nothing here can tell one visitor from another: a row is a day, a metric ("view", "source", ...), a
key (a page's path, a source category, a force slug) and a count. Counts are added with an upsert
(INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count) that works on SQLite and
PostgreSQL, so several processes can add to the same row. Concern figures are read from the
concerns table itself (route, received_on, heard_about are kept there in clear), never copied.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from web.clock import utc_today
from web.storage.tables import audit_log, concerns, feedback_comments, figures

log = logging.getLogger("web.figures")

FEEDBACK_YES, FEEDBACK_NO = "useful-yes", "useful-no"
CONCERN, CONCERN_HEARD_ABOUT = "concern", "concern-heard-about"
# A followed redirect from a "Let's Talk About It" address (web/http/redirects.py): the old address it
# matched, and the host of the site the visitor came from (never the rest of that site's address).
LTAI_ADDRESS, LTAI_REFERRER = "ltai-address", "ltai-referrer"
NOT_GIVEN = "not-given"
Increments = Mapping[tuple[dt.date, str, str], int]


@dataclass(frozen=True)
class Figure:
    metric: str
    key: str
    day: dt.date
    count: int


def totals(figures: Iterable[Figure], metric: str) -> dict[str, int]:
    """Each key's count of `metric`, over every day of `figures`."""
    found: dict[str, int] = defaultdict(int)
    for figure in figures:
        if figure.metric == metric:
            found[figure.key] += figure.count
    return dict(found)


@dataclass(frozen=True)
class FeedbackComment:
    received_on: dt.date
    language: str
    page: str
    useful: bool
    comment: str


def _add(connection: Connection, increments: Increments) -> None:
    rows = [
        {"day": day, "metric": metric, "key": key, "count": count}
        for (day, metric, key), count in sorted(increments.items())  # a fixed order: no deadlocks between workers
        if count
    ]
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(figures)
    statement = statement.on_conflict_do_update(
        index_elements=[figures.c.day, figures.c.metric, figures.c.key],
        set_={"count": figures.c["count"] + statement.excluded["count"]},
    )
    connection.execute(statement, rows)


def add_counts(engine: Engine, increments: Increments) -> None:
    """Add every increment in one transaction: all of them are saved, or none."""
    with engine.begin() as connection:
        _add(connection, increments)


def store_feedback(
    engine: Engine, *, day: dt.date, language: str, page: str, useful: bool, comment: str | None
) -> None:
    """Count a yes or no for `page` and keep the comment, if there is one, in the same transaction."""
    with engine.begin() as connection:
        _add(connection, {(day, FEEDBACK_YES if useful else FEEDBACK_NO, page): 1})
        if comment:
            connection.execute(
                insert(feedback_comments).values(
                    received_on=day, language=language, page=page, useful=useful, comment=comment
                )
            )


def counts_between(engine: Engine, first: dt.date, last: dt.date) -> list[Figure]:
    """Every count from `first` to `last` inclusive, by metric, key and day."""
    query = (
        select(figures.c.metric, figures.c.key, figures.c.day, figures.c["count"])
        .where(figures.c.day.between(first, last))
        .order_by(figures.c.metric, figures.c.key, figures.c.day)
    )
    with engine.connect() as connection:
        return [Figure(str(m), str(k), day, int(n)) for m, k, day, n in connection.execute(query)]


def concern_counts_between(engine: Engine, first: dt.date, last: dt.date) -> list[Figure]:
    """Concerns and call-back requests a day, by route and by "how did you hear about us?"."""
    found: list[Figure] = []
    in_range = concerns.c.received_on.between(first, last)
    with engine.connect() as connection:
        for metric, column in ((CONCERN, concerns.c.route), (CONCERN_HEARD_ABOUT, concerns.c.heard_about)):
            query = (
                select(column, concerns.c.received_on, func.count())
                .where(in_range)
                .group_by(column, concerns.c.received_on)
            )
            found += [Figure(metric, str(key or NOT_GIVEN), day, int(n)) for key, day, n in connection.execute(query)]
    return sorted(found, key=lambda figure: (figure.metric, figure.key, figure.day))


@dataclass(frozen=True)
class ConcernCount:
    """How many concerns arrived on a day by one route, for one area (never which concerns)."""

    received_on: dt.date
    route: str
    area: str
    count: int


@dataclass(frozen=True)
class StatusDay:
    """A concern's day of arrival, its area, and the UTC day its status first left "new" (None while new)."""

    received_on: dt.date
    changed_on: dt.date | None
    area: str = "unknown"


def concerns_by_route_and_area(engine: Engine, first: dt.date, last: dt.date) -> list[ConcernCount]:
    """Concerns received from `first` to `last`, counted by day, route and area."""
    query = (
        select(concerns.c.received_on, concerns.c.route, concerns.c.area, func.count())
        .where(concerns.c.received_on.between(first, last))
        .group_by(concerns.c.received_on, concerns.c.route, concerns.c.area)
        .order_by(concerns.c.received_on, concerns.c.route, concerns.c.area)
    )
    with engine.connect() as connection:
        return [ConcernCount(day, str(route), str(area), int(n)) for day, route, area, n in connection.execute(query)]


def status_changes(engine: Engine, first: dt.date, last: dt.date) -> list[StatusDay]:
    """For each concern received from `first` to `last`: its day, its area and the day its status first left
    "new", from the audit log's first status change to another status (a concern contacted in time and
    changed again later was still contacted in time). A concern whose status left "new" with no such entry
    (stored before status changes were audited, or by a test) has the day of its latest change, the only one
    the concerns table keeps (migration 0007). Two dates and an area a concern, nothing else."""
    first_change = (
        select(func.min(audit_log.c.at))
        .where(
            audit_log.c.reference == concerns.c.reference,  # the audit_log_reference index
            audit_log.c.action == "status",
            ~audit_log.c.detail.startswith("new"),
        )
        .scalar_subquery()
    )
    query = select(
        concerns.c.received_on, concerns.c.area, concerns.c.status, concerns.c.status_changed_at, first_change
    ).where(concerns.c.received_on.between(first, last))
    with engine.connect() as connection:
        return [
            StatusDay(day, _day_of(audited) or (_day_of(latest) if status != "new" else None), str(area))
            for day, area, status, latest, audited in connection.execute(query)
        ]


def _day_of(moment: dt.datetime | None) -> dt.date | None:
    return moment.date() if moment is not None else None


def outcomes_between(engine: Engine, first: dt.date, last: dt.date) -> list[Figure]:
    """Concerns closed from `first` to `last`, by the day they closed and their outcome (metric "outcome")."""
    query = (
        select(concerns.c.outcome, concerns.c.closed_on, func.count())
        .where(concerns.c.status == "closed", concerns.c.closed_on.between(first, last))
        .group_by(concerns.c.outcome, concerns.c.closed_on)
    )
    with engine.connect() as connection:
        found = [Figure("outcome", str(key or NOT_GIVEN), day, int(n)) for key, day, n in connection.execute(query)]
    return sorted(found, key=lambda figure: (figure.key, figure.day))


def first_day_with_data(engine: Engine) -> dt.date | None:
    """The launch's first day: the earliest day with a figure or a concern (None before any)."""
    with engine.connect() as connection:
        days = [
            connection.execute(select(func.min(figures.c.day))).scalar(),
            connection.execute(select(func.min(concerns.c.received_on))).scalar(),
        ]
    found = [day for day in days if day is not None]
    return min(found) if found else None


def latest_comments(engine: Engine, first: dt.date, last: dt.date, limit: int = 50) -> list[FeedbackComment]:
    query = (
        select(
            feedback_comments.c.received_on,
            feedback_comments.c.language,
            feedback_comments.c.page,
            feedback_comments.c.useful,
            feedback_comments.c.comment,
        )
        .where(feedback_comments.c.received_on.between(first, last))
        .order_by(feedback_comments.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return [
            FeedbackComment(day, str(lang), str(page), bool(useful), str(text))
            for day, lang, page, useful, text in connection.execute(query)
        ]


class FigureCounter:
    """Counts in this process's memory until `flush` adds them to the database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Counter[tuple[dt.date, str, str]] = Counter()

    def add(self, metric: str, key: str, day: dt.date | None = None) -> None:
        with self._lock:
            self._pending[(day or utc_today(), metric, key)] += 1

    def pending(self) -> dict[tuple[dt.date, str, str], int]:
        with self._lock:
            return dict(self._pending)

    def _take(self) -> Counter[tuple[dt.date, str, str]]:
        with self._lock:
            taken, self._pending = self._pending, Counter()
        return taken

    def _give_back(self, increments: Increments) -> None:
        with self._lock:
            self._pending.update(increments)

    def flush(self, engine: Engine) -> bool:
        """Add what was counted to the database; on failure keep it for the next flush. Never raises."""
        taken = self._take()
        if not taken:
            return True
        try:
            add_counts(engine, taken)
        except Exception as error:  # noqa: BLE001 - a flush must never break the site; it is retried
            self._give_back(taken)
            log.warning("could not save %d figures (%s); will try again", len(taken), type(error).__name__)
            return False
        return True
