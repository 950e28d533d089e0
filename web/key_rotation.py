"""Rotating the officers' key pair, and resealing what arrived under a retired key.

`python -m web keys rotate` writes a new pair beside the current one (`*.new`), then, in one transaction,
opens every concern, every officer's note and every officer's TOTP secret with the current key (or a
retired one) and seals it again under the new pair. Only after that commits does the current private key
become `*.retired-<UTC time>` and the new files take the live names. If the database step fails, nothing
has changed; if the process dies after the commit, the next `rotate` sees that the `.new` key opens the
database and finishes the renames.

Until every public server has the new public key and has restarted, the site still seals with the old
one: the console opens those concerns with the retired key, and `python -m web keys reseal` (run once the
public servers are updated) moves them to the current key. After that the retired key opens only old
backups: keep it offline as long as they are kept, or destroy it at once if it leaked.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox
from sqlalchemy import Connection, Engine, select, update

from web.console.auth import SEALED, open_totp_secret, seal_totp_secret, totp_key
from web.sealing import generate_key_pair, load_private_key, load_private_keys, open_with_any, retired_key_files
from web.storage.tables import concerns, officers


class RotationError(RuntimeError):
    """Something sealed opens with none of the keys: nothing was changed."""


@dataclass(frozen=True)
class Resealed:
    concerns: int
    notes: int
    secrets: int
    retired: Path | None = None  # where `rotate` moved the old private key
    resumed: bool = False  # `rotate` finished one that had been interrupted after its commit


def rotate(engine: Engine, public_file: Path, private_file: Path, *, now: dt.datetime | None = None) -> Resealed:
    """A new key pair, with everything sealed under the old one (or a retired one) sealed again under it."""
    new_public, new_private = _new_files(public_file, private_file)
    if new_private.exists():
        if _opens_database(engine, load_private_key(new_private)):
            return _switch(public_file, private_file, Resealed(0, 0, 0, resumed=True), now)
        new_private.unlink()
        new_public.unlink(missing_ok=True)
    openers = load_private_keys(private_file)
    generate_key_pair(new_public, new_private)
    new = load_private_key(new_private)
    try:
        with engine.begin() as connection:
            sealed, notes = _reseal_concerns(connection, openers, new)
            resealed = _reseal_totp_secrets(connection, openers[0], new)
    except BaseException:
        new_private.unlink()
        new_public.unlink()
        raise
    return _switch(public_file, private_file, Resealed(sealed, notes, resealed), now)


def reseal(engine: Engine, private_file: Path) -> Resealed:
    """Concerns and notes sealed under a retired key (by a public server that still had the old public key)
    sealed again under the current one."""
    keys = load_private_keys(private_file)
    with engine.begin() as connection:
        sealed, notes = _reseal_concerns(connection, keys, keys[0])
    return Resealed(sealed, notes, 0)


def _reseal_concerns(connection: Connection, openers: Sequence[PrivateKey], target: PrivateKey) -> tuple[int, int]:
    """Seal under `target` every concern and note that `target` does not already open."""
    counts = {"sealed": 0, "note_sealed": 0}
    box = SealedBox(target.public_key)
    rows = connection.execute(select(concerns.c.id, concerns.c.reference, concerns.c.sealed, concerns.c.note_sealed))
    for row in rows.all():
        values = {}
        for column in counts:
            data = row._mapping[column]
            if data is None or _opens(target, data):
                continue
            try:
                values[column] = bytes(box.encrypt(open_with_any(openers, data)))
            except CryptoError:
                raise RotationError(
                    f"concern {row.reference}: no key opens its {column}; nothing was changed"
                ) from None
            counts[column] += 1
        if values:
            connection.execute(update(concerns).where(concerns.c.id == row.id).values(**values))
    return counts["sealed"], counts["note_sealed"]


def _reseal_totp_secrets(connection: Connection, old: PrivateKey, new: PrivateKey) -> int:
    old_key, new_key = totp_key(old), totp_key(new)
    rows = connection.execute(select(officers.c.id, officers.c.username, officers.c.totp_secret)).all()
    for row in rows:
        secret = open_totp_secret(old_key, row.totp_secret) if row.totp_secret.startswith(SEALED) else row.totp_secret
        if secret is None:
            raise RotationError(f"officer {row.username}: the code secret does not open; nothing was changed")
        sealed = seal_totp_secret(new_key, secret)
        connection.execute(update(officers).where(officers.c.id == row.id).values(totp_secret=sealed))
    return len(rows)


def _opens(key: PrivateKey, sealed: bytes) -> bool:
    try:
        SealedBox(key).decrypt(sealed)
    except CryptoError:
        return False
    return True


def _opens_database(engine: Engine, key: PrivateKey) -> bool:
    """Whether the database is already sealed under `key`: its first concern or officer opens with it."""
    with engine.connect() as connection:
        first = connection.execute(select(concerns.c.sealed).order_by(concerns.c.id).limit(1)).scalar()
        if first is not None:
            return _opens(key, first)
        secret = connection.execute(select(officers.c.totp_secret).order_by(officers.c.id).limit(1)).scalar()
    return secret is not None and open_totp_secret(totp_key(key), secret) is not None


def _new_files(public_file: Path, private_file: Path) -> tuple[Path, Path]:
    return public_file.with_name(public_file.name + ".new"), private_file.with_name(private_file.name + ".new")


def _switch(public_file: Path, private_file: Path, done: Resealed, now: dt.datetime | None) -> Resealed:
    """The old private key kept as retired, then the new pair under the live names (each rename atomic)."""
    new_public, new_private = _new_files(public_file, private_file)
    moment = now or dt.datetime.now(dt.UTC)
    retired = private_file.with_name(f"{private_file.name}.retired-{moment:%Y%m%dT%H%M%SZ}")
    if private_file.exists():  # not yet retired by an interrupted run
        os.rename(private_file, retired)
    else:
        retired = retired_key_files(private_file)[0]
    os.rename(new_private, private_file)
    os.rename(new_public, public_file)
    return Resealed(done.concerns, done.notes, done.secrets, retired, done.resumed)
