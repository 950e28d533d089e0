"""“What did you think of this site?”: five answers and a comment, kept as daily totals and a screened comment."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from testing.forms import ARRIVE, form_token
from web.shell.site import site_of_app
from web.storage.tables import feedback_comments, figures

SAME_ORIGIN = {**ARRIVE, "sec-fetch-site": "same-origin"}


def send(client: TestClient, lang: str = "en", **data: str):  # type: ignore[no-untyped-def]
    token = form_token(client.get(f"/{lang}/what-did-you-think"))
    body = {"token": token, **data}
    return client.post(f"/{lang}/what-did-you-think", data=body, headers=SAME_ORIGIN, follow_redirects=False)


def stored(client: TestClient) -> tuple[list[tuple[str, str, int]], list[tuple[object, ...]]]:
    with site_of_app(client.app).engine.connect() as connection:
        counts = [(row.metric, row.key, row.count) for row in connection.execute(select(figures))]
        comments = [tuple(row)[1:] for row in connection.execute(select(feedback_comments))]
    return counts, comments


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
def test_the_form_is_there_in_every_language_without_a_cookie(site: TestClient, lang: str) -> None:
    response = site.get(f"/{lang}/what-did-you-think")
    assert response.status_code == 200
    assert response.template.name == "launch/satisfaction.html"
    assert f'action="/{lang}/what-did-you-think"' in response.text
    assert response.text.count('name="answer"') == 5
    assert "set-cookie" not in response.headers and response.headers["cache-control"] == "no-store"


def test_an_answer_with_a_comment_is_one_count_and_one_screened_comment(site: TestClient) -> None:
    response = send(site, answer="satisfied", comment="Clear. Call me on 07700 900982 or sam@example.com")
    assert response.status_code == 303
    assert response.headers["location"] == "/en/what-did-you-think/thanks"
    assert "set-cookie" not in response.headers
    today = dt.datetime.now(dt.UTC).date()
    assert stored(site) == (
        [("useful-yes", "/en/what-did-you-think/satisfied/footer", 1)],
        [(today, "en", "/en/what-did-you-think/satisfied/footer", True, "Clear. Call me on [removed] or [removed]")],
    )
    assert site.get("/en/what-did-you-think/thanks").status_code == 200


def test_an_answer_without_a_comment_is_counted_alone(site: TestClient) -> None:
    assert send(site, "cy", answer="very-dissatisfied").status_code == 303
    assert stored(site) == ([("useful-no", "/cy/what-did-you-think/very-dissatisfied/footer", 1)], [])


@pytest.mark.parametrize("answer", ["", "very-happy", "satisfied'--"])
def test_no_answer_or_a_made_up_one_shows_the_form_again_with_the_comment_kept(site: TestClient, answer: str) -> None:
    response = send(site, answer=answer, comment="I lost nothing")
    assert response.status_code == 422
    assert response.context["errors"].keys() == {"answer"}
    assert 'href="#answer"' in response.text and "I lost nothing" in response.text
    assert response.text.count("Select how you feel about this site") == 2  # the summary and the field
    assert "<title>Error:" in response.text
    assert stored(site) == ([], [])


def test_a_long_comment_is_refused_and_kept(site: TestClient) -> None:
    response = send(site, answer="neither", comment="y" * 1001)
    assert response.status_code == 422
    assert response.context["errors"].keys() == {"comment"}
    assert "y" * 1001 in response.text and 'value="neither" checked' in response.text
    assert stored(site) == ([], [])


def test_an_expired_form_asks_again_and_keeps_the_answers(site: TestClient) -> None:
    old = site_of_app(site.app).feedback_tokens.issue(now=time.time() - 5 * 3600)
    data = {"token": old, "answer": "satisfied", "comment": "kept"}
    response = site.post("/en/what-did-you-think", data=data, headers=SAME_ORIGIN)
    assert response.status_code == 422 and "form" in response.context["errors"]
    assert "kept" in response.text
    assert stored(site) == ([], [])


@pytest.mark.parametrize("headers", [SAME_ORIGIN, {"sec-fetch-site": "cross-site"}])
def test_a_forged_token_or_another_sites_post_is_refused(site: TestClient, headers: dict[str, str]) -> None:
    token = "forged.1.abc" if headers is SAME_ORIGIN else form_token(site.get("/en/what-did-you-think"))
    response = site.post("/en/what-did-you-think", data={"token": token, "answer": "satisfied"}, headers=headers)
    assert response.status_code == 403
    assert stored(site) == ([], [])


def test_too_many_answers_from_one_client_get_a_clear_429(site: TestClient) -> None:
    for _ in range(3):
        assert send(site, answer="satisfied").status_code == 303
    response = send(site, answer="satisfied", comment="still here")
    assert response.status_code == 429
    assert "Wait an hour" in response.text and "still here" in response.text
    assert stored(site)[0] == [("useful-yes", "/en/what-did-you-think/satisfied/footer", 3)]


def test_an_unknown_language_is_not_found(site: TestClient) -> None:
    assert site.get("/xx/what-did-you-think").status_code == 404


def test_the_footer_of_every_page_asks(site: TestClient) -> None:
    for path in ("/en/", "/cy/signs-to-spot", "/en/partners"):
        lang = path.split("/")[1]
        assert f'href="/{lang}/what-did-you-think"' in site.get(path).text, path


def test_the_link_after_a_concern_asks_in_the_readers_language(site: TestClient) -> None:
    template = site_of_app(site.app).templates.get_template("launch/_satisfaction_link.html")
    assert 'href="/cy/what-did-you-think?asked=after-concern"' in template.render(lang="cy")


@pytest.mark.parametrize(
    ("link", "posted", "key"),
    [
        ("?asked=after-concern", "after-concern", "/en/what-did-you-think/neither/after-concern"),
        ("", "footer", "/en/what-did-you-think/neither/footer"),
        ("?asked=MARKER", "MARKER", "/en/what-did-you-think/neither/footer"),
    ],
)
def test_where_the_question_was_asked_is_kept_as_one_of_two_words(
    site: TestClient, link: str, posted: str, key: str
) -> None:
    page = site.get(f"/en/what-did-you-think{link}")
    assert f'name="asked" value="{"after-concern" if "after" in link else "footer"}"' in page.text
    data = {"token": form_token(page), "answer": "neither", "asked": posted}
    assert site.post("/en/what-did-you-think", data=data, headers=SAME_ORIGIN).status_code == 200  # the thanks
    assert stored(site) == ([("useful-no", key, 1)], [])
