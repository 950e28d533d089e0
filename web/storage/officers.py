"""Officers' accounts, their sessions and the audit log.

What a request brings (a username, an id, a path for the log) may hold what PostgreSQL refuses and SQLite
takes: NUL characters, numbers past 32 bits, text longer than its column. Lookups answer "no such officer"
for them and the audit log writes them escaped and cut to length, so both databases answer alike and no
entry is lost to an error (issue 15, item 13).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, inspect, select, text, update

from web.clock import utc_now
from web.storage.tables import audit_log, officer_areas, officers, sessions

ROLES = ("officer", "comms", "admin")
# An officer's areas (ADR 21): police force slugs, or NATIONAL, the national triage team, which sees every area
# and the concerns whose area is unknown or outside the UK, and transfers concerns between areas.
NATIONAL = "national"
LARGEST_ID = 2**31 - 1  # PostgreSQL's integer
# What is written before anyone has signed in: kept apart from what officers did on the admins' audit page.
BEFORE_SIGN_IN = ("sign-in-failed", "sign-in-throttled", "code-failed", "code-replayed", "code-unreadable")
# The migration from which a code secret in clear is refused (web/console/app.py seals those before it once).
SEALED_FOR_GOOD = 6


@dataclass(frozen=True)
class Officer:
    id: int
    username: str
    password_hash: str
    totp_secret: str  # sealed (web/console/auth.py: seal_totp_secret), never the secret itself
    role: str
    active: bool
    failed_sign_ins: int
    locked_until: dt.datetime | None
    last_totp_step: int


@dataclass(frozen=True)
class Session:
    token_hash: str
    officer_id: int
    csrf_token: str
    created_at: dt.datetime
    last_seen_at: dt.datetime


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    reference: str | None
    detail: str | None


def _officer(row: object) -> Officer:
    mapping = row._mapping  # type: ignore[attr-defined]
    return Officer(**{name: mapping[name] for name in Officer.__dataclass_fields__})


def add_officer(
    engine: Engine, username: str, password_hash: str, totp_secret: str, role: str, areas: tuple[str, ...] = ()
) -> int:
    """`totp_secret` is the sealed secret (web/console/auth.py: seal_totp_secret). A new officer works in
    `areas` (none: an administrator gives them on the accounts page, and until then they see no concern)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    with engine.begin() as connection:
        result = connection.execute(
            insert(officers).values(username=username, password_hash=password_hash, totp_secret=totp_secret, role=role)
        )
        key = result.inserted_primary_key
        assert key is not None
        if areas:
            connection.execute(insert(officer_areas), [{"officer_id": int(key[0]), "area": area} for area in areas])
    return int(key[0])


def areas_of(engine: Engine, officer_id: int) -> frozenset[str]:
    """The areas the officer works in (NATIONAL among them for the national triage team)."""
    with engine.connect() as connection:
        found = connection.execute(select(officer_areas.c.area).where(officer_areas.c.officer_id == officer_id))
        return frozenset(str(area) for area in found.scalars())


def all_areas(engine: Engine) -> dict[int, frozenset[str]]:
    """Every officer's areas, by officer id (officers without one are left out)."""
    by_officer: dict[int, set[str]] = {}
    with engine.connect() as connection:
        for officer_id, area in connection.execute(select(officer_areas.c.officer_id, officer_areas.c.area)):
            by_officer.setdefault(int(officer_id), set()).add(str(area))
    return {officer_id: frozenset(areas) for officer_id, areas in by_officer.items()}


def set_areas(engine: Engine, officer_id: int, areas: frozenset[str]) -> None:
    """The officer works in `areas` from now on (and no others)."""
    with engine.begin() as connection:
        connection.execute(delete(officer_areas).where(officer_areas.c.officer_id == officer_id))
        if areas:
            rows = [{"officer_id": officer_id, "area": area} for area in sorted(areas)]
            connection.execute(insert(officer_areas), rows)


def replace_totp_secret(engine: Engine, officer_id: int, totp_secret: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(officers).where(officers.c.id == officer_id).values(totp_secret=totp_secret))


def officer_by_username(engine: Engine, username: str) -> Officer | None:
    if "\x00" in username or len(username) > officers.c.username.type.length:  # type: ignore[attr-defined]
        return None
    with engine.connect() as connection:
        row = connection.execute(select(officers).where(officers.c.username == username)).first()
    return _officer(row) if row is not None else None


def officer_by_id(engine: Engine, officer_id: int) -> Officer | None:
    if not 0 < officer_id <= LARGEST_ID:
        return None
    with engine.connect() as connection:
        row = connection.execute(select(officers).where(officers.c.id == officer_id)).first()
    return _officer(row) if row is not None else None


def all_officers(engine: Engine) -> list[Officer]:
    with engine.connect() as connection:
        return [_officer(row) for row in connection.execute(select(officers).order_by(officers.c.username))]


def update_officer(engine: Engine, officer_id: int, **values: object) -> None:
    with engine.begin() as connection:
        connection.execute(update(officers).where(officers.c.id == officer_id).values(**values))


def count_failed_sign_in(
    engine: Engine, officer_id: int, now: dt.datetime, delay_after: Callable[[int], dt.timedelta | None]
) -> int:
    """One more wrong password or code, counted by the database itself (attempts in parallel cannot each
    read the same count and write it back plus one); when `delay_after` the new count gives a delay, the
    account is delayed until `now` plus it. The new count."""
    with engine.begin() as connection:
        connection.execute(
            update(officers).where(officers.c.id == officer_id).values(failed_sign_ins=officers.c.failed_sign_ins + 1)
        )
        failures = int(
            connection.execute(select(officers.c.failed_sign_ins).where(officers.c.id == officer_id)).scalar_one()
        )
        delay = delay_after(failures)
        if delay is not None:
            connection.execute(update(officers).where(officers.c.id == officer_id).values(locked_until=now + delay))
    return failures


def use_totp_step(engine: Engine, officer_id: int, step: int) -> bool:
    """Record that a TOTP time step was used; False if it (or a later one) was used already."""
    with engine.begin() as connection:
        result = connection.execute(
            update(officers)
            .where(officers.c.id == officer_id, officers.c.last_totp_step < step)
            .values(last_totp_step=step)
        )
    return result.rowcount == 1


def create_session(engine: Engine, token_hash: str, officer_id: int, csrf_token: str, now: dt.datetime) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(sessions).values(
                token_hash=token_hash, officer_id=officer_id, csrf_token=csrf_token, created_at=now, last_seen_at=now
            )
        )


def get_session(engine: Engine, token_hash: str) -> Session | None:
    with engine.connect() as connection:
        row = connection.execute(select(sessions).where(sessions.c.token_hash == token_hash)).first()
    if row is None:
        return None
    mapping = row._mapping
    return Session(**{name: mapping[name] for name in Session.__dataclass_fields__})


def touch_session(engine: Engine, token_hash: str, now: dt.datetime) -> None:
    with engine.begin() as connection:
        connection.execute(update(sessions).where(sessions.c.token_hash == token_hash).values(last_seen_at=now))


def end_session(engine: Engine, token_hash: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


def end_sessions_of(engine: Engine, officer_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(delete(sessions).where(sessions.c.officer_id == officer_id))


def record(
    engine: Engine,
    actor: str,
    action: str,
    reference: str | None = None,
    detail: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Append to the audit log: who did what, to which concern, when. Never the concern's content."""
    with engine.begin() as connection:
        connection.execute(
            insert(audit_log).values(
                at=now or utc_now().replace(tzinfo=None),
                actor=_loggable(actor, audit_log.c.actor.type.length),  # type: ignore[attr-defined]
                action=_loggable(action, audit_log.c.action.type.length),  # type: ignore[attr-defined]
                reference=_loggable(reference, audit_log.c.reference.type.length),  # type: ignore[attr-defined]
                detail=_loggable(detail, None),
            )
        )


def _loggable(value: str | None, length: int | None) -> str | None:
    """Control and other unprintable characters escaped (\\x00), so every database takes it and no entry
    can fake a line of its own; then cut to the column's length."""
    if value is None:
        return None
    escaped = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in value)
    return escaped[:length] if length else escaped


def audit_entries(engine: Engine, limit: int = 200) -> list[AuditEntry]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    with engine.connect() as connection:
        return [_entry(row) for row in connection.execute(query)]


def _entry(row: object) -> AuditEntry:
    mapping = row._mapping  # type: ignore[attr-defined]
    return AuditEntry(mapping["at"], mapping["actor"], mapping["action"], mapping["reference"], mapping["detail"])


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    next_page: int | None
    previous_page: int | None


def audit_page(
    engine: Engine, *, before_sign_in: bool, actor: str | None = None, page: int = 1, per_page: int = 50
) -> AuditPage:
    """One page of the audit log, newest first: either what was written before anyone signed in (failed
    and refused sign-ins, wrong codes) or everything else, and only `actor`'s entries when given."""
    kind = audit_log.c.action.in_(BEFORE_SIGN_IN)
    query = select(audit_log).where(kind if before_sign_in else ~kind)
    if actor is not None:
        query = query.where(audit_log.c.actor == _loggable(actor, None))
    query = query.order_by(audit_log.c.id.desc()).offset((page - 1) * per_page).limit(per_page + 1)
    with engine.connect() as connection:
        entries = [_entry(row) for row in connection.execute(query)]
    more = len(entries) > per_page
    return AuditPage(entries[:per_page], page, page + 1 if more else None, page - 1 if page > 1 else None)


def code_secrets_may_be_in_clear(engine: Engine) -> bool:
    """Whether the database has yet to reach migration SEALED_FOR_GOOD: until then, a code secret in clear is
    one stored before the console sealed them (ADR 9), which the console seals once as it migrates it. After,
    one in clear can only have been written by someone else, and is refused."""
    if not inspect(engine).has_table("alembic_version"):
        return False  # a new database: no officer yet
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return version is None or (str(version).isdigit() and int(version) < SEALED_FOR_GOOD)
