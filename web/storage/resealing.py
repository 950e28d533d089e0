"""Every sealed value in the database, read and written back: the SQL of key rotation (web/ops/key_rotation.py
holds the keys and decides what each value becomes). Rows are locked while they are resealed (PostgreSQL:
`FOR UPDATE`; SQLite holds its write lock), so a note saved meanwhile waits rather than being lost."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, select, update

from web.storage.tables import concerns, officers

SEALED_COLUMNS = ("sealed", "note_sealed")
# (the concern's reference, the column, its sealed bytes) -> the bytes resealed, or None to leave it
ConcernResealer = Callable[[str, str, bytes], bytes | None]
# (the officer's username, the stored secret) -> the secret sealed again, or None to leave it
SecretResealer = Callable[[str, str], str | None]


def sealed_concern_values(engine: Engine) -> list[bytes]:
    """Every concern's and note's sealed bytes, read at once (each SQLite transaction takes the write lock)."""
    with engine.connect() as connection:
        rows = connection.execute(select(concerns.c.sealed, concerns.c.note_sealed)).all()
    return [bytes(data) for row in rows for data in (row.sealed, row.note_sealed) if data is not None]


def reseal_concerns(connection: Connection, reseal: ConcernResealer) -> dict[str, int]:
    """Every concern's sealed columns passed through `reseal`, in the caller's transaction; counts per column."""
    counts = dict.fromkeys(SEALED_COLUMNS, 0)
    columns = (concerns.c.id, concerns.c.reference, concerns.c.sealed, concerns.c.note_sealed)
    for row in connection.execute(select(*columns).with_for_update()).all():
        values = {}
        for column in SEALED_COLUMNS:
            data = row._mapping[column]
            if data is None:
                continue
            resealed = reseal(row.reference, column, bytes(data))
            if resealed is not None:
                values[column] = resealed
                counts[column] += 1
        if values:
            connection.execute(update(concerns).where(concerns.c.id == row.id).values(**values))
    return counts


def reseal_code_secrets(connection: Connection, reseal: SecretResealer) -> int:
    """Every officer's code secret passed through `reseal`, in the caller's transaction; how many changed."""
    changed = 0
    columns = (officers.c.id, officers.c.username, officers.c.totp_secret)
    for row in connection.execute(select(*columns).with_for_update()).all():
        resealed = reseal(row.username, row.totp_secret)
        if resealed is not None:
            connection.execute(update(officers).where(officers.c.id == row.id).values(totp_secret=resealed))
            changed += 1
    return changed


def first_sealed(engine: Engine) -> tuple[bytes | None, str | None]:
    """The first concern's sealed bytes and, when there is none, the first officer's code secret."""
    with engine.connect() as connection:
        first = connection.execute(select(concerns.c.sealed).order_by(concerns.c.id).limit(1)).scalar()
        if first is not None:
            return bytes(first), None
        secret = connection.execute(select(officers.c.totp_secret).order_by(officers.c.id).limit(1)).scalar()
    return None, secret
