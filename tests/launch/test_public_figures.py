"""The public figures: the dashboard's daily totals, only the metrics the page describes, and no comments."""

from __future__ import annotations

import csv
import datetime as dt
import io

from web.clock import BACKWARDS, BAD_DATE, TOO_LONG, DateRange, parse_range
from web.launch import public_figures
from web.launch.public_figures import csv_text, summarise
from web.public import measurement
from web.storage.figures import Figure

DAY = dt.date(2026, 11, 20)
FIGURES = [
    Figure("view", "/en/signs-to-spot", DAY, 7),
    Figure("view", "/en/", DAY, 3),
    Figure("source", "search", DAY, 4),
    Figure("campaign", "north-wales/poster", DAY, 2),
    Figure("offline-save", "en", DAY, 1),
    Figure("useful-yes", "/en/signs-to-spot", DAY, 5),
    Figure("useful-no", "/en/signs-to-spot", DAY, 1),
    Figure("useful-yes", "/en/what-did-you-think/very-satisfied", DAY, 2),
    Figure("useful-no", "/cy/what-did-you-think/dissatisfied", DAY, 1),
    Figure("useful-yes", "/en/partners/feedback/education", DAY, 3),
    Figure("something-new", "secret", DAY, 9),
]


def test_the_metric_names_are_the_ones_the_site_counts_under() -> None:
    assert (public_figures.VIEW, public_figures.SOURCE, public_figures.CAMPAIGN, public_figures.OFFLINE_SAVE) == (
        measurement.VIEW,
        measurement.SOURCE,
        measurement.CAMPAIGN,
        measurement.OFFLINE_SAVE,
    )


def test_summary_splits_page_feedback_satisfaction_and_partners() -> None:
    board = summarise(DateRange(DAY - dt.timedelta(days=1), DAY), FIGURES)
    assert [(row.day, row.views, row.saves) for row in board.daily] == [
        (DAY - dt.timedelta(days=1), 0, 0),
        (DAY, 10, 1),
    ]
    assert board.pages == [("/en/signs-to-spot", 7), ("/en/", 3)]
    assert board.sources == [("search", 4)]
    assert board.campaigns == [("north-wales/poster", 2)]
    assert [(row.page, row.yes, row.no) for row in board.useful] == [("/en/signs-to-spot", 5, 1)]
    assert board.satisfaction == {"very-satisfied": 2, "dissatisfied": 1}
    assert board.partners == {"education": 3}


def test_a_metric_the_page_does_not_describe_is_not_published() -> None:
    rows = list(csv.reader(io.StringIO(csv_text(FIGURES))))
    assert rows[0] == ["metric", "key", "day", "count"]
    assert len(rows) == len(FIGURES)  # the header, and every figure but the undescribed one
    assert not any(row[0] == "something-new" for row in rows)
    assert ["view", "/en/signs-to-spot", "2026-11-20", "7"] in rows


def test_dates_default_to_the_last_28_days() -> None:
    rng, problems = parse_range({}, DAY)
    assert problems == {}
    assert (rng.first, rng.last) == (DAY - dt.timedelta(days=27), DAY)


def test_bad_dates_are_named_and_fall_back_to_the_default() -> None:
    assert parse_range({"from": "2026-02-30"}, DAY)[1] == {"from": BAD_DATE}
    assert parse_range({"to": "yesterday"}, DAY)[1] == {"to": BAD_DATE}
    assert parse_range({"from": "2026-11-21", "to": "2026-11-20"}, DAY)[1] == {"from": BACKWARDS}
    rng, problems = parse_range({"from": "2024-01-01", "to": "2026-01-01"}, DAY)
    assert problems == {"from": TOO_LONG}
    assert rng.last == DAY
