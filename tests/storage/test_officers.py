"""Officers' accounts, their sessions and the append-only audit log in the database."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from web.storage import create_database_engine
from web.storage import officers as store
from web.storage.migrate import migrate
from web.storage.tables import audit_log

NOW = dt.datetime(2026, 3, 2, 9, 30)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


def add(engine: Engine, username: str = "olive", role: str = "officer") -> int:
    return store.add_officer(engine, username, f"hash-of-{username}", f"box:secret-of-{username}", role)


def at_once(database_url: str, times: int, work: Callable[[Engine], None]) -> None:
    """`work` run `times` times in parallel, each on an engine (so a connection) of its own."""
    engines = [create_database_engine(database_url) for _ in range(times)]
    start = threading.Barrier(times)

    def run(target: Engine) -> None:
        start.wait()
        work(target)

    threads = [threading.Thread(target=run, args=(target,)) for target in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for target in engines:
            target.dispose()


def test_a_new_officer_is_active_unlocked_and_has_used_no_code(engine: Engine) -> None:
    officer_id = add(engine, "olive", "comms")
    assert store.officer_by_id(engine, officer_id) == store.Officer(
        id=officer_id,
        username="olive",
        password_hash="hash-of-olive",
        totp_secret="box:secret-of-olive",
        role="comms",
        active=True,
        failed_sign_ins=0,
        locked_until=None,
        last_totp_step=0,
    )
    assert store.officer_by_username(engine, "olive") == store.officer_by_id(engine, officer_id)
    assert store.officer_by_username(engine, "nobody") is None
    assert store.officer_by_id(engine, officer_id + 1) is None


def test_an_unknown_role_and_a_taken_username_are_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="role must be one of officer, comms, admin"):
        add(engine, "olive", "superuser")
    add(engine, "olive")
    with pytest.raises(IntegrityError):
        add(engine, "olive", "admin")
    assert [(o.username, o.role) for o in store.all_officers(engine)] == [("olive", "officer")]


def test_all_officers_are_listed_by_username_and_can_be_changed(engine: Engine) -> None:
    zara, ada = add(engine, "zara"), add(engine, "ada", "admin")
    store.update_officer(engine, zara, active=False, role="comms")
    store.replace_totp_secret(engine, ada, "box:new-secret")
    listed = store.all_officers(engine)
    assert [(o.username, o.role, o.active, o.totp_secret) for o in listed] == [
        ("ada", "admin", True, "box:new-secret"),
        ("zara", "comms", False, "box:secret-of-zara"),
    ]


def minutes_from_three(failures: int) -> dt.timedelta | None:
    """A delay of as many minutes as there have been failures, from the third."""
    return dt.timedelta(minutes=failures) if failures >= 3 else None


def test_failed_sign_ins_are_counted_and_from_the_limit_each_delays_the_account_longer(engine: Engine) -> None:
    officer_id = add(engine)
    for expected, delayed_until in (
        (1, None),
        (2, None),
        (3, NOW + dt.timedelta(minutes=3)),
        (4, NOW + dt.timedelta(minutes=4)),
    ):
        assert store.count_failed_sign_in(engine, officer_id, NOW, minutes_from_three) == expected
        officer = store.officer_by_id(engine, officer_id)
        assert officer is not None and (officer.failed_sign_ins, officer.locked_until) == (expected, delayed_until)


def test_failures_in_parallel_are_each_counted(engine: Engine, database_url: str) -> None:
    officer_id = add(engine)
    counts: list[int] = []
    at_once(
        database_url,
        6,
        lambda target: counts.append(store.count_failed_sign_in(target, officer_id, NOW, minutes_from_three)),
    )
    officer = store.officer_by_id(engine, officer_id)
    assert sorted(counts) == [1, 2, 3, 4, 5, 6]  # each saw its own count: none read the same one
    assert officer is not None and (officer.failed_sign_ins, officer.locked_until) == (6, NOW + dt.timedelta(minutes=6))


def test_one_code_step_sent_four_times_at_once_is_used_only_once(engine: Engine, database_url: str) -> None:
    officer_id = add(engine)
    used: list[bool] = []
    at_once(database_url, 4, lambda target: used.append(store.use_totp_step(target, officer_id, 1000)))
    assert sorted(used) == [False, False, False, True]


def test_a_code_step_is_used_once_and_never_one_before_a_later_one(engine: Engine) -> None:
    officer_id, other_id = add(engine, "olive"), add(engine, "ada")
    assert store.use_totp_step(engine, officer_id, 1000)
    assert not store.use_totp_step(engine, officer_id, 1000)
    assert not store.use_totp_step(engine, officer_id, 999)
    assert store.use_totp_step(engine, officer_id, 1001)
    assert store.use_totp_step(engine, other_id, 1000), "each officer's steps are their own"
    officer = store.officer_by_id(engine, officer_id)
    assert officer is not None and officer.last_totp_step == 1001


def test_a_session_is_created_touched_and_ended(engine: Engine) -> None:
    officer_id = add(engine)
    store.create_session(engine, "a" * 64, officer_id, "csrf-token", NOW)
    assert store.get_session(engine, "a" * 64) == store.Session("a" * 64, officer_id, "csrf-token", NOW, NOW)
    later = NOW + dt.timedelta(minutes=5)
    store.touch_session(engine, "a" * 64, later)
    session = store.get_session(engine, "a" * 64)
    assert session is not None and (session.created_at, session.last_seen_at) == (NOW, later)
    store.end_session(engine, "a" * 64)
    assert store.get_session(engine, "a" * 64) is None
    assert store.get_session(engine, "b" * 64) is None


def test_ending_an_officers_sessions_leaves_everyone_elses(engine: Engine) -> None:
    olive, ada = add(engine, "olive"), add(engine, "ada")
    for token, officer_id in (("1", olive), ("2", olive), ("3", ada)):
        store.create_session(engine, token * 64, officer_id, "csrf", NOW)
    store.end_sessions_of(engine, olive)
    assert [store.get_session(engine, token * 64) is not None for token in "123"] == [False, False, True]


def test_the_audit_log_lists_the_newest_first_up_to_the_limit(engine: Engine) -> None:
    store.record(engine, "olive", "opened", "ABCD-EFGH", now=NOW)
    store.record(engine, "ada", "account-added", detail="olive", now=NOW + dt.timedelta(seconds=1))
    store.record(engine, "cli", "restored", now=NOW + dt.timedelta(seconds=2))
    assert store.audit_entries(engine, limit=2) == [
        store.AuditEntry(NOW + dt.timedelta(seconds=2), "cli", "restored", None, None),
        store.AuditEntry(NOW + dt.timedelta(seconds=1), "ada", "account-added", None, "olive"),
    ]
    assert [entry.action for entry in store.audit_entries(engine)] == ["restored", "account-added", "opened"]


def test_an_entry_without_a_time_is_recorded_at_the_current_utc_time(engine: Engine) -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    store.record(engine, "olive", "signed-in")
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    (entry,) = store.audit_entries(engine)
    assert entry.at.tzinfo is None and before - dt.timedelta(seconds=1) <= entry.at <= after


def test_the_audit_log_refuses_to_be_rewritten(engine: Engine) -> None:
    store.record(engine, "olive", "opened", "ABCD-EFGH", now=NOW)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(update(audit_log).values(actor="someone else"))
    assert [(entry.actor, entry.action) for entry in store.audit_entries(engine)] == [("olive", "opened")]


# Areas (ADR 21) ---------------------------------------------------------------------------------------


def test_an_officer_has_the_areas_given_and_none_by_default(engine: Engine) -> None:
    olive = add(engine)
    kim = store.add_officer(engine, "kim", "hash", "box:kim", "officer", ("kent", "surrey"))
    assert store.areas_of(engine, olive) == frozenset()
    assert store.areas_of(engine, kim) == {"kent", "surrey"}
    store.set_areas(engine, olive, frozenset({store.NATIONAL}))
    store.set_areas(engine, kim, frozenset({"essex"}))
    assert store.all_areas(engine) == {olive: {store.NATIONAL}, kim: {"essex"}}
    store.set_areas(engine, kim, frozenset())
    assert store.areas_of(engine, kim) == frozenset() and kim not in store.all_areas(engine)
