"""“Is this page useful?”: a form without JavaScript or cookies, guarded, limited, and storing nothing personal."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from testing.forms import ARRIVE, form_token
from testing.settings import change_site
from web.app import create_app
from web.http.forms import remove_personal_details
from web.http.limits import SubmissionLimiter
from web.public import feedback
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage.tables import feedback_comments, figures

SAME_ORIGIN = {**ARRIVE, "sec-fetch-site": "same-origin"}


@pytest.fixture
def site(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    change_site(app, feedback_limiter=SubmissionLimiter(3))
    with TestClient(app) as client:
        yield client


def send(client: TestClient, useful: str = "yes", comment: str = "", page: str = "signs-to-spot", lang: str = "en"):  # type: ignore[no-untyped-def]
    token = form_token(client.get(f"/{lang}/{page}"))
    data = {"token": token, "page": page, "useful": useful, "comment": comment}
    return client.post(f"/{lang}/feedback", data=data, headers=SAME_ORIGIN, follow_redirects=False)


def stored(client: TestClient) -> tuple[list[tuple[str, str, int]], list[tuple[object, ...]]]:
    engine = site_of_app(client.app).engine
    with engine.connect() as connection:
        counts = [(row.metric, row.key, row.count) for row in connection.execute(select(figures))]
        comments = [tuple(row) for row in connection.execute(select(feedback_comments))]
    return counts, comments


def test_every_advice_page_asks_whether_it_is_useful(site: TestClient) -> None:
    for path in ("/en/signs-to-spot", "/en/get-help", "/cy/signs-to-spot"):
        page = site.get(path).text
        assert 'action="/' + path.split("/")[1] + '/feedback"' in page, path
        assert 'name="useful" value="yes"' in page and 'name="useful" value="no"' in page
        assert "personal details" in page or path.startswith("/cy")


def test_the_advice_page_stays_cacheable_with_the_form_on_it(site: TestClient) -> None:
    first = site.get("/en/signs-to-spot")
    second = site.get("/en/signs-to-spot", headers={"if-none-match": first.headers["etag"]})
    assert second.status_code == 304


def test_yes_with_a_comment_is_stored_with_page_language_and_day_only(site: TestClient) -> None:
    response = send(site, "yes", "Clear advice, thanks. Email me at sam@example.com or 07700 900982.")
    assert response.status_code == 303
    assert response.headers["location"] == "/en/feedback/thanks?page=signs-to-spot"
    assert "set-cookie" not in response.headers
    counts, comments = stored(site)
    assert counts == [("useful-yes", "/en/signs-to-spot", 1)]
    (row,) = comments
    assert row[1:] == (
        dt.datetime.now(dt.UTC).date(),
        "en",
        "/en/signs-to-spot",
        True,
        "Clear advice, thanks. Email me at [removed] or [removed].",
    )


def test_the_thanks_page_links_back_to_the_page(site: TestClient) -> None:
    response = site.get("/en/feedback/thanks?page=signs-to-spot")
    assert response.status_code == 200
    assert response.template.name == "feedback/thanks.html"
    assert response.context["back_url"] == "/en/signs-to-spot"
    assert 'href="/en/signs-to-spot"' in response.text and "set-cookie" not in response.headers


def test_no_without_a_comment_counts_a_no_and_stores_no_comment(site: TestClient) -> None:
    assert send(site, "no").status_code == 303
    assert stored(site) == ([("useful-no", "/en/signs-to-spot", 1)], [])


def test_a_comment_over_500_characters_shows_the_form_again_with_an_error(site: TestClient) -> None:
    response = send(site, "no", "x" * 501)
    assert response.status_code == 422
    assert response.context["state"] == "problem" and response.context["field"] == "comment"
    assert 'href="#feedback-comment"' in response.text and "x" * 501 in response.text
    assert stored(site) == ([], [])


def test_an_expired_token_shows_the_form_again(site: TestClient) -> None:
    tokens = site_of_app(site.app).feedback_tokens
    old = feedback.current_token(tokens, now=time.time() - 5 * 3600)
    data = {"token": old, "page": "signs-to-spot", "useful": "yes"}
    response = site.post("/en/feedback", data=data, headers=SAME_ORIGIN)
    assert response.status_code == 422 and response.context["state"] == "problem"
    assert stored(site) == ([], [])


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"token": "forged.1.abc"}, 403),
        ({"token": ""}, 403),
        ({"page": "no-such-page"}, 400),
        ({"useful": "maybe"}, 400),
    ],
)
def test_a_forged_or_malformed_post_is_refused(site: TestClient, change: dict[str, str], status: int) -> None:
    token = form_token(site.get("/en/signs-to-spot"))
    data = {"token": token, "page": "signs-to-spot", "useful": "yes", **change}
    assert site.post("/en/feedback", data=data, headers=SAME_ORIGIN).status_code == status
    assert stored(site) == ([], [])


def test_a_post_from_another_site_is_refused(site: TestClient) -> None:
    token = form_token(site.get("/en/signs-to-spot"))
    data = {"token": token, "page": "signs-to-spot", "useful": "yes"}
    response = site.post("/en/feedback", data=data, headers={"sec-fetch-site": "cross-site"})
    assert response.status_code == 403


def test_a_concern_form_token_is_not_a_feedback_token(site: TestClient) -> None:
    concern_token = form_token(site.get("/en/share-a-concern/questions"))
    data = {"token": concern_token, "page": "signs-to-spot", "useful": "yes"}
    assert site.post("/en/feedback", data=data, headers=SAME_ORIGIN).status_code == 403


def test_too_much_feedback_from_one_client_gets_a_clear_429_page(site: TestClient) -> None:
    for _ in range(3):
        assert send(site).status_code == 303
    response = send(site)
    assert response.status_code == 429
    assert response.context["state"] == "too-many"
    assert "Wait an hour" in response.text and 'href="/en/signs-to-spot"' in response.text
    assert stored(site)[0] == [("useful-yes", "/en/signs-to-spot", 3)]


def test_welsh_feedback_is_stored_against_the_welsh_page(site: TestClient) -> None:
    assert send(site, "yes", lang="cy").headers["location"] == "/cy/feedback/thanks?page=signs-to-spot"
    assert stored(site)[0] == [("useful-yes", "/cy/signs-to-spot", 1)]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("mail sam.jones+x@example.co.uk now", "mail [removed] now"),
        ("call +44 (0)7700 900-982 today", "call [removed] today"),
        ("ring 0800 011 3764", "ring [removed]"),
        ("999 in an emergency, or 101", "999 in an emergency, or 101"),
        ("page 12 of 2026", "page 12 of 2026"),
        ("ایمیل user@example.com", "ایمیل [removed]"),
    ],
)
def test_email_addresses_and_phone_numbers_are_removed(written: str, kept: str) -> None:
    assert remove_personal_details(written) == kept


def test_the_token_is_the_same_within_an_hour_and_different_the_next(site: TestClient) -> None:
    tokens = site_of_app(site.app).feedback_tokens
    hour = 1_800_000_000 - 1_800_000_000 % 3600
    assert feedback.current_token(tokens, now=hour + 5) == feedback.current_token(tokens, now=hour + 3599)
    assert feedback.current_token(tokens, now=hour + 3600) != feedback.current_token(tokens, now=hour)
    assert re.fullmatch(r"feedback\.\d+\.[A-Za-z0-9_-]+", feedback.current_token(tokens))
