"""Partners' feedback: the kind of organisation and two answers, kept through the feedback comment path."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from testing.forms import ARRIVE, form_token
from web.launch.partner_feedback import comment_of
from web.shell.site import site_of_app
from web.storage.tables import feedback_comments, figures

SAME_ORIGIN = {**ARRIVE, "sec-fetch-site": "same-origin"}


def send(client: TestClient, lang: str = "en", **data: str):  # type: ignore[no-untyped-def]
    token = form_token(client.get(f"/{lang}/partners/feedback"))
    return client.post(
        f"/{lang}/partners/feedback", data={"token": token, **data}, headers=SAME_ORIGIN, follow_redirects=False
    )


def stored(client: TestClient) -> tuple[list[tuple[str, str, int]], list[tuple[str, str]]]:
    with site_of_app(client.app).engine.connect() as connection:
        counts = [(row.metric, row.key, row.count) for row in connection.execute(select(figures))]
        comments = [(row.page, row.comment) for row in connection.execute(select(feedback_comments))]
    return counts, comments


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
def test_the_form_is_there_in_every_language(site: TestClient, lang: str) -> None:
    response = site.get(f"/{lang}/partners/feedback")
    assert response.status_code == 200 and response.template.name == "launch/partner_feedback.html"
    assert f'action="/{lang}/partners/feedback"' in response.text
    assert "set-cookie" not in response.headers


def test_feedback_is_counted_by_kind_of_organisation_and_kept_for_comms(site: TestClient) -> None:
    response = send(site, organisation="education", works="The signs page", change="Email head@school.example")
    assert response.status_code == 303 and response.headers["location"] == "/en/partners/feedback/thanks"
    assert stored(site) == (
        [("useful-yes", "/en/partners/feedback/education", 1)],
        [("/en/partners/feedback/education", "What works: The signs page\n\nWhat to change: Email [removed]")],
    )
    assert site.get("/en/partners/feedback/thanks").status_code == 200


def test_the_comment_says_only_what_was_answered() -> None:
    assert comment_of("", "More Urdu") == "What to change: More Urdu"
    assert comment_of("Short pages", "") == "What works: Short pages"


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"organisation", "works"}),
        ({"organisation": "education"}, {"works"}),
        ({"organisation": "spies", "works": "x"}, {"organisation"}),
        ({"organisation": "other", "works": "w" * 1001, "change": "c"}, {"works"}),
        ({"organisation": "other", "change": "c" * 1001}, {"change"}),
    ],
)
def test_missing_or_bad_answers_show_the_form_again_with_what_was_typed(
    site: TestClient, data: dict[str, str], fields: set[str]
) -> None:
    response = send(site, **data)
    assert response.status_code == 422
    assert response.context["errors"].keys() == fields
    for field in fields:
        assert f'href="#{field}"' in response.text
    for name in ("works", "change"):
        assert data.get(name, "") in response.text  # what was typed is kept
    assert stored(site) == ([], [])


def test_a_forged_token_is_refused(site: TestClient) -> None:
    data = {"token": "forged.1.abc", "organisation": "other", "works": "x"}
    assert site.post("/en/partners/feedback", data=data, headers=SAME_ORIGIN).status_code == 403
    assert stored(site) == ([], [])


def test_partner_feedback_shares_the_feedback_limit(site: TestClient) -> None:
    for _ in range(3):
        assert send(site, organisation="council", works="ok").status_code == 303
    response = send(site, organisation="council", works="one more")
    assert response.status_code == 429 and "one more" in response.text
