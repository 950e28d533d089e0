"""Officers for the console in the tests: added with a known password and code secret, and signed in."""

from __future__ import annotations

import re
import time

import pyotp
from starlette.testclient import TestClient

from web.console.auth import hash_password
from web.console.state import console_of_app
from web.sealing import seal_totp_secret
from web.storage import officers as store

PASSWORD = "correct horse battery staple"


def add(console: TestClient, username: str, role: str) -> str:
    secret = pyotp.random_base32()
    made = console_of_app(console.app)  # type: ignore[arg-type]
    sealed = seal_totp_secret(made.keys.totp_key, secret)
    store.add_officer(made.engine, username, hash_password(PASSWORD), sealed, role)
    return secret


def sign_in(console: TestClient, username: str, secret: str, *, at: float | None = None) -> None:
    response = console.post("/sign-in", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert response.headers["location"] == "/sign-in/code", response.text[:300]
    code = pyotp.TOTP(secret).at(at or time.time())
    response = console.post("/sign-in/code", data={"code": code}, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(console: TestClient, path: str) -> str:
    """The session's CSRF token, as the page at `path` puts it in its forms."""
    found = CSRF.search(console.get(path).text)
    assert found, f"{path} has no CSRF token"
    return found.group(1)
