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
    area_of,
    assign,
    change_status,
    history,
    officers_to_assign,
    queue_page,
    record_handover,
    sealed_of,
    transfer,
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

    from web.storage.migrate import MIGRATIONS, expected_version, schema_version

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
    assert schema_version(made) == expected_version()
    work = work_on(made, reference)
    assert work is not None and work.outcome is None  # the column came back empty; the concern stayed
    assert queue_page(made, everything()).total == 1
    made.dispose()


def test_migration_0008_makes_concerns_unknown_and_officers_who_worked_on_them_national(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from web.storage.migrate import MIGRATIONS, schema_version
    from web.storage.tables import officer_areas

    made = create_database_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with made.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    with made.begin() as connection:  # written as 0007 had them: no area, no officer_areas
        connection.execute(
            concerns.insert().values(
                reference="CD2F-3H4J",
                idempotency_key="k",
                route="form",
                received_on=NOW.date(),
                language="en",
                sealed=b"x",
            )
        )
    olive = add_officer(made, "olive", "hash", "box:x", "officer")
    add_officer(made, "ada", "hash", "box:x", "admin")
    for target in ("head", "0007", "head"):
        with made.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if target == "0007" else command.upgrade)(config, target)
    assert schema_version(made) == "0008"
    with made.connect() as connection:
        assert connection.execute(select(concerns.c.area)).scalars().all() == ["unknown"]
        assert connection.execute(select(officer_areas.c.officer_id, officer_areas.c.area)).all() == [
            (olive, "national")
        ]
    made.dispose()


# Areas (ADR 21) ---------------------------------------------------------------------------------------


def test_the_queue_is_narrowed_to_the_officers_areas_whatever_else_is_asked(engine: Engine) -> None:
    kent = store_concerns(engine, KEY, 2, area="kent")
    surrey = store_concerns(engine, KEY, 1, area="surrey")
    unknown = store_concerns(engine, KEY, 1)

    def found(**wanted: object) -> set[str]:
        page = queue_page(engine, QueueFilter(**{"statuses": STATUSES, **wanted}))  # type: ignore[arg-type]
        assert page.total == len(page.concerns)
        return {concern.reference for concern in page.concerns}

    assert found() == {*kent, *surrey, *unknown}
    assert found(areas=frozenset({"kent"})) == set(kent)
    assert found(areas=frozenset({"kent", "surrey"})) == {*kent, *surrey}
    assert found(areas=frozenset()) == set()
    assert found(areas=frozenset({"kent"}), area="surrey") == set()
    assert found(areas=frozenset({"kent"}), reference=surrey[0]) == set()
    assert found(area="unknown") == set(unknown)
    assert {c.area for c in queue_page(engine, everything()).concerns} == {"kent", "surrey", "unknown"}


def test_a_transfer_moves_the_concern_and_leaves_whoever_had_it(engine: Engine) -> None:
    olive = add_officer(engine, "olive", "hash", "box:x", "officer", ("surrey",))
    (reference,) = store_concerns(engine, KEY, 1, area="surrey")
    assert assign(engine, reference, olive) and area_of(engine, reference) == "surrey"
    assert transfer(engine, reference, "kent")
    work = work_on(engine, reference)
    assert work is not None and work.area == "kent" and work.assigned_to is None
    assert not transfer(engine, "ZZZZ-ZZZZ", "kent") and area_of(engine, "ZZZZ-ZZZZ") is None


def test_only_officers_who_see_the_area_can_be_given_its_concern(engine: Engine) -> None:
    kim = add_officer(engine, "kim", "hash", "box:x", "officer", ("kent",))
    tina = add_officer(engine, "tina", "hash", "box:x", "officer", ("national",))
    add_officer(engine, "sam", "hash", "box:x", "officer", ("surrey",))
    add_officer(engine, "nora", "hash", "box:x", "officer")
    assert officers_to_assign(engine, "kent") == [(kim, "kim"), (tina, "tina")]
    assert officers_to_assign(engine, "unknown") == [(tina, "tina")]


def test_the_sealed_answers_are_read_only_for_the_references_asked(engine: Engine) -> None:
    references = store_concerns(engine, KEY, 3)
    sealed = sealed_of(engine, references[:2])
    assert set(sealed) == set(references[:2]) and all(isinstance(body, bytes) for body in sealed.values())
    assert sealed_of(engine, []) == {}
