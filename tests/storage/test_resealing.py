"""The SQL of key rotation: every sealed concern, note and code secret read and written back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from web.storage import officers as store
from web.storage.concerns import get_concern, set_status, store_concern
from web.storage.resealing import first_sealed, reseal_code_secrets, reseal_concerns, sealed_concern_values


def add_concern(engine: Engine, key: str, sealed: bytes, note: bytes | None = None) -> str:
    reference = store_concern(engine, idempotency_key=key, route="form", sealed=sealed, language="en", heard_about=None)
    if note is not None:
        set_status(engine, reference, "contacted", note, dt.date(2026, 3, 2))
    return reference


def test_every_sealed_concern_and_note_is_read_and_missing_notes_are_left_out(engine: Engine) -> None:
    add_concern(engine, "k1", b"concern-1", b"note-1")
    add_concern(engine, "k2", b"concern-2")
    assert sorted(sealed_concern_values(engine)) == [b"concern-1", b"concern-2", b"note-1"]


def test_resealing_concerns_writes_back_what_changes_and_counts_per_column(engine: Engine) -> None:
    first = add_concern(engine, "k1", b"old:concern-1", b"old:note-1")
    second = add_concern(engine, "k2", b"new:concern-2", b"old:note-2")
    third = add_concern(engine, "k3", b"old:concern-3")
    seen: list[tuple[str, str, bytes]] = []

    def reseal(reference: str, column: str, data: bytes) -> bytes | None:
        seen.append((reference, column, data))
        return b"new:" + data.removeprefix(b"old:") if data.startswith(b"old:") else None

    with engine.begin() as connection:
        assert reseal_concerns(connection, reseal) == {"sealed": 2, "note_sealed": 2}
    assert sorted(seen) == sorted(
        [
            (first, "sealed", b"old:concern-1"),
            (first, "note_sealed", b"old:note-1"),
            (second, "sealed", b"new:concern-2"),
            (second, "note_sealed", b"old:note-2"),
            (third, "sealed", b"old:concern-3"),
        ]
    ), "a concern without a note is never asked about its note"
    stored = [get_concern(engine, reference) for reference in (first, second, third)]
    assert [(c.sealed, c.note_sealed) for c in stored if c is not None] == [
        (b"new:concern-1", b"new:note-1"),
        (b"new:concern-2", b"new:note-2"),
        (b"new:concern-3", None),
    ]


def test_resealing_in_a_transaction_that_fails_changes_nothing(engine: Engine) -> None:
    reference = add_concern(engine, "k1", b"old", b"old-note")
    with pytest.raises(RuntimeError, match="stopped"), engine.begin() as connection:
        assert reseal_concerns(connection, lambda _ref, _column, data: b"new" + data) == {"sealed": 1, "note_sealed": 1}
        raise RuntimeError("stopped")
    stored = get_concern(engine, reference)
    assert stored is not None and (stored.sealed, stored.note_sealed) == (b"old", b"old-note")


def test_code_secrets_are_resealed_and_the_ones_left_alone_are_not_counted(engine: Engine) -> None:
    store.add_officer(engine, "olive", "hash", "box:old-olive", "officer")
    store.add_officer(engine, "ada", "hash", "box:new-ada", "admin")
    store.add_officer(engine, "zara", "hash", "PLAINSECRET", "comms")

    def reseal(username: str, secret: str) -> str | None:
        return None if secret.startswith("box:new") else f"box:new-{username}"

    with engine.begin() as connection:
        assert reseal_code_secrets(connection, reseal) == 2
    assert [(o.username, o.totp_secret) for o in store.all_officers(engine)] == [
        ("ada", "box:new-ada"),
        ("olive", "box:new-olive"),
        ("zara", "box:new-zara"),
    ]


def test_the_first_sealed_value_is_the_first_concerns_else_the_first_officers_secret(engine: Engine) -> None:
    assert first_sealed(engine) == (None, None)
    store.add_officer(engine, "zara", "hash", "box:zara", "comms")
    store.add_officer(engine, "ada", "hash", "box:ada", "admin")
    assert first_sealed(engine) == (None, "box:zara"), "the first added, not the first by name"
    add_concern(engine, "k1", b"first-concern")
    add_concern(engine, "k2", b"second-concern")
    assert first_sealed(engine) == (b"first-concern", None)
