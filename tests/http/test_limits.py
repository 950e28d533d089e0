"""How often one client may send a form, counted in memory without storing its address (web/http/limits.py)."""

from __future__ import annotations

from web.http.limits import SubmissionLimiter

ADDRESS = "203.0.113.7"


def test_a_client_may_send_up_to_the_limit_and_no_more_within_the_window() -> None:
    limiter = SubmissionLimiter(limit=3)
    assert [limiter.allow(ADDRESS, now=1000 + second) for second in range(5)] == [True, True, True, False, False]


def test_each_client_has_its_own_count() -> None:
    limiter = SubmissionLimiter(limit=1)
    assert limiter.allow(ADDRESS, now=0) is True
    assert limiter.allow("198.51.100.1", now=0) is True
    assert limiter.allow(ADDRESS, now=1) is False
    assert limiter.allow("198.51.100.1", now=1) is False


def test_a_submission_stops_counting_once_it_is_more_than_the_window_old() -> None:
    limiter = SubmissionLimiter(limit=2, window=60)
    assert limiter.allow(ADDRESS, now=0) and limiter.allow(ADDRESS, now=30)
    assert limiter.allow(ADDRESS, now=60) is False  # the first is exactly a window old: it still counts
    assert limiter.allow(ADDRESS, now=60.5) is True  # the first has gone
    assert limiter.allow(ADDRESS, now=61) is False  # the ones at 30 and 60.5 remain


def test_refused_attempts_are_not_counted_so_waiting_out_the_window_is_enough() -> None:
    limiter = SubmissionLimiter(limit=1, window=60)
    assert limiter.allow(ADDRESS, now=0) is True
    assert not any(limiter.allow(ADDRESS, now=second) for second in range(1, 60))
    assert limiter.allow(ADDRESS, now=61) is True


def test_the_default_window_is_an_hour() -> None:
    limiter = SubmissionLimiter(limit=1)
    assert limiter.allow(ADDRESS, now=0) is True
    assert limiter.allow(ADDRESS, now=3600) is False
    assert limiter.allow(ADDRESS, now=3601) is True


def test_neither_the_address_nor_a_plain_hash_of_it_is_kept() -> None:
    limiter = SubmissionLimiter(limit=5)
    limiter.allow(ADDRESS, now=0)
    (client,) = limiter.seen
    assert len(client) == 16 and ADDRESS.encode() not in client
    assert client != SubmissionLimiter(limit=5)._client(ADDRESS)  # keyed: another process's key hashes it otherwise


def test_the_least_recently_seen_client_is_forgotten_beyond_max_clients() -> None:
    limiter = SubmissionLimiter(limit=1, max_clients=2)
    assert limiter.allow("a", now=0) and limiter.allow("b", now=0)
    assert limiter.allow("a", now=1) is False  # "a" is now the most recently seen
    assert limiter.allow("c", now=2) is True  # forgets "b"
    assert len(limiter.seen) == 2
    assert limiter.allow("b", now=3) is True  # counted afresh; forgets "a"
    assert limiter.allow("a", now=4) is True


def test_a_new_day_brings_a_new_key_and_forgets_every_count() -> None:
    limiter = SubmissionLimiter(limit=1)
    assert limiter.allow(ADDRESS, now=0) is True
    old_key, old_client = limiter.key, limiter._client(ADDRESS)
    limiter.key_day -= 1  # as if the process had been running since yesterday
    assert limiter.allow(ADDRESS, now=1) is True
    assert limiter.key != old_key and limiter._client(ADDRESS) != old_client
    assert list(limiter.seen) == [limiter._client(ADDRESS)]


def test_without_now_the_monotonic_clock_is_used() -> None:
    limiter = SubmissionLimiter(limit=1)
    assert limiter.allow(ADDRESS) is True
    assert limiter.allow(ADDRESS) is False
