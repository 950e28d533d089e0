"""Officers' accounts, their sessions and the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update

from web.clock import utc_now
from web.storage.tables import audit_log, officers, sessions

ROLES = ("officer", "comms", "admin")


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


def add_officer(engine: Engine, username: str, password_hash: str, totp_secret: str, role: str) -> int:
    """`totp_secret` is the sealed secret (web/console/auth.py: seal_totp_secret)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    with engine.begin() as connection:
        result = connection.execute(
            insert(officers).values(username=username, password_hash=password_hash, totp_secret=totp_secret, role=role)
        )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def replace_totp_secret(engine: Engine, officer_id: int, totp_secret: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(officers).where(officers.c.id == officer_id).values(totp_secret=totp_secret))


def officer_by_username(engine: Engine, username: str) -> Officer | None:
    with engine.connect() as connection:
        row = connection.execute(select(officers).where(officers.c.username == username)).first()
    return _officer(row) if row is not None else None


def officer_by_id(engine: Engine, officer_id: int) -> Officer | None:
    with engine.connect() as connection:
        row = connection.execute(select(officers).where(officers.c.id == officer_id)).first()
    return _officer(row) if row is not None else None


def all_officers(engine: Engine) -> list[Officer]:
    with engine.connect() as connection:
        return [_officer(row) for row in connection.execute(select(officers).order_by(officers.c.username))]


def update_officer(engine: Engine, officer_id: int, **values: object) -> None:
    with engine.begin() as connection:
        connection.execute(update(officers).where(officers.c.id == officer_id).values(**values))


def count_failed_sign_in(engine: Engine, officer_id: int, limit: int, locked_until: dt.datetime) -> None:
    """One more wrong password or code, counted by the database itself: attempts in parallel cannot
    each read the same count and write it back plus one. At `limit` the account locks and the count
    starts again."""
    with engine.begin() as connection:
        connection.execute(
            update(officers).where(officers.c.id == officer_id).values(failed_sign_ins=officers.c.failed_sign_ins + 1)
        )
        connection.execute(
            update(officers)
            .where(officers.c.id == officer_id, officers.c.failed_sign_ins >= limit)
            .values(failed_sign_ins=0, locked_until=locked_until)
        )


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
                actor=actor,
                action=action,
                reference=reference,
                detail=detail,
            )
        )


def audit_entries(engine: Engine, limit: int = 200) -> list[AuditEntry]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    with engine.connect() as connection:
        return [
            AuditEntry(at=row.at, actor=row.actor, action=row.action, reference=row.reference, detail=row.detail)
            for row in connection.execute(query)
        ]
