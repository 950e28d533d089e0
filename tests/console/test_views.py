"""The officers' console: sign-in with a password and a code, roles, CSRF, the audit log."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import time

import pyotp
import pytest
from alembic import command
from alembic.config import Config
from nacl.public import PrivateKey
from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.console import PASSWORD, add, csrf_of, sign_in
from testing.forms import sent_reference, submit_concern
from web import cli
from web.console import auth
from web.console.app import SIGN_INS_PER_HOUR, create_console_app
from web.console.auth import PENDING_COOKIE, SESSION_COOKIE, hash_password
from web.console.state import console_of_app
from web.sealing import ensure_development_keys, seal_totp_secret, totp_key
from web.settings import Settings
from web.storage import create_database_engine
from web.storage import officers as store
from web.storage.migrate import MIGRATIONS

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_an_officer_reads_a_concern_decrypted(client: TestClient, console: TestClient) -> None:
    reference = sent_reference(submit_concern(client, "MARKER-READ"))
    sign_in(console, "olive", add(console, "olive", "officer"))
    listing = console.get("/concerns")
    assert reference in listing.text
    page = console.get(f"/concerns/{reference}")
    assert "MARKER-READ" in page.text
    assert page.headers["cache-control"] == "no-store"
    actions = [(entry.actor, entry.action) for entry in store.audit_entries(console_of_app(console.app).engine)]
    assert ("olive", "opened") in actions and ("olive", "signed-in") in actions


def test_the_session_cookie_is_a_host_only_secure_strict_cookie(console: TestClient) -> None:
    secret = add(console, "olive", "officer")
    console.post("/sign-in", data={"username": "olive", "password": PASSWORD}, follow_redirects=False)
    response = console.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()}, follow_redirects=False)
    cookies = response.headers.get_list("set-cookie")
    cookie = next(value for value in cookies if value.startswith(SESSION_COOKIE + "="))
    for attribute in ("HttpOnly", "Path=/", "SameSite=strict", "Secure"):
        assert attribute.lower() in cookie.lower()
    assert "domain=" not in cookie.lower()


def test_a_comms_user_sees_figures_but_cannot_read_a_concern(client: TestClient, console: TestClient) -> None:
    reference = sent_reference(submit_concern(client, "MARKER-COMMS"))
    sign_in(console, "cora", add(console, "cora", "comms"))
    assert console.get(f"/concerns/{reference}").status_code == 403
    assert console.get("/concerns").status_code == 403
    figures = console.get("/dashboard")
    assert figures.status_code == 200 and "MARKER-COMMS" not in figures.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, console: TestClient) -> None:
    reference = sent_reference(submit_concern(client, "MARKER-OUT"))
    for path in ("/concerns", f"/concerns/{reference}", "/dashboard", "/figures.csv", "/accounts"):
        response = console.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/sign-in"), path
        assert "MARKER-OUT" not in response.text


def test_a_wrong_password_fails_and_five_lock_the_account(console: TestClient) -> None:
    secret = add(console, "olive", "officer")
    for _ in range(5):
        response = console.post("/sign-in", data={"username": "olive", "password": "wrong password!"})
        assert response.status_code == 401
    response = console.post("/sign-in", data={"username": "olive", "password": PASSWORD})
    assert response.status_code == 401, "a locked account does not sign in even with the right password"
    assert secret


def test_a_used_code_cannot_be_used_again(console: TestClient) -> None:
    secret = add(console, "olive", "officer")
    moment = time.time()
    sign_in(console, "olive", secret, at=moment)
    console.cookies.clear()
    console.post("/sign-in", data={"username": "olive", "password": PASSWORD}, follow_redirects=False)
    replay = console.post("/sign-in/code", data={"code": pyotp.TOTP(secret).at(moment)}, follow_redirects=False)
    assert replay.status_code == 401


def test_a_replayed_code_is_told_to_the_admins_and_the_log(
    console: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A used code entered again means someone saw or intercepted it: the admins' audit log (on the
    accounts page) and the server's log say so, apart from an ordinary wrong code."""
    secret = add(console, "olive", "officer")
    moment = time.time()
    sign_in(console, "olive", secret, at=moment)
    console.cookies.clear()
    console.post("/sign-in", data={"username": "olive", "password": PASSWORD}, follow_redirects=False)
    console.post("/sign-in/code", data={"code": "000000" if pyotp.TOTP(secret).at(moment) != "000000" else "111111"})
    with caplog.at_level(logging.WARNING, logger="web.console"):
        console.post("/sign-in/code", data={"code": pyotp.TOTP(secret).at(moment)}, follow_redirects=False)
    actions = [entry.action for entry in store.audit_entries(console_of_app(console.app).engine)]
    assert actions[:2] == ["code-replayed", "code-failed"], actions
    assert [record.message for record in caplog.records if "already used" in record.message], caplog.text
    assert "olive" not in caplog.text


@pytest.mark.parametrize("path", ["/sign-in", "/sign-in/code"])
def test_a_sign_in_posted_from_another_site_is_refused_before_it_counts(console: TestClient, path: str) -> None:
    add(console, "olive", "officer")
    data = {"username": "olive", "password": "wrong password!", "code": "123456"}
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {"Origin": "null"}):
        response = console.post(path, data=data, headers=headers, follow_redirects=False)
        assert response.status_code == 403, (headers, response.status_code)
    assert store.audit_entries(console_of_app(console.app).engine) == []


def test_a_code_without_a_password_step_goes_back_to_sign_in(console: TestClient) -> None:
    secret = add(console, "olive", "officer")
    response = console.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()}, follow_redirects=False)
    assert response.headers["location"] == "/sign-in"


def test_a_change_without_the_csrf_token_is_refused(client: TestClient, console: TestClient) -> None:
    reference = sent_reference(submit_concern(client, "MARKER-CSRF"))
    sign_in(console, "olive", add(console, "olive", "officer"))
    response = console.post(f"/concerns/{reference}", data={"status": "closed"})
    assert response.status_code == 403
    page = console.get(f"/concerns/{reference}")
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    closing = {"status": "closed", "outcome": "no-further-action", "note": "called back", "csrf": csrf}
    done = console.post(f"/concerns/{reference}", data=closing)
    assert done.status_code == 200 and "Closed" in done.text and "called back" in done.text


def test_an_idle_session_expires(console: TestClient) -> None:
    sign_in(console, "olive", add(console, "olive", "officer"))
    engine = console_of_app(console.app).engine
    with engine.begin() as connection:
        from sqlalchemy import update

        from web.storage.tables import sessions

        stale = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=16)
        connection.execute(update(sessions).values(last_seen_at=stale))
    assert console.get("/concerns", follow_redirects=False).headers["location"] == "/sign-in"


def test_the_audit_log_refuses_changes(console: TestClient) -> None:
    from sqlalchemy import delete
    from sqlalchemy.exc import IntegrityError

    from web.storage.tables import audit_log

    store.record(console_of_app(console.app).engine, "tester", "probe")
    with pytest.raises(IntegrityError, match="append-only"), console_of_app(console.app).engine.begin() as connection:
        connection.execute(delete(audit_log))


def test_an_admin_can_deactivate_an_account_which_ends_its_sessions(console: TestClient) -> None:
    officer_secret = add(console, "olive", "officer")
    sign_in(console, "ada", add(console, "ada", "admin"))
    page = console.get("/accounts")
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    olive = store.officer_by_username(console_of_app(console.app).engine, "olive")
    assert olive is not None
    console.post(f"/accounts/{olive.id}", data={"csrf": csrf})
    console.cookies.clear()
    response = console.post("/sign-in", data={"username": "olive", "password": PASSWORD})
    assert response.status_code == 401 and officer_secret


def _code_step(console: TestClient, username: str, code: str) -> int:
    console.post("/sign-in", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    return console.post("/sign-in/code", data={"code": code}, follow_redirects=False).status_code


def test_an_officer_added_from_the_command_line_has_a_sealed_code_secret(
    console: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """ASVS V2.8.2: the database holds the TOTP secret sealed with a key from the officers' private key
    (kept apart), so a copy of the database or a backup cannot make sign-in codes."""
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.run(settings, "officers", "add", "olive", "--role", "officer", "--password-stdin") == 0
    secret = re.search(r"authenticator secret: (\w+)", capsys.readouterr().out).group(1)  # type: ignore[union-attr]
    stored = store.officer_by_username(console_of_app(console.app).engine, "olive")
    assert stored is not None and stored.totp_secret.startswith("box:") and secret not in stored.totp_secret
    assert _code_step(console, "olive", pyotp.TOTP(secret).now()) == 303


def test_a_code_secret_planted_in_clear_signs_nobody_in_and_is_never_sealed(
    app: Starlette, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Item 2: write access to the database (a public server's, a tampered backup) cannot plant an officer
    whose code secret the console adopts: once the database is past the one-time sealing, a secret in
    clear is refused, at sign-in and at every start."""
    secret = pyotp.random_base32()
    for _ in range(2):
        with TestClient(create_console_app(settings), base_url="https://console.test") as console:
            engine = console_of_app(console.app).engine
            if store.officer_by_username(engine, "mallory") is None:
                store.add_officer(engine, "mallory", hash_password(PASSWORD), secret, "admin")
            with caplog.at_level(logging.ERROR, logger="web.console"):
                assert _code_step(console, "mallory", pyotp.TOTP(secret).now()) == 503
            stored = store.officer_by_username(engine, "mallory")
            assert stored is not None and stored.totp_secret == secret
    assert "in clear" in caplog.text


def test_secrets_in_clear_from_before_sealing_are_sealed_once_as_the_console_upgrades_the_database(
    settings: Settings,
) -> None:
    """The one-time sealing (ADR 9): a database from before it, upgraded by the console, has its secrets
    sealed as it passes migration 0006, and they work."""
    ensure_development_keys(settings.concern_public_key_file, settings.console_private_key_file)
    engine = create_database_engine(settings.database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
    secret = pyotp.random_base32()
    store.add_officer(engine, "olive", hash_password(PASSWORD), secret, "officer")
    engine.dispose()
    with TestClient(create_console_app(settings), base_url="https://console.test") as console:
        stored = store.officer_by_username(console_of_app(console.app).engine, "olive")
        assert stored is not None and stored.totp_secret.startswith("box:") and secret not in stored.totp_secret
        assert _code_step(console, "olive", pyotp.TOTP(secret).now()) == 303


def test_a_secret_sealed_with_another_key_signs_nobody_in_and_is_not_held_against_them(
    console: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A replaced private key: every code is refused with a page that says why, the log says so (README:
    operations), and it is not counted as a wrong code, so no account is locked for the console's fault."""
    secret = pyotp.random_base32()
    other_key = totp_key(PrivateKey.generate())
    engine = console_of_app(console.app).engine
    store.add_officer(engine, "olive", hash_password(PASSWORD), seal_totp_secret(other_key, secret), "officer")
    with caplog.at_level(logging.ERROR, logger="web.console"):
        for _ in range(6):
            assert _code_step(console, "olive", pyotp.TOTP(secret).now()) == 503
    assert "cannot be opened" in caplog.text
    officer = store.officer_by_username(engine, "olive")
    assert officer is not None and officer.failed_sign_ins == 0 and officer.locked_until is None
    assert store.audit_entries(engine)[0].action == "code-unreadable"


# Issue 15: the console under attack ---------------------------------------------------------------------


def browser_at(console: TestClient, address: str) -> TestClient:
    """Another browser on the same console, from another address."""
    return TestClient(console.app, base_url="https://console.test", client=(address, 40000))


def audit_text(console: TestClient) -> str:
    entries = store.audit_entries(console_of_app(console.app).engine, 10_000)  # type: ignore[arg-type]
    return "\n".join(f"{e.actor} {e.action} {e.reference or ''} {e.detail or ''}" for e in entries)


def test_a_pending_cookie_signs_in_once_and_is_no_use_after_sign_out(console: TestClient) -> None:
    """Item 5: the password step's cookie, kept and sent again with the next code after signing in and
    out, goes back to the password step: it cannot make a second session without the password."""
    secret, moment = add(console, "olive", "officer"), time.time()
    console.post("/sign-in", data={"username": "olive", "password": PASSWORD}, follow_redirects=False)
    pending = console.cookies[PENDING_COOKIE]
    signed_in = console.post("/sign-in/code", data={"code": pyotp.TOTP(secret).at(moment)}, follow_redirects=False)
    assert signed_in.status_code == 303 and SESSION_COOKIE in console.cookies
    console.post("/sign-out", data={"csrf": csrf_of(console, "/concerns")})
    console.cookies.clear()
    replay = console.post(
        "/sign-in/code",
        data={"code": pyotp.TOTP(secret).at(moment + 30)},
        headers={"cookie": f"{PENDING_COOKIE}={pending}"},
        follow_redirects=False,
    )
    assert (replay.status_code, replay.headers.get("location")) == (303, "/sign-in")
    assert SESSION_COOKIE not in replay.headers.get("set-cookie", "")


def multipart(fields: dict[str, bytes], charset: str) -> tuple[bytes, dict[str, str]]:
    boundary = "MARKERBOUNDARY"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in fields.items()
    ]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}; charset={charset}"}


@pytest.mark.parametrize("charset", ["undefined", "utf-7", "idna", "unicode_escape"])
def test_a_multipart_sign_in_in_another_charset_is_a_clear_400_and_writes_nothing(
    console: TestClient, charset: str
) -> None:
    """Item 7: the console reads its forms as the public site does (web/http/forms.py)."""
    add(console, "olive", "officer")
    body, headers = multipart({"username": b"ol+AAA-ive", "password": b"wrong password!"}, charset)
    response = TestClient(console.app, base_url="https://console.test", raise_server_exceptions=False).post(
        "/sign-in", content=body, headers=headers
    )
    assert response.status_code == 400 and "That request was not right" in response.text
    assert "\x00" not in audit_text(console)


def test_a_nul_in_a_username_is_a_400_and_never_reaches_the_audit_log(console: TestClient) -> None:
    add(console, "olive", "officer")
    response = console.post("/sign-in", data={"username": "ol\x00ive", "password": "wrong password!"})
    assert response.status_code == 400
    assert "\x00" not in audit_text(console)


def test_nul_characters_and_numbers_out_of_range_are_a_400_on_each_database(
    console_on_each_database: TestClient,
) -> None:
    """Item 13: on PostgreSQL these were 500s (text with NUL, an integer past 32 bits); SQLite gave 4xx."""
    console = console_on_each_database
    response = console.post("/sign-in", data={"username": "\x00", "password": "wrong password!"})
    assert response.status_code == 400
    sign_in(console, "olive", add(console, "olive", "officer"))
    assert console.get("/concerns/%00").status_code == 400
    for query in ("status=%00", "reference=%00", "from=2026-01-01%00", "route=%00", "page=%00"):
        assert console.get(f"/concerns?{query}").status_code == 400, query
    csrf = csrf_of(console, "/concerns")
    assert console.post("/concerns/%00", data={"status": "closed", "csrf": csrf}).status_code == 400
    admin = browser_at(console, "192.0.2.20")
    sign_in(admin, "ada", add(console, "ada", "admin"))
    csrf = csrf_of(admin, "/accounts")
    for officer_id in ("2147483648", "99999999999999999999"):
        assert admin.post(f"/accounts/{officer_id}", data={"csrf": csrf}).status_code == 400, officer_id


def test_a_refusal_with_a_nul_in_the_path_is_kept_in_the_audit_log_on_each_database(
    console_on_each_database: TestClient,
) -> None:
    """Item 13: the "denied" row for a comms user's try at /concerns/%00 is stored, not rolled back."""
    console = console_on_each_database
    sign_in(console, "cora", add(console, "cora", "comms"))
    assert console.get("/concerns/%00").status_code == 403
    denied = [entry for entry in store.audit_entries(console_of_app(console.app).engine) if entry.action == "denied"]
    assert [(entry.actor, "\x00" in (entry.detail or "")) for entry in denied] == [("cora", False)]


def test_wrong_passwords_from_one_address_slow_it_down_but_the_officer_elsewhere_still_signs_in(
    console: TestClient,
) -> None:
    """Item 9: no lockout. MAX_FAILURES wrong passwords from an attacker's address delay that address (even
    with the right password), and the officer at her own desk signs in meanwhile."""
    secret = add(console, "olive", "officer")
    attacker = browser_at(console, "203.0.113.9")
    for _ in range(auth.MAX_FAILURES):
        assert attacker.post("/sign-in", data={"username": "olive", "password": "wrong password!"}).status_code == 401
    held_up = attacker.post("/sign-in", data={"username": "olive", "password": PASSWORD}, follow_redirects=False)
    assert held_up.status_code == 401, "the attacker's address is delayed, whatever it sends"
    sign_in(console, "olive", secret)
    assert console.get("/concerns").status_code == 200


def test_throttled_sign_ins_are_counted_per_window_and_write_no_username(console: TestClient) -> None:
    """Item 3: past the per-address limit a sign-in writes no row of its own, and nothing an attacker
    typed reaches the audit log; the admins see how many were refused, per window."""
    # One window for the whole test: posts that straddled a window's end would be split across two rows.
    console_of_app(console.app).refused_sign_ins.window = 10**9  # type: ignore[arg-type]
    attacker = browser_at(console, "203.0.113.9")
    answers = [
        attacker.post("/sign-in", data={"username": f"MARKER-GUESS-{n}", "password": "x" * 12}).status_code
        for n in range(SIGN_INS_PER_HOUR + 30)
    ]
    assert answers.count(429) == 30
    assert "MARKER-GUESS" not in audit_text(console)
    admin = browser_at(console, "192.0.2.20")
    sign_in(admin, "ada", add(console, "ada", "admin"))
    page = admin.get("/accounts?show=sign-ins")
    assert page.status_code == 200 and page.context["throttled_now"] == 30
    assert "30 sign-ins refused" in page.text


def test_the_audit_view_pages_and_keeps_sign_in_attempts_apart_from_what_officers_did(
    client: TestClient, console: TestClient
) -> None:
    """Item 3: a flood of failed sign-ins does not push what officers did off the admin's page."""
    reference = sent_reference(submit_concern(client, "MARKER-AUDIT"))
    sign_in(console, "olive", add(console, "olive", "officer"))
    console.get(f"/concerns/{reference}")
    for number in range(3):
        attacker = browser_at(console, f"203.0.113.{number + 1}")
        for _ in range(SIGN_INS_PER_HOUR):
            attacker.post("/sign-in", data={"username": "nobody-here", "password": "x" * 12})
    admin = browser_at(console, "192.0.2.20")
    sign_in(admin, "ada", add(console, "ada", "admin"))
    actions = admin.get("/accounts").context["audit"]
    assert ("olive", "opened") in [(entry.actor, entry.action) for entry in actions.entries]
    assert not [entry for entry in actions.entries if entry.action.startswith(("sign-in-", "code-"))]
    sign_ins = admin.get("/accounts?show=sign-ins").context["audit"]
    assert len(sign_ins.entries) == 50 and sign_ins.next_page == 2
    rest = admin.get("/accounts?show=sign-ins&page=2").context["audit"]
    assert len(rest.entries) == 3 * SIGN_INS_PER_HOUR - 50 and rest.next_page is None
    assert {entry.actor for entry in [*sign_ins.entries, *rest.entries]} == {"(unknown)"}
    mine = admin.get("/accounts?actor=olive").context["audit"]
    assert [entry.action for entry in mine.entries] == ["opened", "signed-in"]
    for wrong in ("page=0", "page=x", "page=99999999999", "show=other", "actor=%00"):
        assert admin.get(f"/accounts?{wrong}").status_code == 400, wrong


def test_an_officer_added_from_the_command_line_works_in_the_areas_given(
    console: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.run(settings, "officers", "add", "kim", "--role", "officer", "--password-stdin", "--area", "kent") == 0
    assert "added kim as officer in kent" in capsys.readouterr().out
    engine = console_of_app(console.app).engine
    kim = store.officer_by_username(engine, "kim")
    assert kim is not None and store.areas_of(engine, kim.id) == {"kent"}
    assert (
        cli.run(settings, "officers", "add", "lee", "--role", "officer", "--password-stdin", "--area", "atlantis") == 2
    )
    assert "not an area: atlantis" in capsys.readouterr().err
    assert store.officer_by_username(engine, "lee") is None
