"""Signed, expiring form tokens that show a post comes from the site's own pages (web/http/form_tokens.py)."""

from __future__ import annotations

import pytest

from web.http.form_tokens import TOKEN_LIFETIME, FormToken, FormTokens

NOW = 1_700_000_000
TOKENS = FormTokens(b"a secret")


def test_a_token_the_site_issued_reads_back_fresh_with_its_nonce_and_time() -> None:
    token = TOKENS.issue("nonce-1", now=NOW)
    assert token.startswith(f"nonce-1.{NOW}.")
    assert TOKENS.read(token, now=NOW + 10) == (FormToken(nonce="nonce-1", issued_at=NOW), True)


def test_a_token_without_a_nonce_gets_a_new_random_one_each_time() -> None:
    first, _ = TOKENS.read(TOKENS.issue(now=NOW), now=NOW)
    second, _ = TOKENS.read(TOKENS.issue(now=NOW), now=NOW)
    assert first is not None and second is not None
    assert len(first.nonce) == 24 and first.nonce != second.nonce


def test_reissuing_keeps_the_nonce_so_a_retry_is_the_same_submission() -> None:
    original, _ = TOKENS.read(TOKENS.issue(now=NOW), now=NOW)
    assert original is not None
    reissued, fresh = TOKENS.read(TOKENS.issue(original.nonce, now=NOW + 3600), now=NOW + 3600)
    assert reissued == FormToken(nonce=original.nonce, issued_at=NOW + 3600) and fresh is True


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = FormTokens(b"another secret").issue("nonce-1", now=NOW)
    assert TOKENS.read(token, now=NOW) == (None, False)


@pytest.mark.parametrize("change", ["nonce-2.{t}.{s}", "nonce-1.{later}.{s}", "nonce-1.{t}.{s}x", "nonce-1.{t}"])
def test_a_token_changed_in_any_part_is_refused(change: str) -> None:
    _, issued, signature = TOKENS.issue("nonce-1", now=NOW).split(".")
    forged = change.format(t=issued, later=int(issued) + 60, s=signature)
    assert TOKENS.read(forged, now=NOW) == (None, False)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "...",
        "a.b.c.d",
        "nonce.²³.sig",
        "nonce.٣.sig",
        "nonce.-5.sig",
        "nonce..sig",
        "é.1.sig",
        "nonce.1.sïg",
        "a" * 101,
    ],
)
def test_malformed_tokens_are_refused_without_an_error(token: str) -> None:
    assert TOKENS.read(token, now=NOW) == (None, False)


def test_a_genuine_token_over_a_hundred_characters_is_refused() -> None:
    token = TOKENS.issue("n" * 70, now=NOW)
    assert len(token) > 100
    assert TOKENS.read(token, now=NOW) == (None, False)


def test_a_token_is_fresh_until_its_lifetime_is_over_and_then_stale_but_still_genuine() -> None:
    token = TOKENS.issue("nonce-1", now=NOW)
    assert TOKENS.read(token, now=NOW + TOKEN_LIFETIME)[1] is True
    stale, fresh = TOKENS.read(token, now=NOW + TOKEN_LIFETIME + 1)
    assert stale == FormToken(nonce="nonce-1", issued_at=NOW) and fresh is False


def test_a_minute_of_clock_skew_is_forgiven_but_a_token_from_further_ahead_is_not_fresh() -> None:
    token = TOKENS.issue("nonce-1", now=NOW)
    assert TOKENS.read(token, now=NOW - 60)[1] is True
    read, fresh = TOKENS.read(token, now=NOW - 61)
    assert read is not None and fresh is False


def test_the_issue_time_is_whole_seconds() -> None:
    token = TOKENS.issue("nonce-1", now=NOW + 0.9)
    assert token.split(".")[1] == str(NOW)
    assert TOKENS.read(token, now=NOW)[0] == FormToken(nonce="nonce-1", issued_at=NOW)


def test_without_now_tokens_are_issued_and_read_at_the_current_time() -> None:
    token, fresh = TOKENS.read(TOKENS.issue("nonce-1"))
    assert token is not None and token.nonce == "nonce-1" and fresh is True


def test_a_purposes_tokens_have_their_own_key_and_read_with_their_own_lifetime() -> None:
    exported = TOKENS.for_purpose("exported-page")
    token = exported.issue("page", now=NOW)
    assert TOKENS.read(token, now=NOW) == (None, False)
    assert exported.read(TOKENS.issue("page", now=NOW), now=NOW) == (None, False)
    assert exported.read(token, now=NOW + TOKEN_LIFETIME + 1) == (FormToken("page", NOW), False)
    assert exported.read(token, now=NOW + 30 * 86400, lifetime=31 * 86400) == (FormToken("page", NOW), True)
