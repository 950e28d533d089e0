"""Sends counted against a limit in the database (web/storage/limits.py), on SQLite and PostgreSQL: one count
for every worker and server, old rows deleted, a ceiling on the rows, and no send past the limit in parallel."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, func, select

from web.storage.limits import take_hit
from web.storage.tables import limit_hits

ALICE = (b"a-last-window...", b"alice-this-windw")  # a client's hashes under the last window's key and this one's
BOB = (b"b-last-window...", b"bob-this-window.")
HOUR = 3600.0


def send(engine: Engine, client: tuple[bytes, bytes], now: float, *, limit: int = 2, keep: int | None = None) -> bool:
    return take_hit(engine, "concern", client, since=now - HOUR, now=now, limit=limit, keep=keep)


def rows(engine: Engine) -> list[tuple[str, bytes, float]]:
    query = select(limit_hits.c.limiter, limit_hits.c.client, limit_hits.c.at).order_by(limit_hits.c.id)
    with engine.connect() as connection:
        return [(str(name), bytes(client), float(at)) for name, client, at in connection.execute(query)]


def test_a_client_is_counted_up_to_the_limit_and_refusals_are_not_stored(engine: Engine) -> None:
    assert [send(engine, ALICE, 1000 + n) for n in range(4)] == [True, True, False, False]
    assert send(engine, BOB, 1004) is True
    assert rows(engine) == [("concern", ALICE[1], 1000), ("concern", ALICE[1], 1001), ("concern", BOB[1], 1004)]


def test_sends_hashed_under_the_last_windows_key_still_count(engine: Engine) -> None:
    last_window = (b"older-key.......", ALICE[0])  # in the last window, ALICE[0] was its "this window" hash
    assert send(engine, last_window, 3500) and send(engine, ALICE, 3700)
    assert send(engine, ALICE, 3800) is False


def test_each_limit_counts_apart(engine: Engine) -> None:
    assert send(engine, ALICE, 0, limit=1)
    assert take_hit(engine, "sign-in", ALICE, since=-HOUR, now=0, limit=1) is True
    assert send(engine, ALICE, 1, limit=1) is False


def test_a_send_counts_for_a_whole_window_and_then_its_row_is_deleted(engine: Engine) -> None:
    assert send(engine, ALICE, 0, limit=1)
    assert send(engine, ALICE, HOUR, limit=1) is False  # exactly a window old: still counts
    assert send(engine, BOB, HOUR + 0.5, limit=1)
    assert rows(engine) == [("concern", BOB[1], HOUR + 0.5)]  # Alice's has gone from the table, not just the count
    assert send(engine, ALICE, HOUR + 1, limit=1) is True


def test_keep_holds_the_rows_of_a_limit_to_the_newest_whatever_the_number_of_clients(engine: Engine) -> None:
    for n in range(50):
        assert send(engine, (b"x" * 16, n.to_bytes(16, "big")), n, keep=9)
    assert len(rows(engine)) == 10
    assert [at for _, _, at in rows(engine)] == [float(n) for n in range(40, 50)]


def test_parallel_sends_from_one_client_never_pass_the_limit(engine: Engine) -> None:
    results: list[bool] = []
    start = threading.Barrier(12)

    def post() -> None:
        start.wait()
        results.append(send(engine, ALICE, 100, limit=3))

    threads = [threading.Thread(target=post) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 9 + [True] * 3
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(limit_hits)).scalar_one() == 3
