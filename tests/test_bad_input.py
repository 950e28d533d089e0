"""Bad input (issue 9): hostile posts and queries against every form and query parameter of the public site.

testing/bad_input.py says what the requests hold and what every answer must be. Here: the sweep (each kind
of attack on each target, one at a time, about a thousand requests) and a few hundred hypothesis
examples that combine them, derandomized so that every run sends the same ones; under half a minute.
bench/fuzz.py runs ten thousand and more, and raw sockets against uvicorn. Below the properties, one
plain example for each defect the fuzzing found, so each stays fixed whatever the strategies draw.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from testing.bad_input import (
    FORMS,
    Fuzzer,
    FuzzRequest,
    InProcess,
    Outcome,
    Token,
    fuzz_app,
    fuzz_settings,
    names_read,
    routes,
    sweep,
    uncovered,
    unescaped,
)
from web.http.security_headers import HEADERS
from web.public.feedback import current_token
from web.shell.site import site_of_app
from web.storage.tables import feedback_comments

URLENCODED = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    app = fuzz_app(fuzz_settings(tmp_path_factory.mktemp("bad-input")))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Fuzzer(app, InProcess(client, app))


def fuzzing(examples: int) -> settings:
    """Stable in CI: the same examples every run (derandomize, no example database), no deadline."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


def keeps_the_property(fuzzer: Fuzzer, strategy: st.SearchStrategy[FuzzRequest], examples: int) -> None:
    @fuzzing(examples)
    @given(request=strategy)
    def answer(request: FuzzRequest) -> None:
        outcome, found = fuzzer.run(request)
        assert not found, f"{request.summary()}\n-> {outcome.status}: {found}"

    answer()


def test_every_form_and_every_path_parameter_is_fuzzed(fuzzer: Fuzzer) -> None:
    assert uncovered(fuzzer.app) == []
    assert sorted(routes(fuzzer.app, "POST")) == sorted(FORMS)


def test_query_parameters_and_headers_come_from_the_site_s_own_source() -> None:
    assert {"q", "page", "force", "lang", "from", "utm_source", "utm_campaign"} <= names_read("query")
    assert {"host", "origin", "sec-fetch-site", "hx-request", "content-length", "if-none-match"} <= names_read(
        "headers"
    )


def test_every_hostile_kind_on_every_target_gets_a_clear_page(fuzzer: Fuzzer) -> None:
    """About a thousand requests, the same every run: each kind of attack on each form and GET route."""
    failures = []
    for request in sweep(fuzzer.app):
        outcome, found = fuzzer.run(request)
        if found:
            failures.append(f"{request.summary()}\n-> {outcome.status}: {found}")
    assert not failures, "\n\n".join(failures[:5]) + f"\n\n({len(failures)} in all)"


# Hypothesis examples per form, on top of the sweep: it explores combinations of hostile kinds.
HOSTILE = {"concern_answer": 60, "callback_send": 50, "feedback_send": 50, "offline_saved_count": 20}
HOSTILE |= {"partners_check": 20, "satisfaction_send": 20, "partner_feedback_send": 20}  # web/launch/
VALID = {"concern_answer": 50, "callback_send": 20, "feedback_send": 20, "offline_saved_count": 10}
VALID |= {"partners_check": 10, "satisfaction_send": 10, "partner_feedback_send": 10}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_hostile_posts_get_a_clear_page(fuzzer: Fuzzer, form: str) -> None:
    path = routes(fuzzer.app, "POST")[form]
    keeps_the_property(fuzzer, fuzzer.targets[f"POST {path}"], HOSTILE[form])


@pytest.mark.parametrize("form", sorted(FORMS))
def test_valid_posts_with_junk_fields_are_accepted_with_nothing_lost(fuzzer: Fuzzer, form: str) -> None:
    path = routes(fuzzer.app, "POST")[form]
    keeps_the_property(fuzzer, fuzzer.targets[f"POST {path} (valid + junk)"], VALID[form])


def test_hostile_query_strings_and_paths_get_a_clear_page(fuzzer: Fuzzer) -> None:
    """Every GET route's query string, and hostile paths: one strategy of them all, any target alike."""
    targets = sorted(target for target in fuzzer.targets if not target.startswith("POST "))
    chosen = st.randoms(use_true_random=True).flatmap(lambda chance: fuzzer.targets[chance.choice(targets)])
    keeps_the_property(fuzzer, chosen, 150)


# The checks can fail -----------------------------------------------------------------------------------


async def _explode(request: Request) -> None:
    raise RuntimeError("a defect")


def test_a_server_error_breaks_the_property(fuzzer: Fuzzer) -> None:
    route = Route("/en/fuzz-explodes", _explode, methods=["GET", "POST"])
    fuzzer.app.router.routes.insert(0, route)
    try:
        _, found = fuzzer.run(FuzzRequest("test", "POST", "/en/fuzz-explodes", fields=(("a", "b"),), encoding="json"))
        _, raw = fuzzer.run(FuzzRequest("test", "GET", "/en/fuzz-explodes", query=b"q=\xff", raw=True))
    finally:
        fuzzer.app.router.routes.remove(route)
    assert "server error" in [finding.kind for finding in found]
    assert "server error" in [finding.kind for finding in raw]


def test_a_bare_rejection_and_unescaped_input_break_the_property(fuzzer: Fuzzer) -> None:
    request = FuzzRequest("test", "GET", "/")
    plain = fuzzer.check(request, fuzzer.prepare(request), Outcome(400, {"content-type": "text/plain"}, "Bad"))
    assert [finding.kind for finding in plain] == ["unclear", "headers"]
    page = '<!DOCTYPE html><html lang="en"><h1>Search</h1><p>"><svg onload=alert(1)></p></html>'
    assert [finding.kind for finding in unescaped(page, ['"><svg onload=alert(1)>'])] == ["unescaped"] * 2
    assert unescaped(page.replace("<svg", "&lt;svg").replace('">', "&#34;&gt;"), ['"><svg onload=alert(1)>']) == []


# Defects the fuzzing found, one example each --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/en/share-a-concern", "/en/share-a-concern/callback", "/en/feedback"])
def test_a_token_with_letters_outside_ascii_is_refused_with_a_page(fuzzer: Fuzzer, path: str) -> None:
    response = fuzzer.transport.client.post(path, content="token=a.1.%C3%A9&step=danger", headers=URLENCODED)
    assert response.status_code == 403
    assert "<h1" in response.text


@pytest.mark.parametrize("chunked", [True, False])
def test_a_body_over_the_limit_gets_the_413_page_with_the_security_headers(fuzzer: Fuzzer, chunked: bool) -> None:
    """Chunked, there is no Content-Length to refuse it by: it was a 500. Declared, the 413 lacked the headers."""
    client: TestClient = fuzzer.transport.client
    parts = [b"token=x&worries=", b"x" * 40_000, b"x" * 40_000]
    body = iter(parts) if chunked else b"".join(parts)
    response = client.post("/en/share-a-concern", content=body, headers=URLENCODED)
    assert response.status_code == 413
    assert "That was too much to send" in response.text
    # The page's own CSS inline is allowed by its hash (ADR 22); the rest of the policy is every response's.
    policy = re.sub(r" 'sha256-[A-Za-z0-9+/]+=*'", "", response.headers["content-security-policy"])
    assert policy == HEADERS["content-security-policy"]


@pytest.mark.parametrize("path", ["/en/search", "/toolkit", "/cy/share-a-concern/questions"])
def test_raw_bytes_outside_utf_8_in_the_query_string_get_the_page(fuzzer: Fuzzer, path: str) -> None:
    """Every page reads request.url, which decoded the query string strictly: a bare 500, even for the error page.
    uvicorn refuses such a request line itself; an ASGI server that passes the bytes on does not."""
    outcome, found = fuzzer.run(FuzzRequest("test", "GET", path, query=b"q=\xff\xfe&from=\xc3\x28", raw=True))
    assert outcome.status == 200 and found == []


@pytest.mark.parametrize("declared", [b"\xb2", b"-1", b"1e3", b"12 ", b""])
def test_a_content_length_that_is_not_a_number_is_refused_with_a_page(fuzzer: Fuzzer, declared: bytes) -> None:
    """uvicorn refuses these itself; another server may not, and "²" passed isdigit() but not int(): a crash."""
    headers = ((b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", declared))
    request = FuzzRequest("test", "POST", "/en/share-a-concern", headers=headers, raw=True, transfer="none")
    outcome, found = fuzzer.run(request)
    assert outcome.status == 400 and found == []


@pytest.mark.parametrize("charset", ["undefined", "idna", "utf-7", "unicode_escape", "utf-16"])
@pytest.mark.parametrize("form", ["concern", "feedback"])
def test_a_multipart_form_in_another_character_set_is_refused_with_a_page(
    fuzzer: Fuzzer, charset: str, form: str
) -> None:
    path = "/en/share-a-concern" if form == "concern" else "/en/feedback"
    fields = (("token", Token.VALID), ("step", "person"), ("page", "home"), ("useful", "no"), ("comment", "\ud800"))
    request = FuzzRequest("test", "POST", path, fields=fields, encoding="multipart", charset=charset, tokens=form)
    outcome, found = fuzzer.run(request)
    assert outcome.status == 400 and found == []


def test_a_long_answer_in_urdu_reaches_validation_with_the_other_answers_kept(fuzzer: Fuzzer) -> None:
    """Urdu is 6 bytes a letter once percent-encoded: 2,990 letters are within the 3,000 allowed."""
    client: TestClient = fuzzer.transport.client
    token = fuzzer.token("concern", Token.VALID)
    answers = {"token": token, "step": "worry", "since_when": "weeks", "person_name": "Sam"}
    accepted = client.post("/ur/share-a-concern", data={**answers, "worries": "ی" * 2990})
    assert accepted.status_code == 200 and 'class="govuk-error-summary' not in accepted.text
    too_long = client.post("/ur/share-a-concern", data={**answers, "worries": "ی" * 3500})
    assert too_long.status_code == 422 and 'class="govuk-error-summary' in too_long.text
    assert 'name="person_name" value="Sam"' in too_long.text


def test_feedback_comments_lose_control_characters_on_every_database(tmp_path: Path, database_url: str) -> None:
    """PostgreSQL refuses text with NUL in it: that was a 500, and the yes or no was lost with it."""
    from dataclasses import replace

    from sqlalchemy import select

    app = fuzz_app(replace(fuzz_settings(tmp_path), database_url=database_url))
    with TestClient(app, raise_server_exceptions=False) as client:
        token = current_token(site_of_app(app).feedback_tokens)
        comment = "Not\x00 useful\x1b[31m \u202eat all"
        response = client.post(
            "/en/feedback",
            data={"token": token, "page": "home", "useful": "no", "comment": comment},
            follow_redirects=False,
        )
        assert response.status_code == 303
        with site_of_app(app).engine.connect() as connection:
            assert connection.execute(select(feedback_comments.c.comment)).scalar() == "Not useful[31m at all"
