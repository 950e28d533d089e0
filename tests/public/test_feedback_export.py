"""“Is this page useful?” on an exported page (issue 19, item 13): the page is served unchanged for as long as
the export is, so its form carries a token for that page alone that lasts as long, and the hour's token of
the pages the app renders still expires as before."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from starlette.testclient import TestClient

from testing.forms import ARRIVE
from web.app import create_app
from web.http import form_tokens
from web.public import feedback
from web.settings import Settings
from web.shell.site import site_of_app

SAME_ORIGIN = {**ARRIVE, "sec-fetch-site": "same-origin"}
DAY = 24 * 3600


@pytest.fixture
def site(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The tokens' clock, `seconds` on from now (the rest of the process keeps the real one)."""
    real = time.time
    monkeypatch.setattr(form_tokens, "time", SimpleNamespace(time=lambda: real() + seconds))


def exported_token(client: TestClient, path: str = "/en/signs-to-spot") -> str:
    """The token of the page's form once the export has given it an exported page's token."""
    tokens = site_of_app(client.app).feedback_tokens
    html = feedback.with_export_tokens(client.get(path).content, tokens)
    match = feedback.FORM.search(html)
    assert match is not None
    return match["token"].decode()


def post(client: TestClient, token: str, page: str = "signs-to-spot", lang: str = "en") -> int:
    data = {"token": token, "page": page, "useful": "yes"}
    return client.post(f"/{lang}/feedback", data=data, headers=SAME_ORIGIN, follow_redirects=False).status_code


@pytest.mark.parametrize("days_after_export", [0, 1, 30, 399])
def test_an_exported_pages_feedback_is_taken_long_after_the_export(
    site: TestClient, monkeypatch: pytest.MonkeyPatch, days_after_export: int
) -> None:
    token = exported_token(site)
    later(monkeypatch, days_after_export * DAY + 5 * 3600)
    assert post(site, token) == 303


def test_an_exported_pages_token_is_for_that_page_alone(site: TestClient) -> None:
    token = exported_token(site)
    assert post(site, token, page="get-help") == 403
    assert post(site, token, page="signs-to-spot", lang="cy") == 403


def test_an_export_older_than_its_tokens_lifetime_gets_the_expired_page_message(
    site: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = exported_token(site)
    later(monkeypatch, feedback.EXPORT_TOKEN_LIFETIME + 3600)
    assert post(site, token) == 422


def test_the_app_rendered_pages_token_still_expires_after_four_hours(
    site: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = feedback.current_token(site_of_app(site.app).feedback_tokens)
    later(monkeypatch, 5 * 3600)
    assert post(site, token) == 422


def test_an_exported_pages_token_is_no_other_forms_token(site: TestClient) -> None:
    token = exported_token(site)
    tokens = site_of_app(site.app).feedback_tokens
    assert tokens.read(token)[0] is None  # the launch forms' and the hour's reader refuse it
    assert site_of_app(site.app).form_tokens.read(token)[0] is None  # and so does the concern form's


def test_every_feedback_form_on_an_exported_page_gets_its_pages_token(site: TestClient) -> None:
    for path, slug in (("/en/get-help", "get-help"), ("/cy/signs-to-spot", "signs-to-spot")):
        html = feedback.with_export_tokens(site.get(path).content, site_of_app(site.app).feedback_tokens)
        assert b'value="feedback.' not in html, path
        match = feedback.FORM.search(html)
        assert match is not None and match["page"].decode() == slug
