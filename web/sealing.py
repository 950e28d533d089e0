"""Sealing concerns so that only the officers can read them (PyNaCl sealed boxes), and the officers'
sign-in code secrets with a key derived from their private key.

The public site holds only the officers' public key: it can seal a concern but never open one.
The console holds the private key and opens a concern in memory when an officer reads it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nacl.encoding import Base64Encoder
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

log = logging.getLogger("web.sealing")
SEALED = "box:"  # the start of a sealed TOTP secret; one stored before sealing starts with a base32 letter


class KeyFileError(RuntimeError):
    """A key file is missing or unreadable."""


def generate_key_pair(public_file: Path, private_file: Path, *, replace: bool = False) -> None:
    """Write a new key pair, on disk before this returns: the private key readable by its owner only.
    An existing key file is never replaced unless `replace` says so (`keys generate --force`): FileExistsError."""
    for path in (private_file, public_file):
        if path.exists() and not replace:
            raise FileExistsError(f"{path} exists: a key file is never replaced without --force")
    private = PrivateKey.generate()
    _write_durably(private_file, private.encode(Base64Encoder) + b"\n", 0o600, replace=replace)
    _write_durably(public_file, private.public_key.encode(Base64Encoder) + b"\n", 0o644, replace=replace)


def _write_durably(path: Path, data: bytes, mode: int, *, replace: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL), mode)
    os.fchmod(descriptor, mode)  # the mode `os.open` gives only a file it creates: never keep a looser one
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """Make a file's creation or renaming in `directory` survive a power cut."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def load_public_key(path: Path) -> PublicKey:
    try:
        return PublicKey(path.read_bytes().strip(), encoder=Base64Encoder)
    except (OSError, ValueError, TypeError) as error:  # nacl: TypeError for a key of the wrong length
        raise KeyFileError(f"cannot read the officers' public key from {path}: {error}") from None


def load_private_key(path: Path) -> PrivateKey:
    try:
        return PrivateKey(path.read_bytes().strip(), encoder=Base64Encoder)
    except (OSError, ValueError, TypeError) as error:  # nacl: TypeError for a key of the wrong length
        raise KeyFileError(f"cannot read the officers' private key from {path}: {error}") from None


RETIRED = re.compile(r"\.retired-\d{8}T\d{6}Z(-\d+)?")  # what `keys rotate` adds to the key file's name


def retired_key_files(private_file: Path) -> list[Path]:
    """The private keys `python -m web keys rotate` retired beside `private_file`, newest first (only its own
    names: a copy an operator made beside them, `….gpg` or `….bak`, is not a key to load)."""
    retired = [
        path
        for path in private_file.parent.glob(private_file.name + ".retired-*")
        if RETIRED.fullmatch(path.name.removeprefix(private_file.name))
    ]
    return sorted(retired, key=_retired_order, reverse=True)


def _retired_order(path: Path) -> tuple[str, int]:
    """When it was retired, and which of the keys retired in that second (…Z, …Z-2, …, …Z-10)."""
    stamp, _, number = path.name.rsplit(".retired-", 1)[1].removesuffix("Z").partition("Z-")
    return stamp, int(number or 1)


def load_private_keys(private_file: Path) -> list[PrivateKey]:
    """The current private key, then the retired ones: what the console opens concerns with."""
    return [load_private_key(path) for path in (private_file, *retired_key_files(private_file))]


def ensure_development_keys(public_file: Path, private_file: Path, *, development: bool = True) -> None:
    """On a fresh checkout (`make run`: development), make a key pair so the site runs. Anywhere else a missing
    public key stops the server: made there, it would put a private key on a public server, seal concerns
    under a key the console lacks, and (were it to replace CONSOLE_PRIVATE_KEY_FILE) lose every concern."""
    if public_file.exists():
        return
    if not development:
        raise KeyFileError(
            f"CONCERN_PUBLIC_KEY_FILE: there is no key file at {public_file}; give the path of the key"
            " `python -m web keys generate` wrote (keys are made by a server in development only)"
        )
    if private_file.exists():  # never replaced: the public key is the private one's
        _write_durably(public_file, load_private_key(private_file).public_key.encode(Base64Encoder) + b"\n", 0o644)
        log.warning("wrote the public key of %s to %s", private_file, public_file)
        return
    generate_key_pair(public_file, private_file)
    log.warning(
        "generated a development key pair in %s; for production run `python -m web keys generate` "
        "and keep the private key on the console's server only",
        public_file.parent,
    )


def seal(public_key: PublicKey, payload: dict[str, Any]) -> bytes:
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return bytes(SealedBox(public_key).encrypt(data))


def open_with_any(keys: Sequence[PrivateKey], sealed: bytes) -> bytes:
    """The sealed bytes opened with the first of `keys` that opens them (the current key, then retired ones)."""
    for key in keys:
        try:
            return bytes(SealedBox(key).decrypt(sealed))
        except CryptoError:
            continue
    raise CryptoError("none of the officers' private keys opens this")


def unseal(keys: PrivateKey | Sequence[PrivateKey], sealed: bytes) -> dict[str, Any]:
    opened: dict[str, Any] = json.loads(open_with_any([keys] if isinstance(keys, PrivateKey) else keys, sealed))
    return opened


def load_or_create_secret(value: str, path: Path, *, create: bool = True) -> bytes:
    """The form-signing secret: from the environment, else from its file (created when missing, in development
    alone: `create`; anywhere else a missing one is a KeyFileError)."""
    if value:
        return value.encode("utf-8")
    if not path.exists() and not create:
        raise KeyFileError(
            f"FORM_SECRET is not set and FORM_SECRET_FILE ({path}) does not exist: set the same long random"
            " value on every server of the public site (servers make one in development only)"
        )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


# Officers' code (TOTP) secrets (ADR 9) -------------------------------------------------------------


def totp_key(private_key: PrivateKey) -> bytes:
    """The key that seals TOTP secrets: derived from the officers' private key, so it is never stored."""
    return hashlib.sha256(b"console-totp:" + bytes(private_key)).digest()


def seal_totp_secret(key: bytes, secret: str) -> str:
    return SEALED + SecretBox(key).encrypt(secret.encode(), encoder=Base64Encoder).decode()


def open_totp_secret(key: bytes, sealed: str) -> str | None:
    """The secret, or None when it cannot be opened (not sealed, damaged, or sealed with another key)."""
    if not sealed.startswith(SEALED):
        return None
    try:
        return SecretBox(key).decrypt(sealed.removeprefix(SEALED).encode(), encoder=Base64Encoder).decode()
    except (CryptoError, ValueError):
        return None


def open_totp_secret_with_any(keys: Sequence[bytes], sealed: str) -> str | None:
    """The secret, opened with the first key that opens it: the current key's, then retired ones'."""
    return next((secret for key in keys if (secret := open_totp_secret(key, sealed)) is not None), None)
