"""References a screen reader reads one character at a time (web/concern/reference.py) and the alphabet they are
drawn from (web/storage/concerns.py): issue 21, item 5."""

from __future__ import annotations

import re

import pytest

from web.concern.reference import spoken
from web.storage import concerns, create_database_engine
from web.storage.concerns import REFERENCE_DIGITS, REFERENCE_LETTERS, new_reference
from web.storage.migrate import migrate


def test_a_reference_alternates_letters_and_digits_so_it_is_never_read_as_a_number_or_a_word() -> None:
    for _ in range(200):
        reference = new_reference()
        assert re.fullmatch(r"([A-Z][2-9]){2}-([A-Z][2-9]){2}", reference), reference
        assert not re.search(r"[0-9]{2}|[A-Z]{2}", reference.replace("-", ""))


def test_the_letters_leave_out_those_read_as_words_units_or_numbers_and_those_mistaken_for_digits() -> None:
    assert not set(REFERENCE_LETTERS) & set("AIOBGKMTXESZV")
    assert set(REFERENCE_DIGITS) == set("23456789")


def test_the_spoken_form_spaces_every_character_and_parts_the_groups_with_a_comma() -> None:
    assert spoken("C2D4-F7H9") == "C 2 D 4, F 7 H 9"


def test_an_older_reference_is_spoken_one_character_at_a_time_too() -> None:
    """References drawn from the first alphabet (digit runs and all) stay valid, and are read out the same way."""
    assert spoken("7K2M-4825") == "7 K 2 M, 4 8 2 5"


def test_a_reference_of_the_first_alphabet_is_still_found_beside_the_new_ones(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_database_engine(database_url)
    try:
        migrate(engine)
        monkeypatch.setattr(concerns, "new_reference", lambda: "7K2M-4825")
        old = concerns.store_concern(
            engine, idempotency_key="old", route="form", sealed=b"s", language="en", heard_about=None
        )
        monkeypatch.undo()
        new = concerns.store_concern(
            engine, idempotency_key="new", route="form", sealed=b"s", language="en", heard_about=None
        )
        for reference in (old, new):
            found = concerns.get_concern(engine, reference)
            assert found is not None and found.reference == reference
            assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", reference)  # the form of the console's addresses
    finally:
        engine.dispose()
