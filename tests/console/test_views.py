"""The officers' console: sign-in with a password and a code, roles, CSRF, the audit log."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import time

import pyotp
import pytest
from nacl.public import PrivateKey
from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.console import PASSWORD, add, sign_in
from testing.forms import sent_reference, submit_concern
from web import cli
from web.console.app import create_console_app
from web.console.auth import SESSION_COOKIE, hash_password
from web.console.state import console_of_app
from web.sealing import seal_totp_secret, totp_key
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage import officers as store

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
    done = console.post(f"/concerns/{reference}", data={"status": "closed", "note": "called back", "csrf": csrf})
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


def test_a_secret_stored_in_clear_before_sealing_is_sealed_when_the_console_starts(
    app: Starlette, settings: Settings
) -> None:
    secret = pyotp.random_base32()
    store.add_officer(site_of_app(app).engine, "olive", hash_password(PASSWORD), secret, "officer")
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
