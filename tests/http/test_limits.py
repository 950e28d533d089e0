"""How often one client may send a form (web/http/limits.py): counted per client, an IPv6 client by its /64,
in the database so that every app on it shares one count, with a ceiling on what is kept, forgotten after
the window, and storing no address."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from starlette.requests import Request
from starlette.testclient import TestClient

from testing.forms import submit_concern
from web.app import create_app
from web.http.limits import HitsInMemory, SubmissionLimiter, client_of, limit_address
from web.settings import Settings
from web.storage import create_database_engine
from web.storage.migrate import migrate
from web.storage.tables import limit_hits

ADDRESS = "203.0.113.7"
SECRET = b"the-servers-shared-secret"
MakeLimiter = Callable[..., SubmissionLimiter]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'limits.sqlite3'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["database", "memory"])
def make_limiter(request: pytest.FixtureRequest, engine: Engine) -> MakeLimiter:
    """A limiter counting in the database (as the apps make them) or in memory (made without an engine)."""
    if request.param == "memory":
        return SubmissionLimiter
    return lambda limit, **options: SubmissionLimiter(limit, name="concern", engine=engine, secret=SECRET, **options)


def shared(engine: Engine, limit: int, **options: Any) -> SubmissionLimiter:
    return SubmissionLimiter(limit, name="concern", engine=engine, secret=SECRET, **options)


def stored(engine: Engine) -> list[tuple[bytes, float]]:
    with engine.connect() as connection:
        query = select(limit_hits.c.client, limit_hits.c.at).order_by(limit_hits.c.id)
        return [(bytes(client), float(at)) for client, at in connection.execute(query)]


def request_from(host: str | None) -> Request:
    return Request({"type": "http", "method": "POST", "path": "/", "headers": [], "client": host and (host, 5000)})


# --- Counting -----------------------------------------------------------------------------------


def test_a_client_may_send_up_to_the_limit_and_no_more_within_the_window(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(3)
    assert [limiter.allow(ADDRESS, now=1000 + second) for second in range(5)] == [True, True, True, False, False]


def test_each_client_has_its_own_count(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(1)
    assert limiter.allow(ADDRESS, now=0) is True
    assert limiter.allow("198.51.100.1", now=0) is True
    assert limiter.allow(ADDRESS, now=1) is False
    assert limiter.allow("198.51.100.1", now=1) is False


def test_a_submission_stops_counting_once_it_is_more_than_the_window_old(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(2, window=60)
    assert limiter.allow(ADDRESS, now=0) and limiter.allow(ADDRESS, now=30)
    assert limiter.allow(ADDRESS, now=60) is False  # the first is exactly a window old: it still counts
    assert limiter.allow(ADDRESS, now=60.5) is True  # the first has gone
    assert limiter.allow(ADDRESS, now=61) is False  # the ones at 30 and 60.5 remain


def test_refused_attempts_are_not_counted_so_waiting_out_the_window_is_enough(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(1, window=60)
    assert limiter.allow(ADDRESS, now=0) is True
    assert not any(limiter.allow(ADDRESS, now=second) for second in range(1, 60))
    assert limiter.allow(ADDRESS, now=61) is True


def test_the_default_window_is_an_hour(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(1)
    assert limiter.allow(ADDRESS, now=0) is True
    assert limiter.allow(ADDRESS, now=3600) is False
    assert limiter.allow(ADDRESS, now=3601) is True


def test_without_now_the_clock_is_used(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter(1)
    assert limiter.allow(ADDRESS) is True
    assert limiter.allow(ADDRESS) is False


# --- Who a client is -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "counted_as"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # an IPv4 client on a dual-stack socket
        ("testclient", "testclient"),  # not an address (Starlette's test client): as it is
    ],
)
def test_a_client_is_its_ipv4_address_or_its_ipv6_64(host: str, counted_as: str) -> None:
    assert limit_address(host) == counted_as
    assert client_of(request_from(host)) == counted_as


def test_a_request_without_a_client_is_counted_as_unknown() -> None:
    assert client_of(request_from(None)) == "unknown"


def test_every_address_in_one_ipv6_64_shares_one_allowance(engine: Engine) -> None:
    limiter = shared(engine, 1)
    first = asyncio.run(limiter.check(request_from("2001:db8:1:2::1")))
    same_64 = asyncio.run(limiter.check(request_from("2001:db8:1:2:ffff:ffff:ffff:9")))
    next_64 = asyncio.run(limiter.check(request_from("2001:db8:1:3::1")))
    assert (first, same_64, next_64) == (True, False, True)


def test_ten_thousand_addresses_of_one_64_keep_no_more_than_the_limit() -> None:
    """The review's attack: each address of one /64 got a fresh allowance (100,000 of them made one limiter
    94 MB). Now they are one client: ten sends kept, whatever the number of addresses."""
    limiter = SubmissionLimiter(10)
    allowed = sum(
        limiter.allow(limit_address(f"2001:db8:1:2::{n >> 16:x}:{n & 0xFFFF:x}"), now=n / 1000) for n in range(10_000)
    )
    assert allowed == 10
    assert isinstance(limiter.hits, HitsInMemory) and len(limiter.hits.hits) == 10


# --- A ceiling whatever the addresses --------------------------------------------------------------


def test_at_the_ceiling_the_oldest_sends_are_forgotten_so_rows_stay_bounded_and_nobody_is_refused(
    make_limiter: MakeLimiter, engine: Engine
) -> None:
    limiter = make_limiter(1, ceiling=20)
    assert all(limiter.allow(f"198.51.100.{n}", now=n) for n in range(200))
    if isinstance(limiter.hits, HitsInMemory):
        kept = [at for at, _ in limiter.hits.hits]
    else:
        kept = [at for _, at in stored(engine)]
    assert kept == list(range(180, 200))  # the newest twenty


def test_a_large_ceiling_is_checked_every_thousandth_of_it(engine: Engine) -> None:
    """Finding the oldest row to keep reads the whole index (3 ms at 100,000 rows): not at every send."""
    limiter = shared(engine, 1, ceiling=5_000, window=10**6)
    with engine.begin() as connection:  # 5,100 clients' sends, as a flood leaves them
        connection.execute(
            insert(limit_hits), [{"limiter": "concern", "client": n.to_bytes(16, "big"), "at": n} for n in range(5_100)]
        )
    for n in range(4):
        assert limiter.allow(f"198.51.100.{n}", now=6_000 + n)
    assert len(stored(engine)) == 5_104  # the first four sends: not checked
    assert limiter.allow(ADDRESS, now=6_004)
    assert len(stored(engine)) == 5_000  # the fifth (5,000 / 1,000) trimmed it to the ceiling


# --- Shared by every app on the database, and forgotten after the window ---------------------------------


def test_two_apps_on_one_database_share_one_allowance(settings: Settings) -> None:
    """Two servers (or two workers) of the public site, as scale-out runs them: one count for a client."""
    with TestClient(create_app(settings)) as first, TestClient(create_app(settings)) as second:
        sent = [submit_concern(client, f"SHARED-{n}").status_code for n, client in enumerate([first, second] * 5)]
        assert sent == [200] * 10  # the limit is ten concerns an hour
        assert submit_concern(first, "SHARED-11").status_code == 429
        assert submit_concern(second, "SHARED-12").status_code == 429


def test_a_send_is_deleted_from_the_database_once_its_window_has_passed(engine: Engine) -> None:
    limiter = shared(engine, 5, window=60)
    limiter.allow(ADDRESS, now=10)
    limiter.allow("198.51.100.1", now=50)
    assert len(stored(engine)) == 2
    limiter.allow("198.51.100.2", now=71)
    assert [at for _, at in stored(engine)] == [50, 71]  # the one at 10 has gone, not just stopped counting


# --- No address stored ------------------------------------------------------------------------------


def test_the_database_holds_a_keyed_hash_that_changes_every_window_never_the_address(engine: Engine) -> None:
    limiter = shared(engine, 5)
    limiter.allow(ADDRESS, now=100)
    limiter.allow(ADDRESS, now=3700)  # the next window
    (first, _), (second, _) = stored(engine)
    assert len(first) == 16 and ADDRESS.encode() not in first
    assert first not in hashlib.sha256(ADDRESS.encode()).digest()  # keyed: not a plain hash
    assert first != second  # a new key every window: a hash cannot be followed from one hour to the next
    # Every server with the same secret makes the same hash (so they share a count); another secret does not.
    assert shared(engine, 5).client_hashes(ADDRESS, 100)[1] == first
    assert SubmissionLimiter(5, name="concern", engine=engine, secret=b"other").client_hashes(ADDRESS, 100)[1] != first
    assert SubmissionLimiter(5, name="feedback", engine=engine, secret=SECRET).client_hashes(ADDRESS, 100)[1] != first


def test_a_limiter_on_the_database_needs_its_name_and_the_shared_secret(engine: Engine) -> None:
    with pytest.raises(ValueError, match="shared secret"):
        SubmissionLimiter(1, engine=engine)
    with pytest.raises(ValueError, match="name"):
        SubmissionLimiter(1, engine=engine, secret=SECRET)


# --- Off the event loop, and when the database does not answer ----------------------------------------------


def test_a_check_waiting_for_the_database_leaves_the_event_loop_free(engine: Engine, tmp_path: Path) -> None:
    holder = sqlite3.connect(tmp_path / "limits.sqlite3", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock for half a second
    threading.Timer(0.5, holder.commit).start()
    limiter = shared(engine, 1)

    async def check_while_ticking() -> tuple[bool, int]:
        task = asyncio.ensure_future(limiter.check(request_from(ADDRESS)))
        ticks = 0
        while not task.done():
            await asyncio.sleep(0.01)
            ticks += 1
        return await task, ticks

    started = time.monotonic()
    allowed, ticks = asyncio.run(check_while_ticking())
    assert allowed and time.monotonic() - started >= 0.45
    assert ticks >= 20  # the loop went on serving other requests meanwhile
    holder.close()


def test_when_the_database_does_not_answer_the_send_goes_on_and_the_log_names_no_address(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = create_database_engine(f"sqlite:///{tmp_path / 'gone' / 'db.sqlite3'}")
    (tmp_path / "gone").rmdir()
    (tmp_path / "gone").write_text("")  # its folder is now a file: the database cannot be opened
    limiter = shared(unreachable, 1)
    with caplog.at_level(logging.WARNING, logger="web.limits"):
        assert limiter.allow(ADDRESS, now=0) is True  # the concern that follows meets the same database
    assert "limit concern not checked" in caplog.text and ADDRESS not in caplog.text
