"""Signing in with a password and a TOTP code, sessions, CSRF tokens and roles.

Sessions live in the database; the `__Host-` cookie holds a random token, and the table only its HMAC under
a key derived from the officers' private key (ConsoleKeys.session_key). The public site never has that key,
so write access to the database (a compromised public server, a tampered backup) cannot make a row that
signs anyone in; a key rotation signs every officer out. Sessions end after CONSOLE_IDLE_MINUTES idle and
CONSOLE_MAX_HOURS in any case.

The pending cookie between the password and the code is signed for the officer's last used code step, so
it is spent once any code signs the officer in: kept and sent again later, it goes back to the password.

Wrong passwords and codes delay an account, never lock it: from MAX_FAILURES on, each holds up the addresses
that got it wrong for longer (`delay_after`), while the officer elsewhere still signs in (throttling.py).

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
from collections.abc import Callable, Sequence
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
MAX_FAILURES = 5  # wrong passwords or codes an account takes before the addresses that sent them wait
FIRST_DELAY = dt.timedelta(seconds=30)  # after MAX_FAILURES; doubled with each one more
LONGEST_DELAY = dt.timedelta(minutes=15)
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
    """Seal the secrets stored in clear before sealing was built: once, as the console migrates the database
    past them (web/console/app.py). After that a secret in clear is refused, never adopted."""
    plain = [officer for officer in store.all_officers(engine) if not officer.totp_secret.startswith(SEALED)]
    for officer in plain:
        store.replace_totp_secret(engine, officer.id, seal_totp_secret(key, officer.totp_secret))
    return len(plain)


@dataclass(frozen=True)
class SignedIn:
    officer: store.Officer
    session: store.Session


class Password(enum.Enum):
    RIGHT = "right"
    WRONG = "wrong"  # counted against the account, when there is one
    HELD = "held"  # not checked: this address got the account wrong and the account's delay still runs


def check_password(
    engine: Engine,
    username: str,
    password: str,
    now: dt.datetime,
    *,
    failed_here: Callable[[int], bool] = lambda officer_id: True,
) -> tuple[Password, store.Officer | None]:
    """Whether the password is right for a usable account, and the account when it exists. A wrong one is
    counted against the account. `failed_here(officer_id)`: whether the address asking got that account
    wrong lately (only those addresses wait out its delay). Every answer takes one argon2 verification."""
    officer = store.officer_by_username(engine, username[:64])
    if officer is None or not officer.active:
        _verify(_DUMMY_HASH, password)
        return Password.WRONG, None
    if delayed(officer, now, failed_here(officer.id)):
        _verify(_DUMMY_HASH, password)
        return Password.HELD, officer
    if not _verify(officer.password_hash, password):
        record_failure(engine, officer, now)
        return Password.WRONG, officer
    return Password.RIGHT, officer


def delayed(officer: store.Officer, now: dt.datetime, failed_here: bool) -> bool:
    """Whether an attempt from an address that did (or did not) get the account wrong must wait now."""
    return failed_here and officer.locked_until is not None and officer.locked_until > now


def usable(officer: store.Officer, now: dt.datetime, failed_here: bool = True) -> bool:
    """Active and not delayed for this address: the only accounts either sign-in step may go on with."""
    return officer.active and not delayed(officer, now, failed_here)


def delay_after(failures: int) -> dt.timedelta | None:
    """How long the addresses that got an account wrong wait after its `failures`-th wrong password or code:
    nothing before MAX_FAILURES, then FIRST_DELAY, doubling each time, up to LONGEST_DELAY."""
    if failures < MAX_FAILURES:
        return None
    return min(FIRST_DELAY * (1 << min(failures - MAX_FAILURES, 16)), LONGEST_DELAY)


def record_failure(engine: Engine, officer: store.Officer, now: dt.datetime) -> int:
    """A wrong password or code, in either step: counted, and from MAX_FAILURES on the account delayed."""
    return store.count_failed_sign_in(engine, officer.id, now, delay_after)


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
    if not officer.totp_secret.startswith(SEALED):  # written by someone else since the one-time sealing
        log.error("console: an officer's code secret is stored in clear: refused (add the account again)")
        return Code.UNREADABLE
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


def start_session(engine: Engine, key: bytes, officer: store.Officer, now: dt.datetime) -> str:
    """A new session for the officer; the token for the cookie (the table holds its hash under `key`)."""
    token = secrets.token_urlsafe(32)
    store.create_session(engine, token_hash(key, token), officer.id, secrets.token_urlsafe(32), now)
    store.update_officer(engine, officer.id, failed_sign_ins=0, locked_until=None)
    return token


def current(request: Request, idle: dt.timedelta, maximum: dt.timedelta) -> SignedIn | None:
    """The session the request's cookie names, if it is live. Calls the database: run it off the event loop."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 100:
        return None
    console = console_of(request)
    engine, hashed = console.engine, token_hash(console.keys.session_key, token)
    session = store.get_session(engine, hashed)
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
    """End the request's session, if it has one. Calls the database: run it off the event loop."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if token:
        console = console_of(request)
        store.end_session(console.engine, token_hash(console.keys.session_key, token))


def csrf_ok(signed_in: SignedIn, submitted: str) -> bool:
    """compare_digest raises on text that is not ASCII: such a token is simply wrong, not a 500."""
    return submitted.isascii() and hmac.compare_digest(signed_in.session.csrf_token, submitted)


def pending_value(key: bytes, officer_id: int, now: float | None = None, last_step: int = 0) -> str:
    """A signed, short-lived note that the password was right and a code is awaited. It is signed for the
    officer's last used code step (`last_step`), so it is spent once a code signs the officer in."""
    expires = int((now if now is not None else time.time()) + PENDING_SECONDS)
    body = f"{officer_id}.{expires}"
    return f"{body}.{_pending_signature(key, body, last_step)}"


def pending_officer_id(value: str) -> int | None:
    """The officer's id a pending note names, not yet checked (read_pending checks it): an id the database
    can hold, or None. ASCII digits only: int() takes some of what isdigit() takes ("²")."""
    number = value.split(".", 1)[0]
    if not (value.isascii() and number.isdigit() and len(number) <= 10):
        return None
    return int(number) if 0 < int(number) <= store.LARGEST_ID else None


def read_pending(key: bytes, value: str, last_step: int = 0, now: float | None = None) -> int | None:
    """The officer's id, if `value` is a pending note this console signed, for the officer's last used code
    step `last_step`, and it has not expired."""
    parts = value.split(".")
    if len(parts) != 3 or not value.isascii() or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    body = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_pending_signature(key, body, last_step), parts[2]):
        return None
    if int(parts[1]) < (now if now is not None else time.time()):
        return None
    return int(parts[0])


def _pending_signature(key: bytes, body: str, last_step: int) -> str:
    return hmac.new(key, f"{body}.{last_step}".encode(), hashlib.sha256).hexdigest()


def token_hash(key: bytes, token: str) -> str:
    """What the sessions table holds for a token: its HMAC under the console's session key."""
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()
