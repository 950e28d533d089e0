"""The ground the security suites stand on: a console with an officer of every role, a sealed
concern and an account to act on, and the ways in and out (a session made directly, or the real
password-and-code sign-in over HTTP).

Used by tests/console/test_access_control.py, tests/test_asvs.py and bench/security_matrix.py, so the
benchmark reports exactly what the tests assert.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType

import anyio.from_thread
import pyotp
from argon2 import PasswordHasher
from httpx2 import Response
from sqlalchemy import Engine, select, update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from web.concern.questions import Answers, sealed_payload
from web.console import auth
from web.console.app import SIGN_INS_PER_HOUR, create_console_app
from web.console.state import console_of_app
from web.http.limits import SubmissionLimiter
from web.sealing import ensure_development_keys, load_public_key, open_totp_secret, seal, seal_totp_secret
from web.settings import Settings
from web.storage import concerns as concern_store
from web.storage import officers as store
from web.storage.tables import concerns, officers, sessions

PASSWORD = "correct horse battery staple"
CONSOLE_URL = "https://console.test"
SESSION, PENDING = auth.SESSION_COOKIE, auth.PENDING_COOKIE
# In the sealed concern and in the target account's name: a response that shows either reveals
# what only an officer (or an admin) may see.
CONCERN_MARKER = "MATRIX-SECRET-ANSWER"
TARGET_NAME = "target-account"


@dataclass(frozen=True)
class Credentials:
    """What a signed-in browser holds: the session cookie's token and the session's CSRF token."""

    token: str
    csrf: str


@dataclass(frozen=True)
class State:
    """Everything a wrongly allowed request could change: the concern, the accounts, the live sessions."""

    concern: tuple[object, ...]
    accounts: tuple[tuple[str, bool], ...]
    live_sessions: frozenset[str]


class World:
    """One console app on its own database, with officers of each role and a concern to read.

    A context manager: its browsers share one event-loop thread (a TestClient outside `with` starts a
    thread for every request, which would triple the matrix's time) and it stops the thread at the end.
    """

    def __init__(self, settings: Settings) -> None:
        self._stack = ExitStack()
        self._portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
        ensure_development_keys(settings.concern_public_key_file, settings.console_private_key_file)
        self.settings = settings
        self.app: Starlette = create_console_app(settings)
        self.engine: Engine = console_of_app(self.app).engine
        self.idle = dt.timedelta(minutes=settings.console_idle_minutes)
        self.maximum = dt.timedelta(hours=settings.console_max_hours)
        # Every officer shares one argon2id hash, made with the least work argon2 allows: signing in is
        # the console's own code, but each check of the password takes 0.1 ms instead of 25.
        self._password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
        self._names = itertools.count(1)
        self.officers = {role: self.add_officer(role) for role in store.ROLES}
        self.target = self.add_officer("officer", username=TARGET_NAME)
        self.concern = self._add_concern(settings)
        self.probe = self.browser()

    def __enter__(self) -> World:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stack.close()

    def _add_concern(self, settings: Settings) -> str:
        answers = Answers({"worries": f"He shares violent videos. {CONCERN_MARKER}", "relationship": "parent"})
        payload = sealed_payload("form", answers, "en", "2026-11-25T10:00:00+00:00")
        return concern_store.store_concern(
            self.engine,
            idempotency_key=secrets.token_urlsafe(18),
            route="form",
            sealed=seal(load_public_key(settings.concern_public_key_file), payload),
            language="en",
            heard_about=None,
        )

    # Officers and sessions ---------------------------------------------------------------------

    def add_officer(self, role: str, *, username: str | None = None) -> store.Officer:
        """A new account, so each sign-in has TOTP steps of its own to use."""
        name = username or f"{role}-{next(self._names)}"
        sealed = seal_totp_secret(console_of_app(self.app).keys.totp_key, pyotp.random_base32())
        officer_id = store.add_officer(self.engine, name, self._password_hash, sealed, role)
        officer = store.officer_by_id(self.engine, officer_id)
        assert officer is not None
        return officer

    def session(
        self, officer: store.Officer, *, created: dt.datetime | None = None, last_seen: dt.datetime | None = None
    ) -> Credentials:
        """A session as sign-in makes it, with its timestamps set (to test the idle and absolute limits)."""
        now = auth.now_utc()
        token = auth.start_session(self.engine, self.session_key, officer, created or now)
        token_hash = auth.token_hash(self.session_key, token)
        with self.engine.begin() as connection:
            connection.execute(
                update(sessions)
                .where(sessions.c.token_hash == token_hash)
                .values(last_seen_at=last_seen or created or now)
            )
        stored = store.get_session(self.engine, token_hash)
        assert stored is not None
        return Credentials(token, stored.csrf_token)

    @property
    def session_key(self) -> bytes:
        return console_of_app(self.app).keys.session_key

    def session_exists(self, token: str) -> bool:
        return store.get_session(self.engine, auth.token_hash(self.session_key, token)) is not None

    # The real sign-in, over HTTP ----------------------------------------------------------------

    def browser(self) -> TestClient:
        """A browser of its own on the console: its own cookie jar."""
        return self.client(self.app, CONSOLE_URL)

    def client(self, app: Starlette, base_url: str) -> TestClient:
        """A client of `app` on the world's event-loop thread, without running the app's lifespan."""
        client = TestClient(app, base_url=base_url, raise_server_exceptions=False)
        client.portal = self._portal
        return client

    def totp(self, officer: store.Officer) -> pyotp.TOTP:
        """The officer's authenticator app: the secret the console sealed, opened."""
        secret = open_totp_secret(console_of_app(self.app).keys.totp_key, officer.totp_secret)
        assert secret is not None, "the officer's secret is not sealed with the console's key"
        return pyotp.TOTP(secret)

    def code(self, officer: store.Officer, moment: float) -> str:
        return self.totp(officer).at(moment)

    def wrong_code(self, officer: store.Officer, moment: float) -> str:
        """Six digits that are not the code of the step at `moment` nor of either step beside it."""
        right = {self.totp(officer).at(moment + drift * 30) for drift in (-1, 0, 1)}
        return next(code for code in ("000000", "111111", "222222", "333333") if code not in right)

    @staticmethod
    def password_step(browser: TestClient, officer: store.Officer, password: str = PASSWORD) -> Response:
        return browser.post(
            "/sign-in", data={"username": officer.username, "password": password}, follow_redirects=False
        )

    @staticmethod
    def code_step(browser: TestClient, code: str) -> Response:
        return browser.post("/sign-in/code", data={"code": code}, follow_redirects=False)

    def sign_in(self, browser: TestClient, officer: store.Officer, moment: float) -> Response:
        """Both steps; the answer to the second. A signed-in browser then holds the session cookie."""
        first = self.password_step(browser, officer)
        assert first.headers.get("location") == "/sign-in/code", (first.status_code, first.text[:300])
        return self.code_step(browser, self.code(officer, moment))

    # Requests with exactly the cookies given ------------------------------------------------------

    def request(
        self, method: str, path: str, cookies: Mapping[str, str], data: Mapping[str, str] | None = None
    ) -> Response:
        """Send only `cookies`, as one Cookie header in Latin-1 (as servers read headers), so over-long
        or odd values go as they are."""
        self.probe.cookies.clear()
        header = "; ".join(f"{name}={value}" for name, value in cookies.items()).encode("latin-1")
        headers = {b"cookie": header} if cookies else {}
        response = self.probe.request(method, path, headers=headers, data=data, follow_redirects=False)
        self.probe.cookies.clear()
        return response

    # State, to tell a refusal from a change ------------------------------------------------------

    def state(self) -> State:
        now = auth.now_utc()
        with self.engine.connect() as connection:
            concern = connection.execute(
                select(concerns.c.status, concerns.c.note_sealed, concerns.c.closed_on).where(
                    concerns.c.reference == self.concern
                )
            ).one()
            accounts = connection.execute(select(officers.c.username, officers.c.active).order_by(officers.c.id))
            rows = connection.execute(select(sessions.c.token_hash, sessions.c.created_at, sessions.c.last_seen_at))
            live = frozenset(
                token_hash
                for token_hash, created, seen in rows
                if now - seen <= self.idle and now - created <= self.maximum
            )
            return State(tuple(concern), tuple((name, bool(active)) for name, active in accounts), live)

    def reset(self) -> None:
        """Undo what an attempt may have done: the concern is new again, every account active and
        unlocked, and the sign-in limit (tested on its own) forgotten."""
        with self.engine.begin() as connection:
            connection.execute(
                update(concerns)
                .where(concerns.c.reference == self.concern)
                .values(status="new", note_sealed=None, closed_on=None)
            )
            connection.execute(update(officers).values(active=True, failed_sign_ins=0, locked_until=None))
        console_of_app(self.app).sign_in_limiter = SubmissionLimiter(SIGN_INS_PER_HOUR)
