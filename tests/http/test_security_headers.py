from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from web.http.security_headers import HEADERS, content_security_policy
from web.shell.critical import STYLES_HEADER, style_hash
from web.shell.site import site_of_app

PATHS = ["/", "/en/signs-to-spot", "/en/missing", "/sitemap.xml", "/robots.txt", "/healthz", "/exit"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    for name, value in HEADERS.items():
        sent = response.headers.get(name)
        if name == "content-security-policy":  # a page's own inline CSS is allowed by its hash (ADR 22)
            sent = re.sub(r" 'sha256-[A-Za-z0-9+/]+=*'", "", sent or "")
        assert sent == value, f"{path}: {name}"


def test_assets_carry_the_security_headers_too(client: TestClient) -> None:
    css = site_of_app(client.app).assets.url("app.css")
    response = client.get(css)
    assert response.headers["content-security-policy"] == HEADERS["content-security-policy"]


def test_the_policy_allows_no_inline_script_or_style_and_no_framing() -> None:
    policy = HEADERS["content-security-policy"]
    assert "'unsafe-inline'" not in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert HEADERS["referrer-policy"] == "no-referrer"


def test_https_sites_also_send_strict_transport_security(client: TestClient) -> None:
    # The test settings use an https public address.
    assert "max-age=" in client.get("/").headers["strict-transport-security"]


@pytest.mark.parametrize("path", PATHS)
def test_no_response_sets_a_cookie(client: TestClient, path: str) -> None:
    assert "set-cookie" not in client.get(path, follow_redirects=False).headers


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    worker = {STYLES_HEADER: site_of_app(client.app).assets.manifest["app.css"]}
    text = client.get("/en/signs-to-spot", headers=worker).text
    assert "<script>" not in text and "<style" not in text and " style=" not in text
    assert 'src="http' not in text


def test_a_pages_inline_css_is_allowed_by_its_hash_alone(client: TestClient) -> None:
    response = client.get("/en/signs-to-spot")
    text = response.text
    assert text.count("<style>") == 1 and "<script>" not in text and " style=" not in text
    css = text.split("<style>")[1].split("</style>")[0]
    assert response.headers["content-security-policy"] == content_security_policy(style_hashes=(style_hash(css),))
    assert "style-src 'self' 'sha256-" in response.headers["content-security-policy"]
