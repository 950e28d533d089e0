"""The partners' page: what changes, every old address's new one, and the checker, without JavaScript."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from testing.forms import ARRIVE, form_token
from web.http.redirects import load_redirects
from web.launch.partners import checker_token
from web.shell.site import site_of_app

SAME_ORIGIN = {**ARRIVE, "sec-fetch-site": "same-origin"}


def check(client: TestClient, links: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    token = form_token(client.get(f"/{lang}/partners"))
    return client.post(f"/{lang}/partners", data={"token": token, "links": links}, headers=SAME_ORIGIN)


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
def test_the_page_lists_every_old_address_in_every_language(site: TestClient, lang: str) -> None:
    response = site.get(f"/{lang}/partners")
    assert response.status_code == 200 and response.template.name == "launch/partners.html"
    redirects = load_redirects()
    assert len(response.context["addresses"]) == len(redirects.pages) + len(redirects.sections)
    assert "ltai.info/what-is-prevent" in response.text
    assert f'href="https://actearly.test{redirects.pages["/what-is-prevent"]}"' in response.text
    assert f'action="/{lang}/partners#results"' in response.text and 'method="post"' in response.text


def test_checking_pasted_html_gives_each_new_address_on_the_page(site: TestClient) -> None:
    pasted = '<a href="https://www.ltai.info/what-is-prevent">Prevent</a> <a href="http://ltai.info/nothing-here">x</a>'
    response = check(site, pasted)
    assert response.status_code == 200
    results = response.context["results"]
    assert [(r.old, r.new_path) for r in results] == [
        ("ltai.info/what-is-prevent", load_redirects().target("/what-is-prevent")),
        ("ltai.info/nothing-here", "/en/"),
    ]
    assert 'id="results"' in response.text and "We found 2 Let’s Talk About It addresses." in response.text
    assert "We have no page for this address" in response.text
    assert response.headers["cache-control"] == "no-store" and "set-cookie" not in response.headers


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ("", "Enter the Let’s Talk About It links or addresses to check"),
        ("https://example.com/page", "We could not find a Let’s Talk About It address"),
        ("x" * 20_001, "Enter 20,000 characters or fewer"),
        ("\n".join(f"ltai.info/p{n}" for n in range(101)), "Enter 100 addresses or fewer"),
    ],
)
def test_nothing_to_check_gets_an_error_summary_and_keeps_what_was_pasted(
    site: TestClient, links: str, message: str
) -> None:
    response = check(site, links)
    assert response.status_code == 422
    assert response.text.count(message) == 2  # in the summary and above the field
    assert 'href="#links"' in response.text and "<title>Error:" in response.text
    assert links[:200] in response.text


@pytest.mark.parametrize(
    "body",
    [b"links=%FF%FE", b"links=a&links=b", b"\x00\x01", b"links=" + b"%00" * 10],
)
def test_malformed_posts_never_give_a_500(site: TestClient, body: bytes) -> None:
    token = form_token(site.get("/en/partners")).encode()
    headers = {**SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded"}
    response = site.post("/en/partners", content=b"token=" + token + b"&" + body, headers=headers)
    assert response.status_code in (200, 400, 422)


def test_a_body_over_the_limit_is_refused_with_the_413_page(site: TestClient) -> None:
    response = check(site, "ltai.info/x " * 10_000)
    assert response.status_code == 413


def test_the_welsh_checker_answers_in_welsh_pages_shell(site: TestClient) -> None:
    response = check(site, "ltai.info/channel", lang="cy")
    assert response.status_code == 200 and '<html lang="cy"' in response.text


def test_a_form_with_too_many_fields_is_a_400_not_a_500(site: TestClient) -> None:
    body = b"&".join(b"f%d=1" % n for n in range(50))
    headers = {**SAME_ORIGIN, "content-type": "application/x-www-form-urlencoded"}
    response = site.post("/en/partners", content=body, headers=headers)
    assert response.status_code == 400


def test_the_checker_refuses_a_forged_token_and_another_sites_post(site: TestClient) -> None:
    assert site.post("/en/partners", data={"links": "ltai.info/x"}, headers=SAME_ORIGIN).status_code == 403
    concern_token = form_token(site.get("/en/share-a-concern/questions"))
    data = {"token": concern_token, "links": "ltai.info/x"}
    assert site.post("/en/partners", data=data, headers=SAME_ORIGIN).status_code == 403
    data = {"token": form_token(site.get("/en/partners")), "links": "ltai.info/x"}
    assert site.post("/en/partners", data=data, headers={"sec-fetch-site": "cross-site"}).status_code == 403


def test_an_expired_checker_page_asks_again_and_keeps_the_links(site: TestClient) -> None:
    old = checker_token(site_of_app(site.app).feedback_tokens, now=1_000_000)
    response = site.post("/en/partners", data={"token": old, "links": "ltai.info/kept"}, headers=SAME_ORIGIN)
    assert response.status_code == 422 and "ltai.info/kept" in response.text
    assert "This page was open for a long time" in response.text


def test_the_checker_token_is_the_same_all_hour_so_the_page_stays_cacheable(site: TestClient) -> None:
    tokens = site_of_app(site.app).feedback_tokens
    hour = 1_800_000_000 - 1_800_000_000 % 3600
    assert checker_token(tokens, now=hour + 1) == checker_token(tokens, now=hour + 3599)
    first = site.get("/en/partners")
    assert first.headers["cache-control"] == "public, max-age=3600"
    assert site.get("/en/partners", headers={"if-none-match": first.headers["etag"]}).status_code == 304


def test_both_address_tables_share_their_headings_and_a_section_says_so(site: TestClient) -> None:
    response = check(site, "ltai.info/news/2019/an-article\nltai.info/what-is-prevent")
    assert response.text.count('<th scope="col" class="govuk-table__header">Old address</th>') == 2
    assert response.text.count("The page for the part of Let’s Talk About It this address was in.") == 1
    assert "We have no page for this address" not in response.text
