"""Concerns in the database: stored once per key, read back, their status changed, and purged when closed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import Engine

from web.storage import concerns
from web.storage.concerns import (
    REFERENCE_ALPHABET,
    get_concern,
    list_concerns,
    new_reference,
    purge_closed,
    reference_for_key,
    set_status,
    store_concern,
)

DAY = dt.date(2026, 3, 2)


def store(
    engine: Engine,
    key: str,
    sealed: bytes = b"sealed",
    route: str = "form",
    language: str = "en",
    heard_about: str = "x",
) -> str:
    return store_concern(
        engine, idempotency_key=key, route=route, sealed=sealed, language=language, heard_about=heard_about, today=DAY
    )


def test_a_reference_is_two_groups_of_four_easily_read_characters() -> None:
    for _ in range(50):
        reference = new_reference()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
        assert not set(reference.replace("-", "")) - set(REFERENCE_ALPHABET)
        assert not set(reference) & set("01IO")


def test_storing_with_the_same_key_twice_keeps_one_concern_and_the_first_content(engine: Engine) -> None:
    first = store(engine, "key-1", b"first")
    again = store(engine, "key-1", b"second", route="callback")
    assert again == first
    assert [(c.reference, c.sealed, c.route) for c in list_concerns(engine)] == [(first, b"first", "form")]
    assert reference_for_key(engine, "key-1") == first
    assert reference_for_key(engine, "key-unknown") is None


def test_a_stored_concern_reads_back_with_every_field_and_status_new(engine: Engine) -> None:
    reference = store(engine, "key-1", b"\x00\xffsealed", route="callback", language="cy", heard_about="")
    stored = get_concern(engine, reference)
    assert stored == concerns.StoredConcern(
        reference=reference,
        route="callback",
        received_on=DAY,
        heard_about=None,  # an empty answer is stored as no answer
        language="cy",
        status="new",
        sealed=b"\x00\xffsealed",
        note_sealed=None,
        closed_on=None,
    )
    assert get_concern(engine, "ZZZZ-ZZZZ") is None


def test_a_reference_collision_draws_another_reference(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = iter(["AAAA-AAAA", "AAAA-AAAA", "BBBB-BBBB"])
    monkeypatch.setattr(concerns, "new_reference", lambda: next(drawn))
    assert store(engine, "key-1") == "AAAA-AAAA"
    assert store(engine, "key-2") == "BBBB-BBBB"
    assert sorted(c.reference for c in list_concerns(engine)) == ["AAAA-AAAA", "BBBB-BBBB"]


def test_five_collisions_in_a_row_give_up_with_an_error(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(concerns, "new_reference", lambda: "AAAA-AAAA")
    store(engine, "key-1")
    with pytest.raises(RuntimeError, match="could not store the concern"):
        store(engine, "key-2")
    assert reference_for_key(engine, "key-2") is None


def test_concerns_are_listed_newest_first_and_filtered_by_status(engine: Engine) -> None:
    first, second, third = (store(engine, f"key-{number}") for number in range(3))
    assert set_status(engine, second, "contacted", None, DAY)
    assert [c.reference for c in list_concerns(engine)] == [third, second, first]
    assert [c.reference for c in list_concerns(engine, ("new",))] == [third, first]
    assert [c.reference for c in list_concerns(engine, ("closed",))] == []


def test_closing_sets_the_day_and_reopening_clears_it_but_keeps_the_note(engine: Engine) -> None:
    reference = store(engine, "key-1")
    assert set_status(engine, reference, "closed", b"note", DAY)
    closed = get_concern(engine, reference)
    assert closed is not None and (closed.status, closed.closed_on, closed.note_sealed) == ("closed", DAY, b"note")
    assert set_status(engine, reference, "referred", None, DAY + dt.timedelta(days=1))
    reopened = get_concern(engine, reference)
    assert reopened is not None and (reopened.status, reopened.closed_on, reopened.note_sealed) == (
        "referred",
        None,
        b"note",
    )


def test_an_unknown_status_is_refused_and_an_unknown_reference_changes_nothing(engine: Engine) -> None:
    reference = store(engine, "key-1")
    with pytest.raises(ValueError, match="unknown status 'deleted'"):
        set_status(engine, reference, "deleted", None, DAY)
    assert set_status(engine, "ZZZZ-ZZZZ", "closed", None, DAY) is False
    stored = get_concern(engine, reference)
    assert stored is not None and stored.status == "new"


def test_only_concerns_closed_more_than_the_given_days_ago_are_purged(engine: Engine) -> None:
    old, edge, recent, still_open = (store(engine, f"key-{number}") for number in range(4))
    set_status(engine, old, "closed", None, DAY - dt.timedelta(days=31))
    set_status(engine, edge, "closed", None, DAY - dt.timedelta(days=30))
    set_status(engine, recent, "closed", None, DAY - dt.timedelta(days=1))
    set_status(engine, still_open, "contacted", None, DAY - dt.timedelta(days=400))
    assert purge_closed(engine, older_than_days=30, today=DAY) == [old]
    assert sorted(c.reference for c in list_concerns(engine)) == sorted([edge, recent, still_open])
    assert purge_closed(engine, older_than_days=30, today=DAY) == []
