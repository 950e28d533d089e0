"""Keys are made on purpose, never by a server (issue 19, item 1; issue 15, item 10): outside development a
missing key or form secret stops the site, naming its setting; no key file is ever replaced without --force."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from nacl.encoding import Base64Encoder

from testing.settings import settings_in
from web.app import create_app
from web.cli import run
from web.sealing import (
    KeyFileError,
    ensure_development_keys,
    generate_key_pair,
    load_or_create_secret,
    load_private_key,
)
from web.settings import Settings
from web.storage import create_database_engine
from web.storage.migrate import migrate


def staging(tmp_path: Path, **changes: Any) -> Settings:
    """A server that is not development's, on a migrated database (as `python -m web serve` leaves it)."""
    settings = replace(settings_in(tmp_path, **changes), environment="staging")
    engine = create_database_engine(settings.database_url)
    migrate(engine)
    engine.dispose()
    return settings


def test_a_typo_in_the_public_key_path_stops_the_site_and_never_touches_the_private_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    generate_key_pair(keys / "concerns.pub", keys / "concerns.key")
    private = (keys / "concerns.key").read_bytes()
    settings = staging(tmp_path, concern_public_key_file=keys / "concerns.pbu")
    with pytest.raises(KeyFileError, match=r"CONCERN_PUBLIC_KEY_FILE: there is no key file at .*concerns\.pbu"):
        create_app(settings)
    assert (keys / "concerns.key").read_bytes() == private
    assert sorted(path.name for path in keys.iterdir()) == ["concerns.key", "concerns.pub"]


def test_a_site_that_is_not_development_makes_no_form_secret(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    generate_key_pair(keys / "concerns.pub", keys / "concerns.key")
    settings = staging(tmp_path, form_secret="", form_secret_file=keys / "form-secret")
    with pytest.raises(KeyFileError, match="FORM_SECRET is not set and FORM_SECRET_FILE"):
        create_app(settings)
    assert not (keys / "form-secret").exists()


def test_development_still_makes_what_is_missing(tmp_path: Path) -> None:
    settings = replace(settings_in(tmp_path), form_secret="", form_secret_file=tmp_path / "keys" / "form-secret")
    create_app(settings)
    assert settings.concern_public_key_file.is_file() and settings.console_private_key_file.is_file()
    assert (tmp_path / "keys" / "form-secret").is_file()


def test_development_with_a_private_key_but_no_public_one_writes_its_public_key_and_keeps_it(tmp_path: Path) -> None:
    public, private = tmp_path / "concerns.pub", tmp_path / "concerns.key"
    generate_key_pair(public, private)
    kept = private.read_bytes()
    public.unlink()
    ensure_development_keys(public, private, development=True)
    assert private.read_bytes() == kept
    assert public.read_bytes().strip() == load_private_key(private).public_key.encode(Base64Encoder)


def test_a_key_file_is_never_replaced_without_force(tmp_path: Path) -> None:
    public, private = tmp_path / "concerns.pub", tmp_path / "concerns.key"
    generate_key_pair(public, private)
    kept = private.read_bytes()
    with pytest.raises(FileExistsError):
        generate_key_pair(tmp_path / "other.pub", private)
    assert private.read_bytes() == kept and not (tmp_path / "other.pub").exists()


def test_keys_generate_refuses_to_replace_a_key_and_force_replaces_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_in(tmp_path)
    assert run(settings, "keys", "generate") == 0
    kept = settings.console_private_key_file.read_bytes()
    assert run(settings, "keys", "generate") == 1
    assert "--force replaces them" in capsys.readouterr().err
    assert settings.console_private_key_file.read_bytes() == kept
    assert run(settings, "keys", "generate", "--force") == 0
    assert settings.console_private_key_file.read_bytes() != kept


def test_the_form_secret_file_is_read_but_never_made_outside_development(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="FORM_SECRET is not set"):
        load_or_create_secret("", tmp_path / "form-secret", create=False)
    assert not (tmp_path / "form-secret").exists()
    (tmp_path / "form-secret").write_text("made by the operator\n")
    assert load_or_create_secret("", tmp_path / "form-secret", create=False) == b"made by the operator"
