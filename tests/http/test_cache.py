from __future__ import annotations

from starlette.testclient import TestClient

from web.http.cache import choose_encoding, etag_matches


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
