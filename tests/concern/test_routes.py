"""The online concern form and the call-back request, in-process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.forms import form_token, sent_reference, submit_concern
from web.sealing import load_private_key, unseal
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage.concerns import get_concern, list_concerns


def test_a_concern_walks_through_the_pages_and_is_stored_sealed(
    app: Starlette, client: TestClient, settings: Settings
) -> None:
    response = submit_concern(client, "MARKER-ONE")
    reference = sent_reference(response)
    stored = get_concern(site_of_app(app).engine, reference)
    assert stored is not None and stored.route == "form" and stored.heard_about == "poster"
    assert b"MARKER-ONE" not in stored.sealed
    opened = unseal(load_private_key(settings.console_private_key_file), stored.sealed)
    assert "MARKER-ONE" in opened["answers"]["worries"]
    assert response.headers["cache-control"] == "no-store"
    assert "We have received your concern" in response.text


def test_the_confirmation_title_is_the_start_pages_and_does_not_say_a_concern_was_sent(client: TestClient) -> None:
    """History keeps titles: a later reader of it must not learn that a concern was sent (ADR 11)."""
    title = re.compile(r"<title>([^<]*)</title>")
    sent = title.search(submit_concern(client, "MARKER-TITLE").text)
    start = title.search(client.get("/en/share-a-concern").text)
    assert sent and start and sent.group(1) == start.group(1)
    assert "received" not in sent.group(1).lower() and "sent" not in sent.group(1).lower()


@pytest.mark.parametrize("path", ["/en/share-a-concern", "/en/share-a-concern/questions", "/cy/share-a-concern"])
def test_form_pages_say_without_javascript_that_the_browser_may_keep_the_answers(client: TestClient, path: str) -> None:
    """ADR 10, decided: without JavaScript the browser keeps what was posted, and the reader is told so."""
    html = client.get(path).text
    notice = re.search(r"<noscript>(.*?)</noscript>", html, re.S)
    assert notice is not None
    assert "private" in notice.group(1).lower() or "breifat" in notice.group(1).lower()


def test_a_welsh_concern_is_stored_with_its_language(app: Starlette, client: TestClient) -> None:
    response = submit_concern(client, "MARKER-CY", lang="cy")
    assert sent_reference(response) and 'lang="cy"' in response.text
    assert list_concerns(site_of_app(app).engine)[0].language == "cy"


def test_sending_twice_stores_one_concern_and_shows_the_same_reference(app: Starlette, client: TestClient) -> None:
    first = submit_concern(client, "MARKER-TWICE")
    token = form_token(client.get("/en/share-a-concern/questions"))
    assert token  # a new visit gets a new token; the resubmission below reuses the old page's
    again = client.post("/en/share-a-concern", data=_last_post(client, first), follow_redirects=False)
    assert sent_reference(again) == sent_reference(first)
    assert len(list_concerns(site_of_app(app).engine)) == 1


def _last_post(client: TestClient, response: object) -> dict[str, str]:
    request = response.request
    from urllib.parse import parse_qsl

    return dict(parse_qsl(request.content.decode()))


def test_the_danger_question_sends_people_to_999(client: TestClient) -> None:
    token = form_token(client.get("/en/share-a-concern/questions"))
    response = client.post("/en/share-a-concern", data={"token": token, "step": "danger", "danger": "yes"})
    assert "Call 999 now" in response.text
    assert 'href="tel:999"' in response.text


def test_a_missing_answer_shows_the_error_summary_and_keeps_the_other_answers(client: TestClient) -> None:
    token = form_token(client.get("/en/share-a-concern/questions"))
    response = client.post(
        "/en/share-a-concern", data={"token": token, "step": "person", "person_name": "Sam", "worries": "kept answer"}
    )
    assert response.status_code == 422
    assert "<title>Error: " in response.text
    assert 'href="#person_age"' in response.text
    assert 'value="Sam"' in response.text
    assert 'name="worries" value="kept answer"' in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("person_name", "x" * 61, "Keep this to 60 characters or fewer"),
        ("person_age", "ancient", "Select one of the options"),
    ],
)
def test_answers_over_their_limits_get_a_clear_message(
    client: TestClient, field: str, value: str, message: str
) -> None:
    token = form_token(client.get("/en/share-a-concern/questions"))
    data = {"token": token, "step": "person", "person_name": "Sam", "person_age": "13-17", "relationship": "parent"}
    response = client.post("/en/share-a-concern", data={**data, field: value})
    assert response.status_code == 422 and message in response.text


def test_a_bad_phone_number_is_explained(client: TestClient) -> None:
    token = form_token(client.get("/en/share-a-concern/callback"))
    response = client.post(
        "/en/share-a-concern/callback",
        data={"token": token, "callback_phone": "call me", "callback_times": "any", "voicemail_ok": "no"},
    )
    assert response.status_code == 422
    assert "Enter a phone number using only numbers" in response.text


def test_a_call_back_request_is_stored_sealed(app: Starlette, client: TestClient) -> None:
    token = form_token(client.get("/en/share-a-concern/callback"))
    response = client.post(
        "/en/share-a-concern/callback",
        data={
            "token": token,
            "callback_phone": "07700 900 982",
            "callback_times": "after 6pm",
            "voicemail_ok": "no",
            "heard_about": "social-media",
        },
        follow_redirects=False,
    )
    assert sent_reference(response) == list_concerns(site_of_app(app).engine)[0].reference
    stored = list_concerns(site_of_app(app).engine)[0]
    assert stored.route == "callback" and stored.heard_about == "social-media"
    assert b"07700" not in stored.sealed


def test_a_post_from_another_site_is_refused(client: TestClient) -> None:
    token = form_token(client.get("/en/share-a-concern/questions"))
    response = client.post(
        "/en/share-a-concern",
        data={"token": token, "step": "danger", "danger": "no"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert "We could not accept that form" in response.text


def test_a_forged_token_is_refused(client: TestClient) -> None:
    response = client.post("/en/share-a-concern", data={"token": "abc.123.forged", "step": "danger"})
    assert response.status_code == 403


def test_the_honeypot_field_stops_a_bot_without_storing(app: Starlette, client: TestClient) -> None:
    response = submit_concern(client, "MARKER-BOT", leave_blank="http://spam.example")
    assert response.status_code == 400
    assert list_concerns(site_of_app(app).engine) == []


def test_too_many_submissions_from_one_client_keep_the_answers(tmp_path: Path, settings: Settings) -> None:
    from dataclasses import replace

    from web.app import create_app

    with TestClient(create_app(replace(settings, submissions_per_hour=1))) as client:
        assert sent_reference(submit_concern(client, "MARKER-FIRST"))
        limited = submit_concern(client, "MARKER-SECOND")
    assert limited.status_code == 429
    assert "MARKER-SECOND" in limited.text  # still on the page, ready to send later


def test_a_huge_body_gets_a_clear_413_page(client: TestClient) -> None:
    response = client.post(
        "/en/share-a-concern", content=b"x" * 70_000, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert "That was too much to send" in response.text


def test_form_pages_are_never_cached(client: TestClient) -> None:
    for path in ("/en/share-a-concern", "/en/share-a-concern/questions", "/en/share-a-concern/callback"):
        assert client.get(path).headers["cache-control"] == "no-store", path


def test_no_address_carries_a_reference_number(client: TestClient) -> None:
    """Send answers with the confirmation page (ADR 4), so History never keeps a reference number, and no
    address tells a visitor whether a reference exists."""
    reference = sent_reference(submit_concern(client, "MARKER-ADDRESS"))
    assert client.get(f"/en/share-a-concern/sent/{reference}").status_code == 404
    assert client.get("/en/share-a-concern/sent/../../etc").status_code == 404


def test_control_characters_are_removed_from_answers(app: Starlette, client: TestClient, settings: Settings) -> None:
    response = submit_concern(client, "MARKER\x00\x1b[31m-CTRL")
    stored = get_concern(site_of_app(app).engine, sent_reference(response))
    assert stored is not None
    opened = unseal(load_private_key(settings.console_private_key_file), stored.sealed)
    assert "MARKER[31m-CTRL" in opened["answers"]["worries"]


def test_spelling_survives_cleaning_but_disguises_do_not() -> None:
    """Urdu needs the zero-width non-joiner; a right-to-left override could disguise text, so it goes."""
    from web.concern.questions import clean_text

    urdu = "وہ\u200cاب مختلف ہے"  # the non-joiner keeps the two words' letters apart
    assert clean_text(urdu, multiline=True) == urdu
    assert clean_text("a\u200db \u200fc", multiline=False) == "a\u200db \u200fc"
    assert clean_text("safe\u202etxt.exe\u2066", multiline=False) == "safetxt.exe"
