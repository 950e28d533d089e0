"""Aggregate figures: the add_counts upsert, reading counts back, page feedback, and the in-memory counter."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, insert
from sqlalchemy.exc import DataError

from web.storage import create_database_engine
from web.storage.concerns import store_concern
from web.storage.figures import (
    ConcernCount,
    FeedbackComment,
    Figure,
    FigureCounter,
    StatusDay,
    add_counts,
    concern_counts_between,
    concerns_by_route_and_area,
    counts_between,
    first_day_with_data,
    latest_comments,
    outcomes_between,
    status_changes,
    store_feedback,
)
from web.storage.officers import record
from web.storage.tables import concerns

DAY = dt.date(2026, 3, 2)
NEXT = DAY + dt.timedelta(days=1)


def all_counts(engine: Engine) -> dict[tuple[str, str, dt.date], int]:
    return {(f.metric, f.key, f.day): f.count for f in counts_between(engine, dt.date.min, dt.date.max)}


def test_adding_to_an_existing_row_adds_to_its_count(engine: Engine) -> None:
    add_counts(engine, {(DAY, "view", "/en/"): 2, (DAY, "source", "search"): 1})
    add_counts(engine, {(DAY, "view", "/en/"): 3, (NEXT, "view", "/en/"): 1})
    assert all_counts(engine) == {("view", "/en/", DAY): 5, ("source", "search", DAY): 1, ("view", "/en/", NEXT): 1}


def test_engines_and_threads_adding_to_one_new_row_lose_nothing(engine: Engine, database_url: str) -> None:
    other = create_database_engine(database_url)
    try:

        def add_twenty(target: Engine) -> None:
            for _ in range(20):
                add_counts(target, {(DAY, "view", "/en/"): 1})

        threads = [threading.Thread(target=add_twenty, args=(e,)) for e in (engine, other, engine, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.dispose()
    assert all_counts(engine) == {("view", "/en/", DAY): 80}


def test_increments_are_saved_all_together_or_not_at_all(engine: Engine) -> None:
    too_large = 2**63  # fits no INTEGER column: the last row fails after the first was sent
    with pytest.raises((OverflowError, DataError)):  # SQLite's driver refuses it; PostgreSQL does
        add_counts(engine, {(DAY, "a-first", "/en/"): 1, (DAY, "z-last", "/en/"): too_large})
    assert all_counts(engine) == {}


def test_counts_between_are_inclusive_and_ordered_by_metric_key_and_day(engine: Engine) -> None:
    days = [DAY - dt.timedelta(days=1), DAY, NEXT, NEXT + dt.timedelta(days=1)]
    add_counts(engine, {(day, metric, key): 1 for day in days for metric in ("view", "source") for key in ("b", "a")})
    found = counts_between(engine, DAY, NEXT)
    assert [(f.metric, f.key, f.day) for f in found] == [
        (metric, key, day) for metric in ("source", "view") for key in ("a", "b") for day in (DAY, NEXT)
    ]
    assert counts_between(engine, NEXT + dt.timedelta(days=5), NEXT + dt.timedelta(days=9)) == []


def test_feedback_counts_yes_and_no_and_keeps_only_real_comments(engine: Engine) -> None:
    store_feedback(engine, day=DAY, language="en", page="/en/signs", useful=True, comment="Clear, thanks")
    store_feedback(engine, day=DAY, language="en", page="/en/signs", useful=True, comment=None)
    store_feedback(engine, day=NEXT, language="cy", page="/cy/signs", useful=False, comment="")
    store_feedback(engine, day=NEXT, language="cy", page="/cy/signs", useful=False, comment="Rhy hir")
    assert all_counts(engine) == {("useful-yes", "/en/signs", DAY): 2, ("useful-no", "/cy/signs", NEXT): 2}
    assert latest_comments(engine, DAY, NEXT) == [
        FeedbackComment(NEXT, "cy", "/cy/signs", False, "Rhy hir"),
        FeedbackComment(DAY, "en", "/en/signs", True, "Clear, thanks"),
    ]
    assert latest_comments(engine, DAY, NEXT, limit=1)[0].comment == "Rhy hir"
    assert latest_comments(engine, NEXT + dt.timedelta(days=1), NEXT + dt.timedelta(days=2)) == []


def test_concerns_are_counted_by_route_and_by_how_people_heard(engine: Engine) -> None:
    for number, (route, heard, day) in enumerate(
        [("form", "school", DAY), ("form", None, DAY), ("callback", "school", DAY), ("form", "radio", NEXT)]
    ):
        store_concern(
            engine, idempotency_key=f"k{number}", route=route, sealed=b"s", language="en", heard_about=heard, today=day
        )
    assert concern_counts_between(engine, DAY, DAY) == [
        Figure("concern", "callback", DAY, 1),
        Figure("concern", "form", DAY, 2),
        Figure("concern-heard-about", "not-given", DAY, 1),
        Figure("concern-heard-about", "school", DAY, 2),
    ]
    assert [f.key for f in concern_counts_between(engine, NEXT, NEXT)] == ["form", "radio"]


def test_a_failed_flush_gives_its_counts_back_to_join_those_counted_meanwhile(engine: Engine, tmp_path: Path) -> None:
    counter = FigureCounter()
    counter.add("view", "/en/", DAY)
    counter.add("view", "/en/", DAY)
    broken = create_engine(f"sqlite:///{tmp_path / 'missing' / 'figures.sqlite3'}")
    assert counter.flush(broken) is False
    broken.dispose()
    assert counter.pending() == {(DAY, "view", "/en/"): 2}
    counter.add("view", "/en/", DAY)
    counter.add("source", "direct", DAY)
    assert counter.pending() == {(DAY, "view", "/en/"): 3, (DAY, "source", "direct"): 1}
    assert counter.flush(engine) is True
    assert counter.pending() == {}
    assert all_counts(engine) == {("view", "/en/", DAY): 3, ("source", "direct", DAY): 1}


def test_a_count_without_a_day_is_for_the_current_utc_day() -> None:
    counter = FigureCounter()
    counter.add("view", "/en/")
    ((day, metric, key),) = counter.pending()
    assert (metric, key) == ("view", "/en/")
    assert day in {dt.datetime.now(dt.UTC).date(), (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)).date()}


def _concern(engine: Engine, number: int, **columns: object) -> None:
    """A concern with the columns the counts read, as given (received on DAY, by the form, unless said)."""
    values = {"reference": f"R{number:07d}", "idempotency_key": f"key-{number}", "route": "form", "language": "en"}
    with engine.begin() as connection:
        connection.execute(insert(concerns).values({**values, "sealed": b"s", "received_on": DAY, **columns}))


def test_concerns_are_counted_by_day_route_and_area_and_nothing_else(engine: Engine) -> None:
    _concern(engine, 1, area="essex")
    _concern(engine, 2, area="essex")
    _concern(engine, 3, route="callback")
    _concern(engine, 4, received_on=NEXT, area="gwent")
    _concern(engine, 5, received_on=NEXT + dt.timedelta(days=1), area="gwent")  # after the range
    assert concerns_by_route_and_area(engine, DAY, NEXT) == [
        ConcernCount(DAY, "callback", "unknown", 1),
        ConcernCount(DAY, "form", "essex", 2),
        ConcernCount(NEXT, "form", "gwent", 1),
    ]


def test_a_concerns_status_day_is_kept_only_once_it_has_left_new(engine: Engine) -> None:
    noon = dt.datetime(2026, 3, 3, 12, 0)
    _concern(engine, 1)  # new, never changed
    _concern(engine, 2, status="contacted", status_changed_at=noon)
    _concern(engine, 3, status="new", status_changed_at=noon)  # opened again: waiting once more
    _concern(engine, 4, status="closed", status_changed_at=noon + dt.timedelta(days=9), closed_on=NEXT)
    assert sorted(status_changes(engine, DAY, DAY), key=lambda s: s.changed_on or dt.date.min) == [
        StatusDay(DAY, None),
        StatusDay(DAY, None),
        StatusDay(DAY, noon.date()),
        StatusDay(DAY, noon.date() + dt.timedelta(days=9)),
    ]


def test_a_concerns_status_day_is_the_first_change_the_audit_log_has(engine: Engine) -> None:
    """Contacted the next day, closed a week later: the first change counts (issue 20's share read low)."""
    noon = dt.datetime(2026, 3, 3, 12, 0)
    later = noon + dt.timedelta(days=9)
    _concern(engine, 1, status="closed", status_changed_at=later, closed_on=NEXT, area="police-scotland")
    record(engine, "olive", "status", "R0000001", detail="new", now=noon - dt.timedelta(hours=1))  # not a change
    record(engine, "olive", "status", "R0000001", detail="contacted with note", now=noon)
    record(engine, "olive", "status", "R0000001", detail="closed (channel)", now=later)
    record(engine, "olive", "opened", "R0000001", now=noon - dt.timedelta(days=1))  # not a status change
    assert status_changes(engine, DAY, DAY) == [StatusDay(DAY, noon.date(), "police-scotland")]


def test_outcomes_are_counted_by_the_day_a_concern_closed(engine: Engine) -> None:
    _concern(engine, 1, status="closed", outcome="channel", closed_on=NEXT)
    _concern(engine, 2, status="closed", outcome="channel", closed_on=NEXT)
    _concern(engine, 3, status="closed", outcome="could-not-contact", closed_on=DAY)
    _concern(engine, 4, status="contacted", outcome=None, closed_on=None)
    assert outcomes_between(engine, DAY, NEXT) == [
        Figure("outcome", "channel", NEXT, 2),
        Figure("outcome", "could-not-contact", DAY, 1),
    ]


def test_the_first_day_with_data_is_the_earliest_figure_or_concern(engine: Engine) -> None:
    assert first_day_with_data(engine) is None
    add_counts(engine, {(NEXT, "view", "/en/"): 1})
    assert first_day_with_data(engine) == NEXT
    _concern(engine, 1)
    assert first_day_with_data(engine) == DAY
