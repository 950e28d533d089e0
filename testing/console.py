"""Officers for the console in the tests: added with a known password and code secret, and signed in; and
concerns stored in bulk for the queue's tests."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid

import pyotp
from nacl.public import PublicKey
from sqlalchemy import Engine, insert
from starlette.testclient import TestClient

from web.console.auth import hash_password
from web.console.state import console_of_app
from web.sealing import seal, seal_totp_secret
from web.storage import officers as store
from web.storage.concerns import new_reference
from web.storage.tables import concerns

PASSWORD = "correct horse battery staple"


def add(console: TestClient, username: str, role: str, areas: tuple[str, ...] | None = None) -> str:
    """An account; its authenticator secret. An officer works in `areas`, by default national triage (every
    area: what every officer saw before areas, ADR 21)."""
    secret = pyotp.random_base32()
    made = console_of_app(console.app)  # type: ignore[arg-type]
    sealed = seal_totp_secret(made.keys.totp_key, secret)
    if areas is None:
        areas = (store.NATIONAL,) if role == "officer" else ()
    store.add_officer(made.engine, username, hash_password(PASSWORD), sealed, role, areas)
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


def store_concerns(engine: Engine, public_key: PublicKey, count: int, **columns: object) -> list[str]:
    """`count` concerns stored at once, sealed as the public site seals them (answers with a marker each), with
    `columns` (status, route, language, received_on…) as given; their references, oldest first."""
    references = set[str]()
    while len(references) < count:  # distinct: references are drawn from about 117 million
        references.add(new_reference())
    rows = [
        {
            "reference": reference,
            "idempotency_key": uuid.uuid4().hex,
            "route": "form",
            "received_on": dt.date(2026, 3, 2),
            "language": "en",
            "sealed": seal(public_key, {"submitted_at": "2026-03-02 10:00", "answers": {"worries": f"MARKER-{n}"}}),
            **columns,
        }
        for n, reference in enumerate(sorted(references))
    ]
    with engine.begin() as connection:
        connection.execute(insert(concerns), rows)
    return [str(row["reference"]) for row in rows]
