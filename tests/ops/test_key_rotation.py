"""Rotating the officers' key pair: every concern, note and code secret sealed again, nothing lost on failure."""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyotp
import pytest
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey
from sqlalchemy import update
from starlette.testclient import TestClient

from testing.console import PASSWORD, add, sign_in
from testing.forms import sent_reference, submit_concern
from web import cli
from web.app import create_app
from web.console.app import create_console_app
from web.console.auth import hash_password
from web.ops import key_rotation
from web.sealing import (
    generate_key_pair,
    load_private_key,
    load_private_keys,
    load_public_key,
    open_totp_secret,
    retired_key_files,
    seal,
    seal_totp_secret,
    totp_key,
    unseal,
)
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage import officers as store
from web.storage.concerns import get_concern, set_status
from web.storage.tables import concerns


@pytest.fixture
def site_settings(settings: Settings, database_url: str) -> Settings:
    return replace(settings, database_url=database_url)


@pytest.fixture
def site(site_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(site_settings)) as client:
        yield client


def console_for(settings: Settings) -> TestClient:
    return TestClient(create_console_app(settings), base_url="https://console.test")


def key_files(settings: Settings) -> dict[str, bytes]:
    folder = settings.console_private_key_file.parent
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_rotation_reseals_concerns_notes_and_code_secrets_under_a_new_pair(
    site: TestClient, site_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = sent_reference(submit_concern(site, "MARKER-ROTATE"))
    engine = site_of_app(site.app).engine
    old = load_private_key(site_settings.console_private_key_file)
    set_status(engine, reference, "contacted", seal(old.public_key, {"note": "NOTE-ROTATE"}), dt.date.today())
    with console_for(site_settings) as console:
        secret = add(console, "olive", "officer")

    assert cli.run(site_settings, "keys", "rotate") == 0
    assert "1 concerns, 1 notes, 1 code secrets" in capsys.readouterr().out

    new = load_private_key(site_settings.console_private_key_file)
    assert bytes(new) != bytes(old)
    assert load_public_key(site_settings.concern_public_key_file) == new.public_key
    (retired,) = site_settings.console_private_key_file.parent.glob("concerns.key.retired-*")
    assert bytes(load_private_key(retired)) == bytes(old) and stat.S_IMODE(retired.stat().st_mode) == 0o600
    stored = get_concern(engine, reference)
    assert stored is not None and stored.note_sealed is not None
    assert unseal(new, stored.sealed)["answers"]["worries"].endswith("MARKER-ROTATE")
    assert unseal(new, stored.note_sealed) == {"note": "NOTE-ROTATE"}
    for sealed in (stored.sealed, stored.note_sealed):
        with pytest.raises(CryptoError):
            unseal(old, sealed)
    with console_for(site_settings) as console:  # restarted: signs in with the same app, reads the concern
        sign_in(console, "olive", secret)
        page = console.get(f"/concerns/{reference}")
    assert "MARKER-ROTATE" in page.text and "NOTE-ROTATE" in page.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_concern_sealed_with_the_old_public_key_is_read_then_resealed(
    site: TestClient, site_settings: Settings
) -> None:
    """The public servers keep the old public key until they restart: the console opens what they seal with
    the retired key, and `keys reseal` moves it under the current one."""
    assert cli.run(site_settings, "keys", "rotate") == 0
    reference = sent_reference(submit_concern(site, "MARKER-LATE"))  # this site still has the old public key
    new = load_private_key(site_settings.console_private_key_file)
    stored = get_concern(site_of_app(site.app).engine, reference)
    assert stored is not None
    with pytest.raises(CryptoError):
        unseal(new, stored.sealed)
    with console_for(site_settings) as console:
        sign_in(console, "olive", add(console, "olive", "officer"))
        assert "MARKER-LATE" in console.get(f"/concerns/{reference}").text
    assert cli.run(site_settings, "keys", "reseal") == 0
    stored = get_concern(site_of_app(site.app).engine, reference)
    assert stored is not None and "MARKER-LATE" in unseal(new, stored.sealed)["answers"]["worries"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_rotation_that_cannot_open_everything_changes_nothing(
    site: TestClient, site_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    first = sent_reference(submit_concern(site, "MARKER-KEPT"))
    engine = site_of_app(site.app).engine
    stranger = PrivateKey.generate().public_key
    set_status(engine, first, "contacted", seal(stranger, {"note": "sealed for someone else"}), dt.date.today())
    before_files, before_row = key_files(site_settings), get_concern(engine, first)

    assert cli.run(site_settings, "keys", "rotate") == 1
    assert "no key opens its note_sealed; nothing was changed" in capsys.readouterr().err
    after = key_files(site_settings)
    assert {name: data for name, data in after.items() if not name.endswith(".new")} == before_files
    assert set(after) - set(before_files) == {
        "concerns.pub.new",
        "concerns.key.new",
    }  # kept: see key_rotation
    assert get_concern(engine, first) == before_row

    # Once the note is one the officers' key opens, the next rotation sees the .new pair does not open the
    # database (the failed run never committed), starts again and succeeds.
    old = load_private_key(site_settings.console_private_key_file)
    set_status(engine, first, "contacted", seal(old.public_key, {"note": "mended"}), dt.date.today())
    assert cli.run(site_settings, "keys", "rotate") == 0
    assert not [name for name in key_files(site_settings) if name.endswith(".new")]
    stored = get_concern(engine, first)
    assert stored is not None and stored.note_sealed is not None
    assert unseal(load_private_key(site_settings.console_private_key_file), stored.note_sealed) == {"note": "mended"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_running_console_follows_a_rotation_and_two_in_one_second_keep_both_keys(
    site: TestClient, site_settings: Settings
) -> None:
    """The console loads the keys again when the key file changes, so officers are not refused until a
    restart; retired keys never overwrite each other, so what an outdated public server sealed still opens."""
    reference = sent_reference(submit_concern(site, "MARKER-FOLLOWED"))
    engine = site_of_app(site.app).engine
    moment = dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)
    with console_for(site_settings) as console:
        secret = add(console, "olive", "officer")
        for _ in range(2):
            key_rotation.rotate(
                engine, site_settings.concern_public_key_file, site_settings.console_private_key_file, now=moment
            )
        late = sent_reference(submit_concern(site, "MARKER-OUTDATED"))  # sealed under the very first key
        sign_in(console, "olive", secret)
        assert "MARKER-FOLLOWED" in console.get(f"/concerns/{reference}").text
        assert "MARKER-OUTDATED" in console.get(f"/concerns/{late}").text
    retired = sorted(path.name for path in site_settings.console_private_key_file.parent.glob("*.retired-*"))
    assert retired == ["concerns.key.retired-20261126T040000Z", "concerns.key.retired-20261126T040000Z-2"]


def test_only_the_rotations_own_retired_files_are_loaded(tmp_path: Path) -> None:
    """A copy an operator keeps beside a retired key (encrypted, or a backup) is not a key to load."""
    private_file = tmp_path / "concerns.key"
    generate_key_pair(tmp_path / "concerns.pub", private_file)
    (tmp_path / "concerns.key.retired-20261126T040000Z").write_bytes(private_file.read_bytes())
    (tmp_path / "concerns.key.retired-20261126T040000Z.gpg").write_bytes(b"not a key")
    (tmp_path / "concerns.key.retired-20261126T040000Z~").write_bytes(b"not a key")
    assert [path.name for path in retired_key_files(private_file)] == ["concerns.key.retired-20261126T040000Z"]
    assert len(load_private_keys(private_file)) == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_code_secrets_restored_from_before_a_rotation_still_sign_in_and_are_resealed(
    site: TestClient, site_settings: Settings
) -> None:
    """A backup taken before a rotation holds code secrets sealed under the retired key: they still open,
    and `keys reseal` moves them under the current one."""
    engine = site_of_app(site.app).engine
    old = load_private_key(site_settings.console_private_key_file)
    assert cli.run(site_settings, "keys", "rotate") == 0
    secret = pyotp.random_base32()
    store.add_officer(engine, "olive", hash_password(PASSWORD), seal_totp_secret(totp_key(old), secret), "officer")
    with console_for(site_settings) as console:
        sign_in(console, "olive", secret)
    assert cli.run(site_settings, "keys", "reseal") == 0
    stored = store.officer_by_username(engine, "olive")
    current = load_private_key(site_settings.console_private_key_file)
    assert stored is not None and open_totp_secret(totp_key(current), stored.totp_secret) == secret


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_rotation_interrupted_after_its_commit_is_finished_by_the_next(
    site: TestClient, site_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = sent_reference(submit_concern(site, "MARKER-RESUMED"))
    old = load_private_key(site_settings.console_private_key_file)
    with console_for(site_settings) as console:
        secret = add(console, "olive", "officer")
    switch = key_rotation._switch

    def power_cut(*args: object) -> None:
        raise SystemExit("the machine stopped after the database committed")

    monkeypatch.setattr(key_rotation, "_switch", power_cut)
    with pytest.raises(SystemExit):
        key_rotation.rotate(
            site_of_app(site.app).engine,
            site_settings.concern_public_key_file,
            site_settings.console_private_key_file,
        )
    assert bytes(load_private_key(site_settings.console_private_key_file)) == bytes(old)  # not switched yet
    monkeypatch.setattr(key_rotation, "_switch", switch)
    done = key_rotation.rotate(
        site_of_app(site.app).engine,
        site_settings.concern_public_key_file,
        site_settings.console_private_key_file,
    )
    assert done.resumed and done.retired is not None and done.retired.exists()
    assert not list(Path(site_settings.console_private_key_file.parent).glob("*.new"))
    with console_for(site_settings) as console:
        sign_in(console, "olive", secret)
        assert "MARKER-RESUMED" in console.get(f"/concerns/{reference}").text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_concern_no_console_key_opens_gets_a_page_that_says_so(
    site: TestClient, site_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A public server with the wrong public key: the officer sees why, not a server error, and the audit log
    and the server's log name the concern (never its content)."""
    reference = sent_reference(submit_concern(site, "MARKER-STRANGER"))
    engine = site_of_app(site.app).engine
    stranger = PrivateKey.generate().public_key
    with engine.begin() as connection:
        connection.execute(
            update(concerns).where(concerns.c.reference == reference).values(sealed=seal(stranger, {"worries": "x"}))
        )
    with console_for(site_settings) as console:
        sign_in(console, "olive", add(console, "olive", "officer"))
        page = console.get(f"/concerns/{reference}")
    assert page.status_code == 503 and "cannot be opened with the console" in page.text
    assert reference in caplog.text and "MARKER" not in caplog.text
    assert store.audit_entries(engine)[0].action == "unopenable"
