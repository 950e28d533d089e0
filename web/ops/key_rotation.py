"""Rotating the officers' key pair, and resealing what arrived under a retired key.

`python -m web keys rotate` writes a new pair beside the current one (`*.new`, on disk before anything
else happens), then, in one transaction, opens every concern, every officer's note and every officer's
TOTP secret with the current key (or a retired one) and seals it again under the new pair. Only after that
commits does the current private key become `*.retired-<UTC time>` and the new files take the live names.
The `.new` files are never deleted on an error, because a commit can succeed and still report one (a
connection lost during COMMIT, an interrupt): the next `rotate` asks the database which key opens it, and
either finishes the renames or starts again. The rows are locked while they are resealed (PostgreSQL:
`FOR UPDATE`; SQLite holds its write lock), so a note saved meanwhile waits rather than being lost.

A running console loads the new key as soon as the key file changes (web/console/app.py). Until every
public server has the new public key and has restarted, the site still seals with the old one: the console
opens those concerns with the retired key, and `python -m web keys reseal` (run once the public servers are
updated) moves them to the current key, as it does code secrets restored from an older backup. After that
the retired key opens only old backups: keep it offline as long as they are kept, or destroy it at once if
it leaked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from sqlalchemy import Connection, Engine

from web.clock import utc_now
from web.sealing import (
    SEALED,
    generate_key_pair,
    load_private_key,
    load_private_keys,
    open_totp_secret,
    open_totp_secret_with_any,
    open_with_any,
    retired_key_files,
    seal_totp_secret,
    sync_directory,
    totp_key,
)
from web.storage.resealing import first_sealed, reseal_code_secrets, reseal_concerns, sealed_concern_values


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
    generate_key_pair(new_public, new_private, replace=True)  # its own scratch files (see above)
    _same_owner(private_file, new_private)
    new = load_private_key(new_private)
    prepared = _prepare(engine, openers, new)
    with engine.begin() as connection:  # on an error the .new pair stays: see the module's docstring
        sealed, notes = _reseal_concerns(connection, openers, new, prepared)
        resealed = _reseal_totp_secrets(connection, openers, new)
    return _switch(public_file, private_file, Resealed(sealed, notes, resealed), now)


def reseal(engine: Engine, private_file: Path) -> Resealed:
    """What is sealed under a retired key sealed again under the current one: concerns and notes from a public
    server that still had the old public key, and anything restored from a backup taken before a rotation."""
    keys = load_private_keys(private_file)
    prepared = _prepare(engine, keys, keys[0])
    with engine.begin() as connection:
        sealed, notes = _reseal_concerns(connection, keys, keys[0], prepared)
        secrets = _reseal_totp_secrets(connection, keys, keys[0])
    return Resealed(sealed, notes, secrets)


Prepared = dict[bytes, bytes | None]  # a sealed value read before the transaction -> it resealed (None: no need)


def _prepare(engine: Engine, openers: Sequence[PrivateKey], target: PrivateKey) -> Prepared:
    """The slow part, before any lock: every concern and note resealed under `target`, by its sealed bytes.
    Inside the transaction, a value still the same uses this; one changed or added meanwhile is done there.
    (On SQLite the transaction holds the write lock, and a person pressing Send waits for it: with all the
    work inside it, 10,000 concerns held it 3.5 s, near the 5 s busy timeout; now the slowest Send waited
    0.9 s, so about 50,000 concerns would reach it. bench/results/key-rotation.md.)"""
    box, prepared = SealedBox(target.public_key), {}
    for data in sealed_concern_values(engine):
        with contextlib.suppress(CryptoError):  # the transaction reports what no key opens
            prepared[data] = _resealed(box, openers, target, data)
    return prepared


def _resealed(
    box: SealedBox[PublicKey], openers: Sequence[PrivateKey], target: PrivateKey, data: bytes
) -> bytes | None:
    """`data` sealed in `box` (for `target`), or None when `target` already opens it."""
    return None if _opens(target, data) else bytes(box.encrypt(open_with_any(openers, data)))


def _reseal_concerns(
    connection: Connection, openers: Sequence[PrivateKey], target: PrivateKey, prepared: Prepared
) -> tuple[int, int]:
    """Seal under `target` every concern and note that `target` does not already open."""
    box = SealedBox(target.public_key)

    def reseal(reference: str, column: str, data: bytes) -> bytes | None:
        try:
            return prepared[data] if data in prepared else _resealed(box, openers, target, data)
        except CryptoError:
            raise RotationError(f"concern {reference}: no key opens its {column}; nothing was changed") from None

    counts = reseal_concerns(connection, reseal)
    return counts["sealed"], counts["note_sealed"]


def _reseal_totp_secrets(connection: Connection, openers: Sequence[PrivateKey], target: PrivateKey) -> int:
    """Seal under `target`'s key every code secret it does not already open (one in clear included)."""
    target_key, keys = totp_key(target), [totp_key(key) for key in openers]

    def reseal(username: str, stored: str) -> str | None:
        if open_totp_secret(target_key, stored) is not None:
            return None
        plain = None if stored.startswith(SEALED) else stored
        secret = plain or open_totp_secret_with_any(keys, stored)
        if secret is None:
            raise RotationError(f"officer {username}: no key opens the code secret; nothing was changed")
        return seal_totp_secret(target_key, secret)

    return reseal_code_secrets(connection, reseal)


def _opens(key: PrivateKey, sealed: bytes) -> bool:
    try:
        SealedBox(key).decrypt(sealed)
    except CryptoError:
        return False
    return True


def _opens_database(engine: Engine, key: PrivateKey) -> bool:
    """Whether the database is already sealed under `key`: its first concern or officer opens with it."""
    concern, secret = first_sealed(engine)
    if concern is not None:
        return _opens(key, concern)
    return secret is not None and open_totp_secret(totp_key(key), secret) is not None


def _new_files(public_file: Path, private_file: Path) -> tuple[Path, Path]:
    return public_file.with_name(public_file.name + ".new"), private_file.with_name(private_file.name + ".new")


def _switch(public_file: Path, private_file: Path, done: Resealed, now: dt.datetime | None) -> Resealed:
    """The old private key kept as retired, then the new pair under the live names (each rename atomic)."""
    new_public, new_private = _new_files(public_file, private_file)
    current = private_file.read_bytes()
    kept = [path for path in retired_key_files(private_file) if path.read_bytes() == current]  # an interrupted run's
    retired = kept[0] if kept else _retired_name(private_file, now or utc_now())
    if not kept:
        os.link(private_file, retired)  # fails rather than replace an earlier retired key
    os.rename(new_private, private_file)  # the live name always holds a key: the old one, then the new
    os.rename(new_public, public_file)
    sync_directory(private_file.parent)
    if public_file.parent != private_file.parent:
        sync_directory(public_file.parent)
    return Resealed(done.concerns, done.notes, done.secrets, retired, done.resumed)


def _retired_name(private_file: Path, moment: dt.datetime) -> Path:
    base = f"{private_file.name}.retired-{moment:%Y%m%dT%H%M%SZ}"
    candidates = (private_file.with_name(base if n == 1 else f"{base}-{n}") for n in range(1, 1000))
    return next(path for path in candidates if not path.exists())


def _same_owner(old: Path, new: Path) -> None:
    """The new private key owned as the old one was (run as root, it would be root's, and the console could
    not read it)."""
    status = old.stat()
    if (new.stat().st_uid, new.stat().st_gid) != (status.st_uid, status.st_gid):
        with contextlib.suppress(PermissionError):  # not root: the old one was this user's too, to be readable
            os.chown(new, status.st_uid, status.st_gid)
