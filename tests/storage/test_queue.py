"""The officers' queue in the database: pages of fifty, each filter, never a sealed column; and the work on a
concern (assignment, status with its time and outcome, handover), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from nacl.public import PrivateKey
from sqlalchemy import Engine, event, select

from testing.console import store_concerns
from web.storage import create_database_engine
from web.storage.concerns import STATUSES
from web.storage.migrate import migrate
from web.storage.officers import add_officer
from web.storage.queue import (
    QueueFilter,
    assign,
    change_status,
    history,
    officers_to_assign,
    queue_page,
    record_handover,
    work_on,
)
from web.storage.tables import concerns

KEY = PrivateKey.generate().public_key
NOW = dt.datetime(2026, 3, 4, 9, 30)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = create_database_engine(database_url)
    migrate(made)
    yield made
    made.dispose()


def everything() -> QueueFilter:
    return QueueFilter(statuses=STATUSES)


def test_the_queue_pages_fifty_at_a_time_newest_first(engine: Engine) -> None:
    references = store_concerns(engine, KEY, 120)
    pages = [queue_page(engine, everything(), page) for page in (1, 2, 3)]
    assert [len(page.concerns) for page in pages] == [50, 50, 20]
    assert [(page.next_page, page.previous_page) for page in pages] == [(2, None), (3, 1), (None, 2)]
    assert {page.total for page in pages} == {120}
    listed = [concern.reference for page in pages for concern in page.concerns]
    assert listed == list(reversed(references))


def test_the_queue_never_selects_a_sealed_column(engine: Engine) -> None:
    """What the list asks the database for: no statement names the sealed answers, note or handover."""
    store_concerns(engine, KEY, 3)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        wanted = QueueFilter(
            statuses=STATUSES,
            route="form",
            language="en",
            received_from=dt.date(2026, 1, 1),
            received_to=dt.date(2026, 12, 31),
            overdue_received_by=dt.date(2026, 12, 31),
            reference="ABCD-2345",
            assigned_to=1,
        )
        queue_page(engine, wanted)
        queue_page(engine, everything())
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    queries = [statement for statement in statements if statement.startswith("SELECT")]
    assert len(queries) == 4 and all("FROM concerns" in query for query in queries)
    assert [query for query in queries if "sealed" in query] == []


def test_each_filter_narrows_the_queue(engine: Engine) -> None:
    old = store_concerns(engine, KEY, 2, received_on=dt.date(2026, 1, 5))
    welsh = store_concerns(engine, KEY, 3, language="cy", received_on=dt.date(2026, 2, 10))
    calls = store_concerns(engine, KEY, 4, route="callback", status="contacted", received_on=dt.date(2026, 3, 2))
    closed = store_concerns(engine, KEY, 1, status="closed", received_on=dt.date(2026, 3, 3))

    def found(**wanted: object) -> set[str]:
        page = queue_page(engine, QueueFilter(**{"statuses": STATUSES, **wanted}))  # type: ignore[arg-type]
        return {concern.reference for concern in page.concerns}

    assert found(statuses=("new", "contacted", "referred")) == {*old, *welsh, *calls}
    assert found(statuses=("closed",)) == set(closed)
    assert found(route="callback") == set(calls)
    assert found(language="cy") == set(welsh)
    assert found(received_from=dt.date(2026, 2, 10), received_to=dt.date(2026, 3, 2)) == {*welsh, *calls}
    assert found(reference=welsh[1]) == {welsh[1]}
    assert found(reference="ABCD-2345") == set()
    # Overdue: still waiting (new) and received on the day given or before; contacted ones never are.
    assert found(overdue_received_by=dt.date(2026, 3, 2)) == {*old, *welsh}


def test_the_queue_shows_who_has_each_concern_and_filters_by_them(engine: Engine) -> None:
    olive = add_officer(engine, "olive", "hash", "box:x", "officer")
    mine, other = store_concerns(engine, KEY, 2)
    assert assign(engine, mine, olive)
    page = queue_page(engine, everything())
    assert {(concern.reference, concern.assigned_to) for concern in page.concerns} == {(mine, "olive"), (other, None)}
    assert [c.reference for c in queue_page(engine, QueueFilter(statuses=STATUSES, assigned_to=olive)).concerns] == [
        mine
    ]
    assert assign(engine, mine, None) and work_on(engine, mine).assigned_to is None  # type: ignore[union-attr]
    assert not assign(engine, "ZZZZ-ZZZZ", olive)


def test_a_status_change_is_time_stamped_and_the_outcome_kept_only_while_closed(engine: Engine) -> None:
    (reference,) = store_concerns(engine, KEY, 1)
    assert change_status(engine, reference, "contacted", "channel", None, NOW)
    work = work_on(engine, reference)
    assert work is not None and (work.status_changed_at, work.outcome) == (NOW, None)
    later = NOW + dt.timedelta(hours=2)
    assert change_status(engine, reference, "contacted", None, b"note", later)
    assert work_on(engine, reference).status_changed_at == NOW  # type: ignore[union-attr]  # unchanged status
    assert change_status(engine, reference, "closed", "channel", None, later)
    with engine.connect() as connection:
        row = connection.execute(select(concerns).where(concerns.c.reference == reference)).one()
    assert (row.status, row.outcome, row.closed_on, row.status_changed_at) == ("closed", "channel", later.date(), later)
    assert row.note_sealed == b"note"
    assert change_status(engine, reference, "contacted", None, None, later + dt.timedelta(days=1))
    again = work_on(engine, reference)
    assert again is not None and again.outcome is None
    assert not change_status(engine, "ZZZZ-ZZZZ", "closed", "channel", None, NOW)


def test_a_handover_keeps_its_day_in_clear_and_the_rest_sealed(engine: Engine) -> None:
    (reference,) = store_concerns(engine, KEY, 1)
    assert record_handover(engine, reference, dt.date(2026, 3, 3), b"sealed handover")
    work = work_on(engine, reference)
    assert work is not None and (work.handed_over_on, work.handover_sealed) == (dt.date(2026, 3, 3), b"sealed handover")
    assert not record_handover(engine, "ZZZZ-ZZZZ", dt.date(2026, 3, 3), b"x")


def test_history_is_the_concerns_changes_from_the_audit_log_oldest_first(engine: Engine) -> None:
    from web.storage.officers import record

    (reference,) = store_concerns(engine, KEY, 1)
    record(engine, "olive", "opened", reference)
    record(engine, "olive", "assigned", reference, detail="olive", now=NOW)
    record(engine, "olive", "status", reference, detail="contacted", now=NOW + dt.timedelta(minutes=5))
    record(engine, "olive", "status", "ZZZZ-ZZZZ", detail="closed (channel)")
    steps = history(engine, reference)
    assert [(step.action, step.detail, step.at) for step in steps] == [
        ("assigned", "olive", NOW),
        ("status", "contacted", NOW + dt.timedelta(minutes=5)),
    ]


def test_only_active_officers_can_be_assigned(engine: Engine) -> None:
    from web.storage.officers import update_officer

    olive = add_officer(engine, "olive", "hash", "box:x", "officer")
    gone = add_officer(engine, "gone", "hash", "box:x", "officer")
    add_officer(engine, "cora", "hash", "box:x", "comms")
    update_officer(engine, gone, active=False)
    assert officers_to_assign(engine) == [(olive, "olive")]


def test_migration_0007_goes_down_to_0006_and_up_again_keeping_concerns(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from web.storage.migrate import MIGRATIONS, schema_version

    made = create_database_engine(database_url)
    migrate(made)
    (reference,) = store_concerns(made, KEY, 1)
    assert change_status(made, reference, "closed", "channel", None, NOW)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    for target in ("0006", "head"):
        with made.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if target == "0006" else command.upgrade)(config, target)
    assert schema_version(made) == "0007"
    work = work_on(made, reference)
    assert work is not None and work.outcome is None  # the column came back empty; the concern stayed
    assert queue_page(made, everything()).total == 1
    made.dispose()
