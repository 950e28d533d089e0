"""The rules of an officer's work, apart from HTTP: when a concern is due and overdue, and a handover's checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from web.console.workflow import (
    OUTCOMES,
    console_today,
    due_by,
    handover_errors,
    is_overdue,
    is_working_day,
    overdue_received_by,
)
from web.console.working_days import (
    BANK_HOLIDAYS_FILE,
    BankHolidaysFileError,
    calendar_of_area,
    load_bank_holidays,
    uk_day,
    years_without_holidays,
)

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


# Bank holidays and the UK's day (web/console/working_days.py, content/bank-holidays.yaml)

MAUNDY_THURSDAY = dt.date(2026, 4, 2)  # Good Friday 3 April, Easter Monday 6 April 2026


def test_a_concern_received_the_thursday_before_easter_is_not_overdue_on_easter_monday_in_england() -> None:
    assert due_by(MAUNDY_THURSDAY, calendar="england-and-wales") == dt.date(2026, 4, 7)  # Tuesday after
    assert not is_overdue("new", MAUNDY_THURSDAY, dt.date(2026, 4, 6), calendar="england-and-wales")
    assert not is_overdue("new", MAUNDY_THURSDAY, dt.date(2026, 4, 7), calendar="england-and-wales")
    assert is_overdue("new", MAUNDY_THURSDAY, dt.date(2026, 4, 8), calendar="england-and-wales")
    assert due_by(MAUNDY_THURSDAY) == dt.date(2026, 4, 7)  # England and Wales' calendar is the default


def test_scotland_works_on_easter_monday_and_northern_ireland_does_not() -> None:
    assert due_by(MAUNDY_THURSDAY, calendar="scotland") == dt.date(2026, 4, 6)
    assert is_overdue("new", MAUNDY_THURSDAY, dt.date(2026, 4, 7), calendar="scotland")
    assert due_by(MAUNDY_THURSDAY, calendar="northern-ireland") == dt.date(2026, 4, 7)


@pytest.mark.parametrize(
    ("received", "calendar", "due"),
    [
        (dt.date(2026, 1, 1), "scotland", dt.date(2026, 1, 5)),  # 2 January is Scotland's, not England's
        (dt.date(2026, 1, 1), "england-and-wales", dt.date(2026, 1, 2)),
        (dt.date(2026, 11, 27), "scotland", dt.date(2026, 12, 1)),  # St Andrew's Day, Monday 30 November
        (dt.date(2026, 11, 27), "england-and-wales", dt.date(2026, 11, 30)),
        (dt.date(2026, 8, 28), "england-and-wales", dt.date(2026, 9, 1)),  # summer: last Monday of August
        (dt.date(2026, 8, 28), "scotland", dt.date(2026, 8, 31)),  # Scotland's was 3 August
        (dt.date(2026, 7, 10), "northern-ireland", dt.date(2026, 7, 14)),  # Boyne, substitute Monday 13 July
        (dt.date(2026, 3, 16), "northern-ireland", dt.date(2026, 3, 18)),  # St Patrick's Day, Tuesday
        (dt.date(2026, 12, 24), "england-and-wales", dt.date(2026, 12, 29)),  # Christmas, Boxing Day on Monday
        (dt.date(2027, 12, 24), "england-and-wales", dt.date(2027, 12, 29)),  # both substitutes in 2027
        (dt.date(2027, 1, 1), "scotland", dt.date(2027, 1, 5)),  # 2 January 2027 is a Saturday: Monday off
    ],
)
def test_each_nation_counts_its_own_bank_holidays_out(received: dt.date, calendar: str, due: dt.date) -> None:
    assert due_by(received, calendar=calendar) == due


def test_the_overdue_cutoff_agrees_with_each_day_it_stands_for_in_every_calendar() -> None:
    for calendar in ("england-and-wales", "scotland", "northern-ireland"):
        for today in (dt.date(2026, 3, 1) + n * DAY for n in range(0, 700, 3)):
            cutoff = overdue_received_by(today, calendar=calendar)
            for received in (today - n * DAY for n in range(14)):
                assert is_overdue("new", received, today, calendar=calendar) == (received <= cutoff), (today, received)


def test_a_queue_follows_its_forces_nation_and_the_national_queue_england_and_wales() -> None:
    assert calendar_of_area("national") == calendar_of_area(None) == "england-and-wales"
    assert calendar_of_area("unknown") == calendar_of_area("outside-uk") == "england-and-wales"
    assert calendar_of_area("police-scotland") == "scotland"
    assert calendar_of_area("psni") == "northern-ireland"
    assert calendar_of_area("gwent") == calendar_of_area("essex") == "england-and-wales"
    assert calendar_of_area("a-force-since-merged") == "england-and-wales"  # a stored row still opens


def test_a_concern_received_at_half_past_eleven_utc_on_a_summer_evening_is_the_next_uk_day() -> None:
    late = dt.datetime(2026, 7, 2, 23, 30, tzinfo=dt.UTC)  # 00:30 on Friday 3 July in London (BST)
    assert uk_day(late) == dt.date(2026, 7, 3)
    assert uk_day(late.replace(tzinfo=None)) == dt.date(2026, 7, 3)  # naive: taken as UTC
    assert uk_day(dt.datetime(2026, 1, 2, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 1, 2)  # winter: GMT is UTC
    assert console_today(late) == dt.date(2026, 7, 3)
    # on the UK's day, a Thursday-night concern at 00:30 BST is Friday's: due Monday, not Friday
    assert due_by(uk_day(late)) == dt.date(2026, 7, 6)
    assert due_by(late.date()) == dt.date(2026, 7, 3)


def test_the_clocks_going_back_and_forward_keep_the_uk_day() -> None:
    assert uk_day(dt.datetime(2026, 3, 28, 23, 59, tzinfo=dt.UTC)) == dt.date(2026, 3, 28)  # GMT
    assert uk_day(dt.datetime(2026, 3, 29, 23, 0, tzinfo=dt.UTC)) == dt.date(2026, 3, 30)  # BST from 29 March
    assert uk_day(dt.datetime(2026, 10, 24, 23, 0, tzinfo=dt.UTC)) == dt.date(2026, 10, 25)  # still BST
    assert uk_day(dt.datetime(2026, 10, 25, 23, 0, tzinfo=dt.UTC)) == dt.date(2026, 10, 25)  # GMT again


def test_the_bank_holidays_file_is_valid_cites_gov_uk_and_lists_2026_and_2027() -> None:
    holidays = load_bank_holidays()
    assert holidays.source == "https://www.gov.uk/bank-holidays"
    assert {2026, 2027} <= holidays.years
    assert {name: len(days) for name, days in holidays.days.items()} == {
        "england-and-wales": 16,
        "scotland": 18,
        "northern-ireland": 20,
    }


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda text: text.replace("2026-04-06, title: Easter Monday", "2026-04-05, title: Easter Sunday"), "weekend"),
        (lambda text: text.replace("years: [2026, 2027]", "years: [2026]"), "not in one of the years"),
        (lambda text: text.replace("source: https://www.gov.uk/bank-holidays", "source: somewhere"), "https"),
        (lambda text: text.replace("  northern-ireland:\n", "  ulster:\n"), "exactly"),
        (lambda text: text.replace("2026-01-02, title: 2nd January", "2026-01-01, title: twice"), "twice"),
        (lambda text: text.replace("{date: 2026-05-04, title: Early May bank holiday}", "{day: 2026-05-04}"), "not"),
    ],
)
def test_a_bank_holidays_file_that_is_not_as_documented_is_refused_with_why(
    tmp_path: Path, change: Callable[[str], str], problem: str
) -> None:
    wrong = tmp_path / "bank-holidays.yaml"
    wrong.write_text(change(BANK_HOLIDAYS_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(BankHolidaysFileError, match=problem):
        load_bank_holidays(wrong)


def test_a_day_in_a_year_the_file_does_not_list_counts_monday_to_friday() -> None:
    assert is_working_day(dt.date(2030, 12, 25))  # a Wednesday: not listed yet
    assert not is_working_day(dt.date(2030, 12, 28))  # a Saturday
    with pytest.raises(ValueError, match="not one of"):
        is_working_day(dt.date(2026, 1, 5), "wales")


def test_the_queue_warns_when_the_bank_holidays_of_a_year_are_missing() -> None:
    assert years_without_holidays(dt.date(2026, 12, 6)) == []  # 2026 and 2027 are in the file
    assert years_without_holidays(dt.date(2027, 9, 30)) == []
    assert years_without_holidays(dt.date(2027, 10, 1)) == [2028]
    assert years_without_holidays(dt.date(2028, 3, 1)) == [2028]
