"""The officers' console: sign-in with a password and a code, roles, CSRF, the audit log."""

from __future__ import annotations

import datetime as dt
import re
import time

import pyotp
import pytest
from starlette.testclient import TestClient

from tests.conftest import PASSWORD, add, sign_in, submit_concern
from web.console.auth import SESSION_COOKIE
from web.storage import officers as store

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_an_officer_reads_a_concern_decrypted(client: TestClient, console: TestClient) -> None:
    reference = submit_concern(client, "MARKER-READ").headers["location"].rsplit("/", 1)[-1]
    sign_in(console, "olive", add(console, "olive", "officer"))
    listing = console.get("/concerns")
    assert reference in listing.text
    page = console.get(f"/concerns/{reference}")
    assert "MARKER-READ" in page.text
    assert page.headers["cache-control"] == "no-store"
    actions = [(entry.actor, entry.action) for entry in store.audit_entries(console.app.state.engine)]  # type: ignore[attr-defined]
    assert ("olive", "opened") in actions and ("olive", "signed-in") in actions


def test_the_session_cookie_is_a_host_only_secure_strict_cookie(console: TestClient) -> None:
    add(console, "olive", "officer")
    console.post("/sign-in", data={"username": "olive", "password": PASSWORD}, follow_redirects=False)
    secret = store.officer_by_username(console.app.state.engine, "olive").totp_secret  # type: ignore[attr-defined,union-attr]
    response = console.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()}, follow_redirects=False)
    cookies = response.headers.get_list("set-cookie")
    cookie = next(value for value in cookies if value.startswith(SESSION_COOKIE + "="))
    for attribute in ("HttpOnly", "Path=/", "SameSite=strict", "Secure"):
        assert attribute.lower() in cookie.lower()
    assert "domain=" not in cookie.lower()


def test_a_comms_user_sees_figures_but_cannot_read_a_concern(client: TestClient, console: TestClient) -> None:
    reference = submit_concern(client, "MARKER-COMMS").headers["location"].rsplit("/", 1)[-1]
    sign_in(console, "cora", add(console, "cora", "comms"))
    assert console.get(f"/concerns/{reference}").status_code == 403
    assert console.get("/concerns").status_code == 403
    figures = console.get("/dashboard")
    assert figures.status_code == 200 and "MARKER-COMMS" not in figures.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient, console: TestClient) -> None:
    reference = submit_concern(client, "MARKER-OUT").headers["location"].rsplit("/", 1)[-1]
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


def test_a_code_without_a_password_step_goes_back_to_sign_in(console: TestClient) -> None:
    secret = add(console, "olive", "officer")
    response = console.post("/sign-in/code", data={"code": pyotp.TOTP(secret).now()}, follow_redirects=False)
    assert response.headers["location"] == "/sign-in"


def test_a_change_without_the_csrf_token_is_refused(client: TestClient, console: TestClient) -> None:
    reference = submit_concern(client, "MARKER-CSRF").headers["location"].rsplit("/", 1)[-1]
    sign_in(console, "olive", add(console, "olive", "officer"))
    response = console.post(f"/concerns/{reference}", data={"status": "closed"})
    assert response.status_code == 403
    page = console.get(f"/concerns/{reference}")
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    done = console.post(f"/concerns/{reference}", data={"status": "closed", "note": "called back", "csrf": csrf})
    assert done.status_code == 200 and "Closed" in done.text and "called back" in done.text


def test_an_idle_session_expires(console: TestClient) -> None:
    sign_in(console, "olive", add(console, "olive", "officer"))
    engine = console.app.state.engine  # type: ignore[attr-defined]
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

    store.record(console.app.state.engine, "tester", "probe")  # type: ignore[attr-defined]
    with pytest.raises(IntegrityError, match="append-only"), console.app.state.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(delete(audit_log))


def test_an_admin_can_deactivate_an_account_which_ends_its_sessions(console: TestClient) -> None:
    officer_secret = add(console, "olive", "officer")
    sign_in(console, "ada", add(console, "ada", "admin"))
    page = console.get("/accounts")
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    olive = store.officer_by_username(console.app.state.engine, "olive")  # type: ignore[attr-defined]
    assert olive is not None
    console.post(f"/accounts/{olive.id}", data={"csrf": csrf})
    console.cookies.clear()
    response = console.post("/sign-in", data={"username": "olive", "password": PASSWORD})
    assert response.status_code == 401 and officer_secret
