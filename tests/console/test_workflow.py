"""The rules of an officer's work, apart from HTTP: when a concern is due and overdue, and a handover's checks."""

from __future__ import annotations

import datetime as dt

import pytest

from web.console.workflow import OUTCOMES, due_by, handover_errors, is_overdue, overdue_received_by

MONDAY = dt.date(2026, 3, 2)
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (MONDAY, MONDAY + DAY),  # Monday: due by the end of Tuesday
        (MONDAY + 3 * DAY, MONDAY + 4 * DAY),  # Thursday: Friday
        (MONDAY + 4 * DAY, MONDAY + 7 * DAY),  # Friday: the Monday after
        (MONDAY + 5 * DAY, MONDAY + 7 * DAY),  # Saturday: Monday
        (MONDAY + 6 * DAY, MONDAY + 7 * DAY),  # Sunday: Monday
    ],
)
def test_a_concern_is_due_by_the_end_of_the_next_working_day(received: dt.date, due: dt.date) -> None:
    assert due_by(received) == due


def test_a_new_concern_is_overdue_from_the_day_after_it_was_due() -> None:
    friday = MONDAY + 4 * DAY
    assert not is_overdue("new", friday, MONDAY + 7 * DAY)  # the Monday after: still on time
    assert is_overdue("new", friday, MONDAY + 8 * DAY)  # Tuesday: overdue
    assert not is_overdue("contacted", friday, MONDAY + 30 * DAY)  # contacted: no longer waiting
    assert not is_overdue("closed", friday, MONDAY + 30 * DAY)


def test_the_overdue_cutoff_agrees_with_each_day_it_stands_for() -> None:
    """One date is the whole condition the database is asked (received on it or before): checked against
    is_overdue for every day of receipt in the weeks before each day of a month."""
    for today in (MONDAY + n * DAY for n in range(31)):
        cutoff = overdue_received_by(today)
        for received in (today - n * DAY for n in range(21)):
            assert is_overdue("new", received, today) == (received <= cutoff), (today, received)


def test_five_outcomes_close_a_concern() -> None:
    assert list(OUTCOMES) == [
        "no-further-action",
        "other-services",
        "channel",
        "police-investigation",
        "could-not-contact",
    ]


def test_a_handover_needs_who_and_a_real_day_not_in_the_future() -> None:
    today = MONDAY
    handover, errors = handover_errors("  Leeds   Prevent team ", "2026-03-02", " LPT-1 ", today)
    assert errors == {} and handover is not None
    assert (handover.to, handover.on, handover.their_reference) == ("Leeds Prevent team", today, "LPT-1")
    assert handover_errors("Leeds Prevent team", "2026-03-02", "", today)[0] is not None  # their reference optional
    for to, on, reference, field in [
        ("", "2026-03-02", "", "handover-to"),
        ("x" * 121, "2026-03-02", "", "handover-to"),
        ("Leeds", "2026-02-30", "", "handover-on"),
        ("Leeds", "02/03/2026", "", "handover-on"),
        ("Leeds", "2026-03-03", "", "handover-on"),  # tomorrow
        ("Leeds", "2026-03-02", "r" * 65, "handover-reference"),
    ]:
        handover, errors = handover_errors(to, on, reference, today)
        assert handover is None and list(errors) == [field], (to, on, reference)
