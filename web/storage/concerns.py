"""Storing concerns exactly once, and reading them back for the console."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from web.clock import utc_today
from web.storage.database import reading
from web.storage.tables import concerns

# A reference is read out by speech engines, written down by ear and quoted on the phone, so it alternates
# letters and digits ("C2D4-F7H9"): no two digits together, which engines read as a number ("48" as "forty-
# eight"), and no two letters, which they read as a word or an abbreviation ("DR" as "doctor"). Left out:
# 0, 1, I and O (mistaken for each other); A (read as the word "a"); B, G, K, M, T and X (after a digit,
# read as billion, giga, thousand, million, trillion or times); E (2E4 is a number); S, Z and V (written,
# they pass for 5, 2 and U). Older references (any of "ABCDEFGHJKLMNPQRSTUVWXYZ23456789") stay valid: the
# console looks a reference up as it is stored. The confirmation page speaks it character by character.
REFERENCE_LETTERS = "CDFHJLNPQRUWY"
REFERENCE_DIGITS = "23456789"
REFERENCE_ALPHABET = REFERENCE_LETTERS + REFERENCE_DIGITS
STATUSES = ("new", "contacted", "referred", "closed")


@dataclass(frozen=True)
class StoredConcern:
    reference: str
    route: str
    received_on: dt.date
    heard_about: str | None
    language: str
    status: str
    sealed: bytes
    note_sealed: bytes | None
    closed_on: dt.date | None
    area: str = "unknown"  # a force's slug, "unknown" or "outside-uk" (ADR 21)


class DatabaseBusy(Exception):
    """The database did not take a concern in time: a lock held past the wait (a long backup, a key rotation,
    a stuck writer), no connection free or none to be had. Nothing was stored, or, if the commit itself was
    cut off, the idempotency key finds it when the sender tries again; either way, trying again is safe.
    The message is only the name of the database's own error, so it can be logged."""


@contextmanager
def _in_time() -> Iterator[None]:
    try:
        yield
    except (OperationalError, PoolTimeout) as error:  # SQLite's busy timeout, PostgreSQL's lock or statement timeout
        raise DatabaseBusy(type(getattr(error, "orig", None) or error).__name__) from error


def new_reference() -> str:
    """Two groups of a letter, a digit, a letter and a digit: 13**4 * 8**4, about 117 million references."""
    chars = "".join(secrets.choice(REFERENCE_DIGITS if index % 2 else REFERENCE_LETTERS) for index in range(8))
    return f"{chars[:4]}-{chars[4:]}"


def store_concern(
    engine: Engine,
    *,
    idempotency_key: str,
    route: str,
    sealed: bytes,
    language: str,
    heard_about: str | None,
    today: dt.date | None = None,
    area: str = "unknown",
) -> str:
    """Store a sealed concern once per idempotency key and return its reference.

    Committed (and, on SQLite, synced to disk) before it returns: only then may the site say it
    was received. A second call with the same key stores nothing and returns the first reference. `area` routes
    it (ADR 21): a force's slug, "unknown" or "outside-uk".
    DatabaseBusy when the database cannot take it in time.
    """
    values = {
        "idempotency_key": idempotency_key,
        "route": route,
        "sealed": sealed,
        "language": language,
        "heard_about": heard_about or None,
        "received_on": today or utc_today(),
        "area": area,
    }
    with _in_time():
        for _ in range(5):
            try:
                return _insert_once(engine, {**values, "reference": new_reference()})
            except IntegrityError:
                continue  # a reference collision (one in a trillion): draw another
    raise RuntimeError("could not store the concern")


def _insert_once(engine: Engine, values: dict[str, object]) -> str:
    """Insert unless the idempotency key is stored already; the reference stored under the key."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(concerns).values(values).on_conflict_do_nothing(index_elements=["idempotency_key"])
    with engine.begin() as connection:
        connection.execute(statement)
        reference = connection.execute(
            select(concerns.c.reference).where(concerns.c.idempotency_key == values["idempotency_key"])
        ).scalar_one()
    return str(reference)


def reference_for_key(engine: Engine, idempotency_key: str) -> str | None:
    """The reference of the concern stored under `idempotency_key`, if any; DatabaseBusy when no answer in time."""
    with _in_time(), reading(engine) as connection:
        found = connection.execute(
            select(concerns.c.reference).where(concerns.c.idempotency_key == idempotency_key)
        ).scalar_one_or_none()
    return str(found) if found is not None else None


def _row(row: object) -> StoredConcern:
    mapping = row._mapping  # type: ignore[attr-defined]
    return StoredConcern(**{name: mapping[name] for name in StoredConcern.__dataclass_fields__})


def list_concerns(engine: Engine, statuses: tuple[str, ...] = STATUSES) -> list[StoredConcern]:
    query = select(concerns).where(concerns.c.status.in_(statuses)).order_by(concerns.c.id.desc())
    with engine.connect() as connection:
        return [_row(row) for row in connection.execute(query)]


def get_concern(engine: Engine, reference: str) -> StoredConcern | None:
    with engine.connect() as connection:
        row = connection.execute(select(concerns).where(concerns.c.reference == reference)).first()
    return _row(row) if row is not None else None


def set_status(engine: Engine, reference: str, status: str, note_sealed: bytes | None, today: dt.date) -> bool:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    values: dict[str, object] = {"status": status, "closed_on": today if status == "closed" else None}
    if note_sealed is not None:
        values["note_sealed"] = note_sealed
    with engine.begin() as connection:
        result = connection.execute(update(concerns).where(concerns.c.reference == reference).values(**values))
    return result.rowcount == 1


def purge_closed(engine: Engine, *, older_than_days: int, today: dt.date) -> list[str]:
    """Delete concerns closed more than `older_than_days` ago; return their references."""
    cutoff = today - dt.timedelta(days=older_than_days)
    condition = and_(concerns.c.status == "closed", concerns.c.closed_on < cutoff)
    with engine.begin() as connection:
        references = [str(ref) for ref in connection.execute(select(concerns.c.reference).where(condition)).scalars()]
        connection.execute(delete(concerns).where(condition))
    return references
