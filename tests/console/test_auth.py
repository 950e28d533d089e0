"""Signing in to the console: passwords, delays, sessions, CSRF, the pending cookie and TOTP codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from nacl.public import PrivateKey
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.testclient import TestClient

from testing.console import PASSWORD
from web.console import auth
from web.console.state import console_of_app
from web.sealing import open_totp_secret, seal_totp_secret, totp_key
from web.storage import create_database_engine
from web.storage import officers as store
from web.storage.migrate import migrate

NOW = dt.datetime(2026, 3, 2, 9, 30)
AT = 1_800_000_000.0  # a moment for codes: step 60_000_000
KEY = totp_key(PrivateKey.generate())
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # fixed: no chance of a wrong code matching by luck


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    migrate(engine)
    yield engine
    engine.dispose()


def add(engine: Engine, username: str = "olive", secret: str | None = None) -> store.Officer:
    sealed = secret if secret is not None else seal_totp_secret(KEY, SECRET)
    return reread(engine, store.add_officer(engine, username, auth.hash_password(PASSWORD), sealed, "officer"))


def reread(engine: Engine, officer: store.Officer | int) -> store.Officer:
    found = store.officer_by_id(engine, officer if isinstance(officer, int) else officer.id)
    assert found is not None
    return found


def code(step_offset: int = 0) -> str:
    return pyotp.TOTP(SECRET).at(AT + 30 * step_offset)


def test_a_password_needs_twelve_characters_and_is_hashed_with_salted_argon2id() -> None:
    with pytest.raises(ValueError, match="at least 12 characters"):
        auth.hash_password("elevenchars")
    first, second = auth.hash_password("twelve chars"), auth.hash_password("twelve chars")
    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and first != second
    assert auth.hasher.verify(first, "twelve chars")


def test_the_right_password_signs_in_and_a_wrong_one_counts_as_a_failure(engine: Engine) -> None:
    officer = add(engine)
    assert auth.check_password(engine, "olive", PASSWORD, NOW) == (auth.Password.RIGHT, officer)
    assert auth.check_password(engine, "olive", "not the password", NOW) == (auth.Password.WRONG, officer)
    assert auth.check_password(engine, "olive", "", NOW)[0] is auth.Password.WRONG
    assert reread(engine, officer).failed_sign_ins == 2


def test_from_max_failures_on_the_addresses_that_got_it_wrong_wait_and_others_do_not(engine: Engine) -> None:
    """Item 9: no lockout. The MAX_FAILURES-th wrong password delays the account for the addresses that got
    it wrong: there even the right password is held, unchecked and uncounted, until the delay has passed;
    from an address that did not, the right password signs in meanwhile."""
    officer = add(engine)
    for _ in range(auth.MAX_FAILURES - 1):
        assert auth.check_password(engine, "olive", "not the password", NOW)[0] is auth.Password.WRONG
    assert reread(engine, officer).locked_until is None, "no delay before MAX_FAILURES"
    auth.check_password(engine, "olive", "not the password", NOW)
    assert reread(engine, officer).locked_until == NOW + auth.FIRST_DELAY
    almost = NOW + auth.FIRST_DELAY - dt.timedelta(seconds=1)
    assert auth.check_password(engine, "olive", PASSWORD, almost) == (auth.Password.HELD, reread(engine, officer))
    assert auth.check_password(engine, "olive", "not the password", almost)[0] is auth.Password.HELD
    assert reread(engine, officer).failed_sign_ins == auth.MAX_FAILURES, "held attempts are not counted"
    elsewhere = auth.check_password(engine, "olive", PASSWORD, almost, failed_here=lambda officer_id: False)
    assert elsewhere[0] is auth.Password.RIGHT, "the officer at another address signs in meanwhile"
    later = NOW + auth.FIRST_DELAY
    assert auth.check_password(engine, "olive", "not the password", later)[0] is auth.Password.WRONG
    assert reread(engine, officer).locked_until == later + 2 * auth.FIRST_DELAY, "each one more doubles it"
    assert auth.check_password(engine, "olive", PASSWORD, later + 2 * auth.FIRST_DELAY)[0] is auth.Password.RIGHT


def test_the_delay_starts_at_max_failures_doubles_and_stops_growing_at_the_longest() -> None:
    delays = [auth.delay_after(failures) for failures in range(1, auth.MAX_FAILURES + 8)]
    assert delays[: auth.MAX_FAILURES - 1] == [None] * (auth.MAX_FAILURES - 1)
    assert delays[auth.MAX_FAILURES - 1 :] == [
        dt.timedelta(seconds=seconds) for seconds in (30, 60, 120, 240, 480, 900, 900, 900)
    ]
    assert auth.delay_after(10**6) == auth.LONGEST_DELAY


def test_an_unknown_or_deactivated_account_never_signs_in(engine: Engine) -> None:
    officer = add(engine)
    store.update_officer(engine, officer.id, active=False)
    assert auth.check_password(engine, "olive", PASSWORD, NOW) == (auth.Password.WRONG, None)
    assert auth.check_password(engine, "nobody", PASSWORD, NOW) == (auth.Password.WRONG, None)
    assert auth.check_password(engine, "olive" * 100, PASSWORD, NOW) == (auth.Password.WRONG, None)
    assert reread(engine, officer).failed_sign_ins == 0


def test_a_username_with_a_nul_character_is_simply_unknown(database_url: str) -> None:
    """Item 13: PostgreSQL refuses text with NUL (it raised, and /sign-in gave a 500); SQLite took it."""
    engine = create_database_engine(database_url)
    try:
        migrate(engine)
        officer = add(engine)
        assert auth.check_password(engine, "ol\x00ive", PASSWORD, NOW) == (auth.Password.WRONG, None)
        assert reread(engine, officer).failed_sign_ins == 0
    finally:
        engine.dispose()


def test_only_an_active_account_not_delayed_for_the_address_is_usable(engine: Engine) -> None:
    officer = add(engine)
    delayed = dataclasses.replace(officer, locked_until=NOW + dt.timedelta(seconds=1))
    assert auth.usable(officer, NOW)
    assert not auth.usable(dataclasses.replace(officer, active=False), NOW)
    assert not auth.usable(delayed, NOW)
    assert auth.usable(delayed, NOW, failed_here=False), "only the addresses that got it wrong wait"
    assert auth.usable(dataclasses.replace(officer, locked_until=NOW), NOW)


def test_a_session_stores_only_the_tokens_keyed_hash_and_clears_the_failures(engine: Engine) -> None:
    officer, key = add(engine), b"s" * 32
    store.update_officer(engine, officer.id, failed_sign_ins=3, locked_until=NOW - dt.timedelta(hours=1))
    token = auth.start_session(engine, key, officer, NOW)
    session = store.get_session(engine, auth.token_hash(key, token))
    assert session is not None and (session.officer_id, session.created_at) == (officer.id, NOW)
    assert store.get_session(engine, token) is None and len(session.csrf_token) >= 40
    assert store.get_session(engine, hashlib.sha256(token.encode()).hexdigest()) is None
    assert (reread(engine, officer).failed_sign_ins, reread(engine, officer).locked_until) == (0, None)


def session_key(console: TestClient) -> bytes:
    return console_of_app(console.app).keys.session_key  # type: ignore[arg-type]


def request_with(console: TestClient, token: str) -> Request:
    cookie = f"{auth.SESSION_COOKIE}={token}".encode()
    return Request({"type": "http", "app": console.app, "headers": [(b"cookie", cookie)]})


def test_a_session_lasts_while_used_and_ends_when_idle_or_too_old(
    console: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, key = console_of_app(console.app).engine, session_key(console)  # type: ignore[arg-type]
    officer = add(engine)
    token = auth.start_session(engine, key, officer, NOW)
    idle, maximum = dt.timedelta(minutes=15), dt.timedelta(hours=1)

    def at(moment: dt.datetime) -> auth.SignedIn | None:
        monkeypatch.setattr(auth, "now_utc", lambda: moment)
        return auth.current(request_with(console, token), idle, maximum)

    for minutes in (15, 30, 45, 60):  # used every 15 minutes: never idle for longer
        signed_in = at(NOW + dt.timedelta(minutes=minutes))
        assert signed_in is not None and signed_in.officer.id == officer.id
    assert at(NOW + dt.timedelta(minutes=61)) is None, "past the maximum however recently used"
    assert store.get_session(engine, auth.token_hash(key, token)) is None
    token = auth.start_session(engine, key, officer, NOW)
    assert at(NOW + dt.timedelta(minutes=15, seconds=1)) is None, "idle for longer than allowed"
    assert at(NOW) is None, "an ended session does not come back"


def test_no_session_for_a_missing_unknown_or_overlong_token_or_a_deactivated_officer(console: TestClient) -> None:
    engine = console_of_app(console.app).engine  # type: ignore[arg-type]
    officer = add(engine)
    token = auth.start_session(engine, session_key(console), officer, auth.now_utc())
    windows = (dt.timedelta(minutes=15), dt.timedelta(hours=8))
    assert auth.current(request_with(console, token), *windows) is not None
    for other in ("", "unknown-token", token + "x" * 100):
        assert auth.current(request_with(console, other), *windows) is None
    store.update_officer(engine, officer.id, active=False)
    assert auth.current(request_with(console, token), *windows) is None


def test_the_csrf_token_must_match_exactly_and_other_text_is_simply_wrong(engine: Engine) -> None:
    session = store.Session("hash", 1, "csrf-token-abc", NOW, NOW)
    signed_in = auth.SignedIn(officer=add(engine), session=session)
    assert auth.csrf_ok(signed_in, "csrf-token-abc")
    for wrong in ("", "csrf-token-abd", "csrf-token-ab", "csrf-token-abç"):
        assert not auth.csrf_ok(signed_in, wrong)


def test_the_pending_note_names_the_officer_until_it_expires() -> None:
    key = b"k" * 32
    value = auth.pending_value(key, 42, now=1000.0)
    assert value.startswith(f"42.{1000 + auth.PENDING_SECONDS}.")
    assert auth.read_pending(key, value, now=1000.0 + auth.PENDING_SECONDS) == 42
    assert auth.read_pending(key, value, now=1001.0 + auth.PENDING_SECONDS) is None
    assert auth.read_pending(b"x" * 32, value, now=1000.0) is None, "signed by another console"


def test_the_pending_note_is_spent_once_a_code_signs_the_officer_in() -> None:
    """Item 5: the note is signed for the officer's last used code step; a code that signs in moves it on."""
    key = b"k" * 32
    value = auth.pending_value(key, 42, now=1000.0, last_step=60_000_000)
    assert auth.read_pending(key, value, 60_000_000, now=1000.0) == 42
    assert auth.read_pending(key, value, 60_000_001, now=1000.0) is None


def test_the_officer_a_pending_note_names_is_read_only_when_the_database_can_hold_it() -> None:
    assert auth.pending_officer_id(auth.pending_value(b"k" * 32, 42)) == 42
    for value in ("", "0.1.x", "2147483648.1.x", "99999999999999999999.1.x", "42².1.x", "é.1.x", "\x00"):
        assert auth.pending_officer_id(value) is None, value


def test_a_changed_or_malformed_pending_note_is_refused() -> None:
    key = b"k" * 32
    _, expires, signature = auth.pending_value(key, 42, now=1000.0).split(".")
    for changed in (
        f"43.{expires}.{signature}",  # another officer
        f"42.{int(expires) + 600}.{signature}",  # a later expiry
        f"42.{expires}.{signature[1:]}{signature[0]}",  # a changed signature
        f"42.{expires}.{signature}.0",
        f"42.{expires}",
        f"42².{expires}.{signature}",  # a digit to isdigit(), not to int()
        f"42.{expires}.{signature[:-1]}é",  # compare_digest would raise on it
    ):
        assert auth.read_pending(key, changed, now=1000.0) is None, changed


def test_secrets_stored_in_clear_are_sealed_once_and_sealed_ones_are_left(engine: Engine) -> None:
    plain, sealed = pyotp.random_base32(), seal_totp_secret(KEY, SECRET)
    add(engine, "olive", secret=plain)
    add(engine, "ada", secret=sealed)
    assert auth.seal_plain_totp_secrets(engine, KEY) == 1
    assert auth.seal_plain_totp_secrets(engine, KEY) == 0
    stored = {o.username: o.totp_secret for o in store.all_officers(engine)}
    assert stored["ada"] == sealed and stored["olive"].startswith("box:")
    assert open_totp_secret(KEY, stored["olive"]) == plain


def test_a_right_code_is_accepted_once_then_it_and_earlier_ones_are_replays(engine: Engine) -> None:
    officer = add(engine)
    assert auth.check_code(engine, [KEY], officer, code(), at=AT) is auth.Code.RIGHT
    assert auth.check_code(engine, [KEY], officer, code(), at=AT) is auth.Code.REPLAYED
    assert auth.check_code(engine, [KEY], officer, code(-1), at=AT) is auth.Code.REPLAYED
    assert auth.check_code(engine, [KEY], officer, code(1), at=AT) is auth.Code.RIGHT, "one step ahead: a slow clock"
    assert reread(engine, officer).last_totp_step == int(AT // 30) + 1


def test_a_code_one_step_behind_is_right_and_two_steps_away_are_wrong(engine: Engine) -> None:
    officer = add(engine)
    assert auth.check_code(engine, [KEY], officer, code(-2), at=AT) is auth.Code.WRONG
    assert auth.check_code(engine, [KEY], officer, code(2), at=AT) is auth.Code.WRONG
    assert auth.check_code(engine, [KEY], officer, code(-1), at=AT) is auth.Code.RIGHT


def test_spaces_in_a_code_are_ignored_but_other_digits_and_lengths_are_wrong(engine: Engine) -> None:
    officer, right = add(engine), code()
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in right)
    for wrong in ("", right[:5], right + "0", full_width, right[:5] + "²", "abcdef"):
        assert auth.check_code(engine, [KEY], officer, wrong, at=AT) is auth.Code.WRONG, wrong
    assert auth.check_code(engine, [KEY], officer, f" {right[:3]} {right[3:]}\n", at=AT) is auth.Code.RIGHT


def test_a_secret_no_key_opens_is_unreadable_and_a_retired_key_still_opens_it(engine: Engine) -> None:
    officer, current_key = add(engine), totp_key(PrivateKey.generate())
    assert auth.check_code(engine, [current_key], officer, code(), at=AT) is auth.Code.UNREADABLE
    assert reread(engine, officer).last_totp_step == 0
    assert auth.check_code(engine, [current_key, KEY], officer, code(), at=AT) is auth.Code.RIGHT


def test_a_session_row_planted_with_a_plain_hash_of_its_token_signs_nobody_in(console: TestClient) -> None:
    """Item 2: the sessions table holds a keyed hash of the token; the key comes from the officers' private
    key, which the public site never has, so write access to the database cannot plant a session."""
    engine = console_of_app(console.app).engine  # type: ignore[arg-type]
    officer, token = add(engine), "planted-token-" + "x" * 29
    store.create_session(engine, hashlib.sha256(token.encode()).hexdigest(), officer.id, "csrf", auth.now_utc())
    windows = (dt.timedelta(minutes=15), dt.timedelta(hours=8))
    assert auth.current(request_with(console, token), *windows) is None
