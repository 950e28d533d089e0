"""Sends counted against a limit, in the database, so that every worker and every server counts the same
(ADR 14; web/http/limits.py decides what is counted and for how long).

A row is only what the limiter gives: the limit's name, a 16-byte keyed hash of the client (the key changes
every window, so the hash means nothing once its window is over) and the time. Rows are deleted once they
are a window old, and the oldest beyond a ceiling, so the table stays small whatever the addresses.

"Count, then add" must be one step for a client, or parallel posts slip past the limit. SQLite's
transactions already run one at a time (BEGIN IMMEDIATE, web/storage/database.py). On PostgreSQL a
transaction-scoped advisory lock on the client's hash does it, and a second one, tried and never waited
for, lets one transaction at a time delete old rows, so deleting never makes two sends wait on each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, delete, func, insert, select

from web.storage.tables import limit_hits


def take_hit(
    engine: Engine,
    limiter: str,
    clients: Sequence[bytes],
    *,
    since: float,
    now: float,
    limit: int,
    keep: int | None = None,
) -> bool:
    """Count a send by `clients[-1]` at `now`, unless the client (`clients`: its hashes under the last
    window's key and this one's) already has `limit` sends from `since` on. Whether it was counted.

    On the way, sends of `limiter` from before `since` are deleted, and with `keep` all but the newest `keep`.
    """
    mine = limit_hits.c.limiter == limiter
    with engine.begin() as connection:
        if _lock(connection, limiter, clients[-1]):
            connection.execute(delete(limit_hits).where(mine, limit_hits.c.at < since))
            if keep is not None:
                _keep_newest(connection, limiter, keep)
        used = connection.execute(
            select(func.count()).where(mine, limit_hits.c.client.in_(clients), limit_hits.c.at >= since)
        ).scalar_one()
        if used >= limit:
            return False
        connection.execute(insert(limit_hits).values(limiter=limiter, client=clients[-1], at=now))
    return True


def _keep_newest(connection: Connection, limiter: str, keep: int) -> None:
    """Delete all but the newest `keep` sends of `limiter` (a few more when several share a time)."""
    mine = limit_hits.c.limiter == limiter
    oldest_kept = select(limit_hits.c.at).where(mine).order_by(limit_hits.c.at.desc()).offset(keep).limit(1)
    cutoff = connection.execute(oldest_kept).scalar()
    if cutoff is not None:
        connection.execute(delete(limit_hits).where(mine, limit_hits.c.at <= cutoff))


def _lock(connection: Connection, limiter: str, client: bytes) -> bool:
    """Hold the client's lock until the transaction ends; whether this transaction may delete old rows."""
    if connection.dialect.name != "postgresql":
        return True  # the transaction holds SQLite's one write lock already
    connection.execute(select(func.pg_advisory_xact_lock(_lock_id(b"client:%s:%s" % (limiter.encode(), client)))))
    tidying = select(func.pg_try_advisory_xact_lock(_lock_id(b"tidy:" + limiter.encode())))
    return bool(connection.execute(tidying).scalar_one())


def _lock_id(name: bytes) -> int:
    """A PostgreSQL advisory lock's number (a signed 64-bit integer) for a name."""
    return int.from_bytes(hashlib.sha256(b"limit_hits:" + name).digest()[:8], "big", signed=True)
