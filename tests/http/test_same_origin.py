"""Whether a post comes from the site's own pages, by what the browser says (web/http/same_origin.py)."""

from __future__ import annotations

import pytest
from starlette.datastructures import Headers

from web.http.same_origin import is_same_origin

HOST = "actearly.test"


def same_origin(**headers: str) -> bool:
    return is_same_origin(Headers(headers={name.replace("_", "-"): value for name, value in headers.items()}), HOST)


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_a_browser_that_says_the_post_is_from_this_site_or_typed_in_passes(site: str) -> None:
    assert same_origin(sec_fetch_site=site) is True


@pytest.mark.parametrize("site", ["cross-site", "same-site", "", "SAME-ORIGIN"])
def test_a_browser_that_says_the_post_is_from_anywhere_else_is_refused(site: str) -> None:
    assert same_origin(sec_fetch_site=site) is False


def test_sec_fetch_site_is_believed_over_the_origin_header() -> None:
    assert same_origin(sec_fetch_site="cross-site", origin=f"https://{HOST}") is False
    assert same_origin(sec_fetch_site="same-origin", origin="https://evil.example") is True


def test_an_origin_of_this_host_passes_whatever_its_scheme() -> None:
    assert same_origin(origin=f"https://{HOST}") is True
    assert same_origin(origin=f"http://{HOST}") is True


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", f"https://{HOST}.evil.example", f"https://sub.{HOST}", f"https://{HOST}:8443", "null"],
)
def test_an_origin_of_another_site_or_an_opaque_one_is_refused(origin: str) -> None:
    assert same_origin(origin=origin) is False


def test_the_port_is_part_of_the_host_it_is_compared_with() -> None:
    headers = Headers(headers={"origin": "http://localhost:8000"})
    assert is_same_origin(headers, "localhost:8000") is True
    assert is_same_origin(headers, "localhost") is False


def test_a_client_that_sends_neither_header_passes_here_and_relies_on_its_form_token() -> None:
    assert is_same_origin(Headers(headers={}), HOST) is True
    assert same_origin(referer="https://evil.example/") is True  # the Referer is not consulted
