"""The move from "Let's Talk About It" (web/http/redirects.py, content/redirects.yaml)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from web.app import create_app
from web.content import load_library
from web.http.redirects import (
    RedirectsFileError,
    load_redirects,
    normalise,
)
from web.settings import ROOT, Settings

REDIRECTS = load_redirects()
ENTRIES = sorted(REDIRECTS.pages.items()) + sorted(
    (f"{old}/an-old-article", new) for old, new in REDIRECTS.sections.items()
)
NOTICE = "Let’s Talk About It has moved to ACT Early"


@pytest.fixture(scope="module")
def shared_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the hundred entries below: building one per test would take most of the time."""
    database = tmp_path_factory.mktemp("redirects") / "test.sqlite3"
    settings = Settings(database_url=f"sqlite:///{database}", public_base_url="https://actearly.test")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(("old", "new"), ENTRIES)
def test_every_old_address_answers_301_to_a_page_that_exists(shared_client: TestClient, old: str, new: str) -> None:
    response = shared_client.get(f"/ltai{old}", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"{new}?from=ltai"
    landed = shared_client.get(response.headers["location"])
    assert landed.status_code == 200, f"{old} -> {new}"


def test_every_target_is_a_page_of_the_site() -> None:
    library = load_library(ROOT / "content")
    for target in REDIRECTS.targets():
        slug = target.removeprefix("/en/") or "home"
        assert library.get("en", slug) is not None, target


@pytest.mark.parametrize("host", ["www.ltai.info", "ltai.info", "LTAI.info:443"])
def test_the_old_host_names_redirect_to_this_site(client: TestClient, host: str) -> None:
    response = client.get("/what-is-channel/", headers={"host": host}, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "https://actearly.test/en/what-is-channel?from=ltai"
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert "content-security-policy" in response.headers


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/What-Is-Prevent/", "/en/what-is-prevent"),
        ("/what-is-prevent.html", "/en/what-is-prevent"),
        ("/index.php", "/en/"),
        ("/news/2019/05/an-article", "/en/"),
        ("/case-studies/sams-story", "/en/stories"),
        ("/faqs/what-is-prevent", "/en/faq"),
    ],
)
def test_old_addresses_match_whatever_case_ending_or_depth_they_come_with(
    client: TestClient, old: str, new: str
) -> None:
    response = client.get(old, headers={"host": "www.ltai.info"}, follow_redirects=False)
    assert response.headers["location"] == f"https://actearly.test{new}?from=ltai"


@pytest.mark.parametrize("old", ["/no-such-page", "/wp-login.php", "/ltai", "/a/b/c?x=1"])
def test_an_unknown_old_address_lands_on_the_home_page_with_the_notice(client: TestClient, old: str) -> None:
    response = client.get(f"/ltai{old}" if old != "/ltai" else old, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, "/en/?from=ltai")
    landed = client.get(response.headers["location"])
    assert landed.status_code == 200
    assert NOTICE in landed.text
    assert 'class="govuk-notification-banner" role="region" aria-labelledby="ltai-notice-title"' in landed.text


def test_the_notice_is_shown_once_because_nothing_on_the_page_carries_the_parameter(client: TestClient) -> None:
    landed = client.get("/ltai/spotting-the-signs")
    assert str(landed.url).endswith("/en/signs-to-spot?from=ltai")
    assert landed.context["ltai_notice"] is True
    assert NOTICE in landed.text
    assert "from=ltai" not in landed.text
    links = re.findall(r'(?:href|action)="([^"]*)"', landed.text)
    assert '<link rel="canonical" href="/en/signs-to-spot">' in landed.text
    assert links and not any("from=" in link for link in links)
    again = client.get("/en/signs-to-spot")
    assert NOTICE not in again.text
    assert again.context["ltai_notice"] is False
    assert "set-cookie" not in landed.headers


def test_this_sites_own_addresses_are_left_alone(client: TestClient) -> None:
    assert client.get("/en/what-is-prevent", follow_redirects=False).status_code == 200
    assert client.get("/ltaiwhatever", follow_redirects=False).status_code == 404


def test_an_old_address_landing_never_errors_even_as_a_post(client: TestClient) -> None:
    response = client.post("/contact-us", headers={"host": "ltai.info"}, follow_redirects=False)
    assert response.status_code == 301


def test_normalise_writes_old_addresses_as_the_map_does() -> None:
    assert normalise("/") == "/"
    assert normalise("/index.html") == "/"
    assert normalise("/FAQs/") == "/faqs"
    assert normalise("/news/index.php") == "/news"


@pytest.mark.parametrize(
    "body",
    ["pages:\n  /What-Is-Prevent: /en/what-is-prevent\n", "pages:\n  /prevent: https://example.com/\n"],
)
def test_a_badly_written_redirects_file_is_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "redirects.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RedirectsFileError):
        load_redirects(path)
