"""The officers' queue: concerns a page at a time, filtered, and the console's work on one (who has it, its
status and outcome, a handover).

The list reads only the columns it shows (QUEUE_COLUMNS): never the sealed answers, note or handover, so a
page of fifty costs the same with ten concerns stored or a million.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, or_, select, true, update

from web.storage.concerns import STATUSES
from web.storage.database import reading
from web.storage.officers import LARGEST_ID, NATIONAL
from web.storage.tables import audit_log, concerns, officer_areas, officers

PER_PAGE = 50
QUEUE_COLUMNS = (
    concerns.c.reference,
    concerns.c.route,
    concerns.c.received_on,
    concerns.c.language,
    concerns.c.status,
    concerns.c.outcome,
    concerns.c.area,
    officers.c.username.label("assigned_to"),
)
HISTORY = ("status", "assigned", "unassigned", "handover", "transferred")  # audit actions shown as a concern's history


@dataclass(frozen=True)
class QueueFilter:
    """What an officer asked the list for; None (or empty) is "any"."""

    statuses: tuple[str, ...]
    route: str | None = None
    language: str | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    overdue_received_by: dt.date | None = None  # waiting concerns received on this day or before
    # Areas whose bank holidays move that day (Scotland's, Northern Ireland's): (their areas, their day).
    overdue_elsewhere: tuple[tuple[frozenset[str], dt.date], ...] = ()
    waiting: tuple[str, ...] = ("new",)
    reference: str | None = None
    assigned_to: int | None = None
    areas: frozenset[str] | None = None  # the officer's areas (ADR 21); None: every area (national triage)
    area: str | None = None  # one area, as a filter


@dataclass(frozen=True)
class QueuedConcern:
    reference: str
    route: str
    received_on: dt.date
    language: str
    status: str
    outcome: str | None
    area: str
    assigned_to: str | None  # the officer's username


@dataclass(frozen=True)
class QueuePage:
    concerns: list[QueuedConcern]
    page: int
    total: int
    per_page: int = PER_PAGE
    next_page: int | None = field(init=False)
    previous_page: int | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "next_page", self.page + 1 if self.page * self.per_page < self.total else None)
        object.__setattr__(self, "previous_page", self.page - 1 if self.page > 1 else None)


def _overdue(received_by: dt.date, elsewhere: tuple[tuple[frozenset[str], dt.date], ...]) -> ColumnElement[bool]:
    """Received on or before the day, or, in areas with bank holidays of their own, their day: one condition
    (which the index answers) on the days when every calendar agrees."""
    if not elsewhere:
        return concerns.c.received_on <= received_by
    own = frozenset().union(*(areas for areas, _ in elsewhere))
    return or_(
        and_(concerns.c.area.not_in(sorted(own)), concerns.c.received_on <= received_by),
        *(and_(concerns.c.area.in_(sorted(areas)), concerns.c.received_on <= day) for areas, day in elsewhere),
    )


def _conditions(wanted: QueueFilter, *, listing: bool) -> list[ColumnElement[bool]]:
    """The filter as SQL. Statuses are asked two ways that mean the same (a concern's status is always one of
    STATUSES): counting, as the statuses wanted, which the queue index (status, day, language, route) answers
    alone; listing, newest first, as the statuses not wanted, which no index serves, so that both databases
    read the concerns in id order and stop at the page's end, instead of sorting every match first
    (bench/console_scale.py)."""
    others = tuple(status for status in STATUSES if status not in wanted.statuses)
    if listing:
        conditions: list[ColumnElement[bool]] = [concerns.c.status.not_in(others)] if others else []
    else:
        conditions = [concerns.c.status.in_(wanted.statuses)]
    if wanted.route is not None:
        conditions.append(concerns.c.route == wanted.route)
    if wanted.language is not None:
        conditions.append(concerns.c.language == wanted.language)
    if wanted.received_from is not None:
        conditions.append(concerns.c.received_on >= wanted.received_from)
    if wanted.received_to is not None:
        conditions.append(concerns.c.received_on <= wanted.received_to)
    if wanted.overdue_received_by is not None:
        not_waiting = tuple(status for status in STATUSES if status not in wanted.waiting)
        conditions.append(concerns.c.status.not_in(not_waiting) if listing else concerns.c.status.in_(wanted.waiting))
        conditions.append(_overdue(wanted.overdue_received_by, wanted.overdue_elsewhere))
    if wanted.reference is not None:
        conditions.append(concerns.c.reference == wanted.reference)
    if wanted.assigned_to is not None:
        conditions.append(concerns.c.assigned_to == wanted.assigned_to)
    if wanted.areas is not None:  # none of them: no concern (in_ of nothing is false)
        conditions.append(concerns.c.area.in_(sorted(wanted.areas)))
    if wanted.area is not None:
        conditions.append(concerns.c.area == wanted.area)
    return conditions


def queue_page(engine: Engine, wanted: QueueFilter, page: int = 1, per_page: int = PER_PAGE) -> QueuePage:
    """One page of the concerns `wanted` matches, newest first, and how many match in all."""
    listed = (
        select(*QUEUE_COLUMNS)
        .select_from(concerns.outerjoin(officers, officers.c.id == concerns.c.assigned_to))
        .where(and_(true(), *_conditions(wanted, listing=True)))
        .order_by(concerns.c.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    counted = select(func.count()).select_from(concerns).where(and_(*_conditions(wanted, listing=False)))
    with reading(engine) as connection:
        total = int(connection.execute(counted).scalar_one())
        rows = [QueuedConcern(**row._mapping) for row in connection.execute(listed)]
    return QueuePage(rows, page, total, per_page)


def sealed_of(engine: Engine, references: list[str]) -> dict[str, bytes]:
    """The sealed answers of the concerns a page shows (at most a page's), for the console to open in memory
    for triage at a glance (web/console/glance.py): one query by their unique references."""
    if not references:
        return {}
    query = select(concerns.c.reference, concerns.c.sealed).where(concerns.c.reference.in_(references))
    with reading(engine) as connection:
        return {str(row.reference): bytes(row.sealed) for row in connection.execute(query)}


@dataclass(frozen=True)
class Work:
    """The console's work on one concern: the columns web/storage/concerns.py does not read."""

    assigned_to: int | None
    status_changed_at: dt.datetime | None
    outcome: str | None
    handed_over_on: dt.date | None
    handover_sealed: bytes | None
    area: str


def work_on(engine: Engine, reference: str) -> Work | None:
    with reading(engine) as connection:
        return _work(connection, reference)


def _work(connection: Connection, reference: str) -> Work | None:
    query = select(
        concerns.c.assigned_to,
        concerns.c.status_changed_at,
        concerns.c.outcome,
        concerns.c.handed_over_on,
        concerns.c.handover_sealed,
        concerns.c.area,
    ).where(concerns.c.reference == reference)
    row = connection.execute(query).first()
    return Work(**row._mapping) if row is not None else None


@dataclass(frozen=True)
class Desk:
    """What a concern's page shows beside the concern: the work on it, its history, whom it can be given to."""

    work: Work
    history: list[Step]
    officers: list[tuple[int, str]]


def desk_of(engine: Engine, reference: str) -> Desk | None:
    """Read in one connection (on PostgreSQL, each connection taken from the pool is checked first)."""
    with reading(engine) as connection:
        work = _work(connection, reference)
        if work is None:
            return None
        return Desk(work, _history(connection, reference), _officers_to_assign(connection, work.area))


def assign(engine: Engine, reference: str, officer_id: int | None) -> bool:
    """Give the concern to an officer (None: to nobody); False when there is no such concern."""
    if officer_id is not None and not 0 < officer_id <= LARGEST_ID:
        raise ValueError("no such officer")
    return _update(engine, reference, assigned_to=officer_id)


def change_status(
    engine: Engine, reference: str, status: str, outcome: str | None, note_sealed: bytes | None, now: dt.datetime
) -> bool:
    """Set the status, time-stamped when it changes; `outcome` is kept only for a closed concern (a concern
    opened again loses it). The note replaces the one before, when given. False when there is no such concern."""
    closing = status == "closed"
    with engine.begin() as connection:
        current = connection.execute(
            select(concerns.c.status, concerns.c.closed_on).where(concerns.c.reference == reference)
        ).first()
        if current is None:
            return False
        values: dict[str, object] = {"outcome": outcome if closing else None}
        if status != current.status:
            values.update(status=status, status_changed_at=now, closed_on=now.date() if closing else None)
        if note_sealed is not None:
            values["note_sealed"] = note_sealed
        connection.execute(update(concerns).where(concerns.c.reference == reference).values(**values))
    return True


def transfer(engine: Engine, reference: str, area: str) -> bool:
    """Move the concern to `area`'s queue (ADR 21): its officers see it, the old area's no longer do, and nobody
    has it until someone there claims it. False when there is no such concern."""
    return _update(engine, reference, area=area, assigned_to=None)


def area_of(engine: Engine, reference: str) -> str | None:
    """The concern's area, or None when there is no such concern."""
    with reading(engine) as connection:
        found = connection.execute(select(concerns.c.area).where(concerns.c.reference == reference)).scalar()
    return str(found) if found is not None else None


def record_handover(engine: Engine, reference: str, on: dt.date, sealed: bytes) -> bool:
    """The day the concern was handed over, and who to and their reference, sealed."""
    return _update(engine, reference, handed_over_on=on, handover_sealed=sealed)


def _update(engine: Engine, reference: str, **values: object) -> bool:
    with engine.begin() as connection:
        result = connection.execute(update(concerns).where(concerns.c.reference == reference).values(**values))
    return result.rowcount == 1


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    actor: str
    action: str
    detail: str | None


def history(engine: Engine, reference: str) -> list[Step]:
    """What officers did to the concern, as the audit log has it, oldest first (its openings left out)."""
    with reading(engine) as connection:
        return _history(connection, reference)


def _history(connection: Connection, reference: str, limit: int = 100) -> list[Step]:
    query = (
        select(audit_log.c.at, audit_log.c.actor, audit_log.c.action, audit_log.c.detail)
        .where(audit_log.c.reference == reference, audit_log.c.action.in_(HISTORY))
        .order_by(audit_log.c.id.desc())
        .limit(limit)
    )
    return [Step(**row._mapping) for row in reversed(connection.execute(query).all())]


def officers_to_assign(engine: Engine, area: str | None = None) -> list[tuple[int, str]]:
    """Active officers (the role that works on concerns), by name: (id, username); with `area`, only those who
    see its concerns (who work in it, or in national triage)."""
    with reading(engine) as connection:
        return _officers_to_assign(connection, area)


def _officers_to_assign(connection: Connection, area: str | None = None) -> list[tuple[int, str]]:
    query = select(officers.c.id, officers.c.username).where(officers.c.role == "officer", officers.c.active.is_(True))
    if area is not None:
        seeing = select(officer_areas.c.officer_id).where(officer_areas.c.area.in_((area, NATIONAL)))
        query = query.where(officers.c.id.in_(seeing))
    return [(int(row.id), str(row.username)) for row in connection.execute(query.order_by(officers.c.username))]
