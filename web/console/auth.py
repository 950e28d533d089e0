"""Signing in with a password and a TOTP code, sessions, CSRF tokens and roles.

Sessions live in the database; the `__Host-` cookie holds a random token whose hash is the key.
They end after CONSOLE_IDLE_MINUTES idle and CONSOLE_MAX_HOURS in any case.

Each officer's TOTP secret is sealed in the database (ASVS V2.8.2) with a key derived from the officers'
private key, which is kept apart from the database and its backups: a copy of the database or of a backup
holds nothing that makes sign-in codes. Losing the private key loses the secrets too (README: operations).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from starlette.requests import Request

from web.clock import utc_now
from web.console.state import console_of
from web.sealing import SEALED, open_totp_secret_with_any, seal_totp_secret
from web.storage import officers as store

SESSION_COOKIE = "__Host-console-session"
PENDING_COOKIE = "__Host-console-pending"
PENDING_SECONDS = 300
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
log = logging.getLogger("web.console")
# argon2id with OWASP's recommended minimum (m=19 MiB, t=2, p=1).
hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# A real hash to verify against when the username is unknown, so timing does not tell.
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


def now_utc() -> dt.datetime:
    return utc_now().replace(tzinfo=None)


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise ValueError("passwords must be at least 12 characters long")
    return hasher.hash(password)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def seal_plain_totp_secrets(engine: Engine, key: bytes) -> int:
    """Seal the secrets stored in clear before sealing was built; the console does it as it starts."""
    plain = [officer for officer in store.all_officers(engine) if not officer.totp_secret.startswith(SEALED)]
    for officer in plain:
        store.replace_totp_secret(engine, officer.id, seal_totp_secret(key, officer.totp_secret))
    return len(plain)


@dataclass(frozen=True)
class SignedIn:
    officer: store.Officer
    session: store.Session


def check_password(engine: Engine, username: str, password: str, now: dt.datetime) -> store.Officer | None:
    """The officer if the password is right and the account is usable; records failures and locks."""
    officer = store.officer_by_username(engine, username[:64])
    if officer is None or not usable(officer, now):
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(officer.password_hash, password):
        record_failure(engine, officer, now)
        return None
    return officer


def usable(officer: store.Officer, now: dt.datetime) -> bool:
    """Active and not locked: the only accounts either sign-in step may go on with."""
    return officer.active and (officer.locked_until is None or officer.locked_until <= now)


def record_failure(engine: Engine, officer: store.Officer, now: dt.datetime) -> None:
    """A wrong password or code: MAX_FAILURES of them, in either step, lock the account for LOCKOUT."""
    store.count_failed_sign_in(engine, officer.id, MAX_FAILURES, now + LOCKOUT)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Code(enum.Enum):
    RIGHT = "right"
    WRONG = "wrong"
    REPLAYED = "replayed"  # right, but already used: someone else may have seen or intercepted it
    UNREADABLE = "unreadable"  # no key the console has opens the officer's secret: not the officer's fault


def check_code(
    engine: Engine, keys: Sequence[bytes], officer: store.Officer, code: str, at: float | None = None
) -> Code:
    """A TOTP code from the officer's app: right now or one step either side, and never used before. `keys`
    open the secret: the current key's first, then those of retired keys (a backup from before a rotation)."""
    code = "".join(code.split())
    if not (code.isascii() and code.isdigit() and len(code) == 6):  # "²" is a digit to isdigit()
        return Code.WRONG
    secret = open_totp_secret_with_any(keys, officer.totp_secret)
    if secret is None:
        log.error("console: an officer's code secret cannot be opened: was the officers' private key replaced?")
        return Code.UNREADABLE
    totp = pyotp.TOTP(secret)
    moment = at if at is not None else time.time()
    for drift in (0, -1, 1):
        step = int(moment // totp.interval) + drift
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return Code.RIGHT if store.use_totp_step(engine, officer.id, step) else Code.REPLAYED
    return Code.WRONG


def start_session(engine: Engine, officer: store.Officer, now: dt.datetime) -> str:
    token = secrets.token_urlsafe(32)
    store.create_session(engine, _hash(token), officer.id, secrets.token_urlsafe(32), now)
    store.update_officer(engine, officer.id, failed_sign_ins=0, locked_until=None)
    return token


def current(request: Request, idle: dt.timedelta, maximum: dt.timedelta) -> SignedIn | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 100:
        return None
    engine = console_of(request).engine
    session = store.get_session(engine, _hash(token))
    if session is None:
        return None
    now = now_utc()
    if now - session.last_seen_at > idle or now - session.created_at > maximum:
        store.end_session(engine, session.token_hash)
        return None
    officer = store.officer_by_id(engine, session.officer_id)
    if officer is None or not officer.active:
        return None
    store.touch_session(engine, session.token_hash, now)
    return SignedIn(officer=officer, session=session)


def end(request: Request) -> None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        store.end_session(console_of(request).engine, _hash(token))


def csrf_ok(signed_in: SignedIn, submitted: str) -> bool:
    """compare_digest raises on text that is not ASCII: such a token is simply wrong, not a 500."""
    return submitted.isascii() and hmac.compare_digest(signed_in.session.csrf_token, submitted)


def pending_value(key: bytes, officer_id: int, now: float | None = None) -> str:
    """A signed, short-lived note that the password was right and a code is awaited."""
    expires = int((now if now is not None else time.time()) + PENDING_SECONDS)
    body = f"{officer_id}.{expires}"
    return f"{body}.{hmac.new(key, body.encode(), hashlib.sha256).hexdigest()}"


def read_pending(key: bytes, value: str, now: float | None = None) -> int | None:
    """The officer's id, if `value` is a pending note this console signed and it has not expired.
    ASCII only: compare_digest raises on other text, and int() refuses some of what isdigit() takes."""
    parts = value.split(".")
    if len(parts) != 3 or not value.isascii() or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(hmac.new(key, body.encode(), hashlib.sha256).hexdigest(), parts[2]):
        return None
    if int(parts[1]) < (now if now is not None else time.time()):
        return None
    return int(parts[0])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
