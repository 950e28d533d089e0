from __future__ import annotations

import gzip

import brotli
import pytest
from starlette.testclient import TestClient

from web.http.cache import SENT_ONCE_LEVELS, choose_encoding, compress, etag_matches


def test_pages_are_compressed_with_brotli_when_asked(client: TestClient) -> None:
    response = client.get("/en/signs-to-spot", headers={"Accept-Encoding": "br"})
    assert response.headers["content-encoding"] == "br"
    assert "Accept-Encoding" in response.headers["vary"]
    assert "Signs to spot" in response.text


def test_pages_are_not_compressed_when_the_client_cannot_decode(client: TestClient) -> None:
    response = client.get("/en/signs-to-spot", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)


def test_a_page_answers_304_when_its_etag_still_matches(client: TestClient) -> None:
    first = client.get("/en/get-help")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    second = client.get("/en/get-help", headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.content == b""
    # The same representation in another encoding shares the validator.
    third = client.get("/en/get-help", headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert third.status_code == 304


def test_a_changed_etag_gets_the_full_page(client: TestClient) -> None:
    assert client.get("/en/get-help", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_choose_encoding_prefers_brotli_then_gzip() -> None:
    assert choose_encoding("gzip, deflate, br") == "br"
    assert choose_encoding("gzip") == "gzip"
    assert choose_encoding("") is None


def test_an_encoding_refused_with_q_0_is_not_chosen() -> None:
    assert choose_encoding("br;q=0, gzip") == "gzip"
    assert choose_encoding("br; q=0.0, gzip;q=0") is None
    assert choose_encoding("gzip;q=0.5, br;q=0.1") == "br"  # both accepted: the smaller answer
    assert choose_encoding("br;q=nonsense, gzip") == "gzip"


def test_etag_matching_ignores_weakness_and_encoding_suffix() -> None:
    assert etag_matches('W/"abc-br"', "abc")
    assert etag_matches('"x", "abc-gzip"', "abc")
    assert not etag_matches('"abd"', "abc")


def test_a_no_store_page_never_answers_304(client: TestClient) -> None:
    """A form page is never kept, so it is never revalidated: no ETag, and If-None-Match: * gets the page."""
    page = client.get("/en/share-a-concern/questions")
    assert "no-store" in page.headers["cache-control"] and "etag" not in page.headers
    again = client.get("/en/share-a-concern/questions", headers={"If-None-Match": "*"})
    assert again.status_code == 200 and "<h1" in again.text


# Answers never kept (search, forms) are compressed cheaply at each request; pages kept, hard and once
# (issue 15, item 8: a search page at brotli 11 took 25.7 ms of CPU on the event loop, 5.3 ms sent as it is).


def sent_and_plain(client: TestClient, url: str, encoding: str, **headers: str) -> tuple[bytes, bytes]:
    """The bytes of an answer as they were sent in `encoding`, and the same bytes decompressed."""
    with client.stream("GET", url, headers={**headers, "Accept-Encoding": encoding}) as response:
        assert response.headers["content-encoding"] == encoding
        sent = b"".join(response.iter_raw())
    return sent, brotli.decompress(sent) if encoding == "br" else gzip.decompress(sent)


@pytest.mark.parametrize("htmx", [{}, {"HX-Request": "true", "HX-Request-Type": "partial"}])
def test_a_search_answer_is_compressed_cheaply_because_nobody_keeps_it(
    client: TestClient, htmx: dict[str, str]
) -> None:
    sent, plain = sent_and_plain(client, "/en/search?q=signs", "br", **htmx)
    assert sent == brotli.compress(plain, quality=SENT_ONCE_LEVELS["br"]) != brotli.compress(plain, quality=11)
    sent, plain = sent_and_plain(client, "/en/search?q=signs", "gzip", **htmx)
    assert sent == gzip.compress(plain, compresslevel=SENT_ONCE_LEVELS["gzip"], mtime=0)


def test_a_form_page_is_compressed_cheaply_too(client: TestClient) -> None:
    sent, plain = sent_and_plain(client, "/en/share-a-concern/questions", "br")
    assert b"<form" in plain and sent == brotli.compress(plain, quality=SENT_ONCE_LEVELS["br"])


def test_a_page_that_is_kept_is_compressed_hard_once(client: TestClient) -> None:
    sent, plain = sent_and_plain(client, "/en/signs-to-spot", "br")
    assert sent == brotli.compress(plain, quality=11)
    sent, plain = sent_and_plain(client, "/en/signs-to-spot", "gzip")
    assert sent == gzip.compress(plain, compresslevel=9, mtime=0)


def test_compress_levels_follow_whether_the_result_is_kept() -> None:
    body = b"<p>search answer</p>" * 200
    assert compress(body, "br", kept=True) == brotli.compress(body, quality=11)
    assert compress(body, "br", kept=False) == brotli.compress(body, quality=5)
    assert gzip.decompress(compress(body, "gzip", kept=False)) == body
