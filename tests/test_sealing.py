"""Sealing concerns for the officers, their key files and the sealing of their sign-in code secrets (web/sealing.py)."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey

from web import sealing
from web.sealing import KeyFileError

PAYLOAD = {"route": "form", "answers": {"worries": "Zoë is ✓ سلمان", "access_needs": ["bsl"]}}


def key_pair(directory: Path) -> tuple[Path, Path]:
    public, private = directory / "keys" / "concerns.pub", directory / "keys" / "concerns.key"
    sealing.generate_key_pair(public, private)
    return public, private


def test_a_generated_pair_seals_with_the_public_key_and_opens_with_the_private_one(tmp_path: Path) -> None:
    public, private = key_pair(tmp_path)
    sealed = sealing.seal(sealing.load_public_key(public), PAYLOAD)
    assert "Zoë".encode() not in sealed and b"worries" not in sealed
    assert sealing.unseal(sealing.load_private_key(private), sealed) == PAYLOAD
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_a_private_key_written_over_a_readable_file_is_still_readable_by_its_owner_only(tmp_path: Path) -> None:
    private = tmp_path / "concerns.key"
    private.write_text("old key\n")
    private.chmod(0o644)
    sealing.generate_key_pair(tmp_path / "concerns.pub", private, replace=True)  # as `keys generate --force` does
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_a_concern_sealed_for_another_key_cannot_be_opened() -> None:
    sealed = sealing.seal(PrivateKey.generate().public_key, PAYLOAD)
    with pytest.raises(CryptoError):
        sealing.unseal(PrivateKey.generate(), sealed)
    with pytest.raises(CryptoError):
        sealing.open_with_any([], sealed)


def test_open_with_any_tries_the_current_key_then_the_retired_ones() -> None:
    current, retired = PrivateKey.generate(), PrivateKey.generate()
    sealed = sealing.seal(retired.public_key, PAYLOAD)
    assert sealing.unseal([current, retired], sealed) == PAYLOAD
    assert sealing.open_with_any([current, retired], sealing.seal(current.public_key, {"a": 1})) == b'{"a": 1}'


@pytest.mark.parametrize("content", [None, b"", b"not base64!", b"YWJj\n"])
def test_a_missing_or_unreadable_public_key_is_a_key_file_error_naming_it(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "concerns.pub"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(KeyFileError, match=re.escape(f"public key from {path}")):
        sealing.load_public_key(path)


@pytest.mark.parametrize(
    "content",
    [
        None,
        b"not base64!",
        b"",  # nacl raises its own TypeError for a key of the wrong length
        b"YWJj\n",
    ],
)
def test_a_missing_or_unreadable_private_key_is_a_key_file_error_naming_it(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "concerns.key"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(KeyFileError, match=re.escape(f"private key from {path}")):
        sealing.load_private_key(path)


def test_only_the_retired_keys_that_rotation_names_are_loaded_newest_first(tmp_path: Path) -> None:
    _, private = key_pair(tmp_path)
    names = ["retired-20240101T000000Z", "retired-20250101T000000Z", "retired-20250101T000000Z-2"]
    retired = [PrivateKey.generate() for _ in names]
    for name, key in zip(names, retired, strict=True):
        (private.parent / f"concerns.key.{name}").write_bytes(key.encode(sealing.Base64Encoder))
    for copy in (
        "concerns.key.retired-20250101T000000Z.bak",
        "concerns.key.retired-2025",
        "other.key.retired-20250101T000000Z",
    ):
        (private.parent / copy).write_text("not a key")
    found = sealing.retired_key_files(private)
    assert [path.name.removeprefix("concerns.key.") for path in found] == names[::-1]
    keys = sealing.load_private_keys(private)
    assert keys[0] == sealing.load_private_key(private) and keys[1:] == retired[::-1]


def test_a_tenth_rotation_within_one_second_is_still_the_newest(tmp_path: Path) -> None:
    private = tmp_path / "concerns.key"
    for suffix in ("", "-2", "-9", "-10"):
        (tmp_path / f"concerns.key.retired-20250101T000000Z{suffix}").write_text("key")
    assert [path.name[-3:] for path in sealing.retired_key_files(private)] == ["-10", "Z-9", "Z-2", "00Z"]


def test_the_form_secret_comes_from_the_setting_when_there_is_one(tmp_path: Path) -> None:
    assert sealing.load_or_create_secret("sécret", tmp_path / "secret") == "sécret".encode()
    assert not (tmp_path / "secret").exists()


def test_the_form_secret_is_created_once_readable_by_its_owner_only_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "form-secret"
    secret = sealing.load_or_create_secret("", path)
    assert len(secret) == 64 and int(secret, 16) > 0 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sealing.load_or_create_secret("", path) == secret
    path.write_text("  kept by the operator \n")
    assert sealing.load_or_create_secret("", path) == b"kept by the operator"


def test_a_totp_secret_sealed_with_a_private_keys_totp_key_opens_only_with_it() -> None:
    key, other = sealing.totp_key(PrivateKey.generate()), sealing.totp_key(PrivateKey.generate())
    sealed = sealing.seal_totp_secret(key, "JBSWY3DPEHPK3PXP")
    assert sealed.startswith("box:") and "JBSWY3DPEHPK3PXP" not in sealed
    assert sealing.open_totp_secret(key, sealed) == "JBSWY3DPEHPK3PXP"
    assert sealing.open_totp_secret(other, sealed) is None
    assert sealing.seal_totp_secret(key, "JBSWY3DPEHPK3PXP") != sealed  # a fresh nonce each time


def test_the_totp_key_is_derived_from_the_private_key_and_never_equals_it() -> None:
    private = PrivateKey.generate()
    assert sealing.totp_key(private) == sealing.totp_key(PrivateKey(bytes(private)))
    assert len(sealing.totp_key(private)) == 32 and sealing.totp_key(private) != bytes(private)


@pytest.mark.parametrize("stored", ["JBSWY3DPEHPK3PXP", "box:", "box:not base64!", "box:AAAA"])
def test_a_totp_secret_that_is_not_sealed_or_is_damaged_opens_as_none(stored: str) -> None:
    assert sealing.open_totp_secret(sealing.totp_key(PrivateKey.generate()), stored) is None


def test_a_damaged_sealed_totp_secret_opens_as_none() -> None:
    key = sealing.totp_key(PrivateKey.generate())
    sealed = sealing.seal_totp_secret(key, "JBSWY3DPEHPK3PXP")
    flipped = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    assert sealing.open_totp_secret(key, flipped) is None


def test_a_totp_secret_opens_with_whichever_key_sealed_it_current_or_retired() -> None:
    current, retired = (sealing.totp_key(PrivateKey.generate()) for _ in range(2))
    sealed = sealing.seal_totp_secret(retired, "OLDSECRET")
    assert sealing.open_totp_secret_with_any([current, retired], sealed) == "OLDSECRET"
    assert sealing.open_totp_secret_with_any([current], sealed) is None
    assert sealing.open_totp_secret_with_any([], sealed) is None
