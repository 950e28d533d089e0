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


# Issue 21, items 3 and 4: "Change" takes the reader to the question and back to its row; Back keeps the answers.
CHECKED = {
    "person_name": "Sam",
    "person_area": "Leeds",
    "person_age": "13-17",
    "relationship": "parent",
    "worries": "He shares violent videos.",
    "since_when": "weeks",
}


def _post(client: TestClient, **data: str) -> object:
    token = form_token(client.get("/en/share-a-concern/questions"))
    return client.post("/en/share-a-concern", data={"token": token, **data})


def _autofocused(html: str) -> list[str]:
    """The id of every element that says autofocus."""
    return re.findall(r'<(?:input|textarea|button)[^>]*\bid="([^"]+)"[^>]*\bautofocus\b', html)


def test_change_opens_the_question_chosen_with_focus_on_its_field(client: TestClient) -> None:
    response = _post(client, step="check", change="person_area", **CHECKED)
    assert response.status_code == 200
    assert response.context["step"].name == "person"
    assert _autofocused(response.text) == ["person_area"]
    assert 'action="/en/share-a-concern#change-person_area"' in response.text
    assert 'name="changing" value="person_area"' in response.text


def test_change_on_a_question_with_options_focuses_the_option_chosen(client: TestClient) -> None:
    response = _post(client, step="check", change="person_age", **CHECKED)
    assert _autofocused(response.text) == ["person_age-2"]  # 13 to 17, the second option


def test_the_check_pages_change_buttons_name_their_question_and_its_field_in_the_address(client: TestClient) -> None:
    """Without JavaScript too: the fragment and autofocus need no script."""
    response = _post(client, step="heard", heard_about="poster", **CHECKED)
    assert response.context["returned_to"] is None and _autofocused(response.text) == []
    assert re.search(
        r'name="change" value="person_area" id="change-person_area" '
        r'formaction="/en/share-a-concern#person_area"',
        response.text,
    )
    assert 'formaction="/en/share-a-concern#person_age-2"' in response.text


def test_saving_a_changed_answer_returns_to_its_row_of_the_check_page(client: TestClient) -> None:
    response = _post(
        client, step="person", back_to_check="1", changing="person_area", **{**CHECKED, "person_area": "York"}
    )
    assert response.context["returned_to"] == "person_area"
    assert _autofocused(response.text) == ["change-person_area"]
    assert "York" in response.text


def test_a_changed_answer_with_a_problem_shows_the_error_and_still_returns_to_its_row(client: TestClient) -> None:
    response = _post(client, step="person", back_to_check="1", changing="person_name", **{**CHECKED, "person_name": ""})
    assert response.status_code == 422 and _autofocused(response.text) == []  # the error summary takes focus
    assert 'name="changing" value="person_name"' in response.text


def test_an_unknown_question_to_change_is_not_carried(client: TestClient) -> None:
    response = _post(client, step="person", back_to_check="1", changing="not_a_field", **CHECKED)
    assert response.context["returned_to"] is None


def test_back_shows_the_question_before_with_every_answer_kept(client: TestClient) -> None:
    response = _post(client, step="worry", back="1", **CHECKED)
    assert response.status_code == 200 and response.context["step"].name == "person"
    assert 'value="Sam"' in response.text and 'value="Leeds"' in response.text
    assert re.search(r'id="person_age-2"[^>]*checked', response.text)
    assert 'name="worries" value="He shares violent videos."' in response.text  # carried on
    assert _autofocused(response.text) == []


def test_back_from_the_check_page_is_the_last_question(client: TestClient) -> None:
    response = _post(client, step="check", back="1", heard_about="poster", **CHECKED)
    assert response.context["step"].name == "heard"
    assert re.search(r'id="heard_about"[^>]*checked', response.text)


def test_back_while_changing_an_answer_returns_to_its_row_of_the_check_page(client: TestClient) -> None:
    response = _post(client, step="person", back="1", back_to_check="1", changing="person_area", **CHECKED)
    assert response.context["returned_to"] == "person_area"
    assert _autofocused(response.text) == ["change-person_area"]


def test_every_question_page_has_a_back_that_posts_the_answers(client: TestClient) -> None:
    response = _post(client, step="danger", danger="no", **CHECKED)  # the person page
    back = re.search(r'<form[^>]*class="govuk-body app-back-form">(.*?)</form>', response.text, re.S)
    assert back is not None
    assert 'name="step" value="person"' in back.group(1) and 'name="token"' in back.group(1)
    assert 'name="person_name" value="Sam"' in back.group(1)
    assert re.search(r'<button type="submit" name="back" value="1"[^>]*>Back</button>', back.group(1))


def test_the_first_questions_back_is_a_link_to_the_start_page(client: TestClient) -> None:
    html = client.get("/en/share-a-concern/questions").text
    assert re.search(r'<a class="govuk-back-link app-back-link" href="/en/share-a-concern">Back</a>', html)
    assert 'name="back"' not in html


@pytest.mark.parametrize("step", ["danger", "nowhere", ""])
def test_back_from_no_question_before_is_a_clear_400(client: TestClient, step: str) -> None:
    assert _post(client, step=step, back="1").status_code == 400


def test_the_confirmation_gives_screen_readers_the_reference_one_character_at_a_time(client: TestClient) -> None:
    response = submit_concern(client, "MARKER-SPOKEN")
    reference = sent_reference(response)
    spoken = " ".join(reference[:4]) + ", " + " ".join(reference[5:])
    assert response.context["spoken_reference"] == spoken
    assert f'<span aria-hidden="true"><strong class="app-reference">{reference}</strong></span>' in response.text
    assert f'<span class="govuk-visually-hidden">{spoken}</span>' in response.text


# Issue 20: routing by area (ADR 21). The question asks where the person lives, as a police force area.
def test_the_area_is_stored_in_clear_to_route_the_concern_and_sealed_with_the_answers(
    app: Starlette, client: TestClient, settings: Settings
) -> None:
    reference = sent_reference(submit_concern(client, "MARKER-AREA", area="gwent"))
    stored = get_concern(site_of_app(app).engine, reference)
    assert stored is not None and stored.area == "gwent"
    opened = unseal(load_private_key(settings.console_private_key_file), stored.sealed)
    assert opened["answers"]["area"] == "gwent"


def test_a_concern_without_an_area_goes_to_the_unknown_queue(app: Starlette, client: TestClient) -> None:
    stored = get_concern(site_of_app(app).engine, sent_reference(submit_concern(client, "MARKER-NO-AREA")))
    assert stored is not None and stored.area == "unknown"


def test_the_area_question_is_a_select_grouped_by_nation_with_i_dont_know_and_outside_the_uk(
    client: TestClient,
) -> None:
    page = _post(client, step="danger", danger="no").text  # type: ignore[attr-defined]
    select = page[page.index('<select class="govuk-select" id="area" name="area"') : page.index("</select>")]
    assert re.findall(r'<optgroup label="([^"]+)"', select) == ["England", "Wales", "Scotland", "Northern Ireland"]
    assert '<option value="unknown">I don’t know</option>' in select
    assert '<option value="outside-uk">Outside the UK</option>' in select
    assert '<option value="avon-and-somerset">Avon and Somerset</option>' in select
    assert '<label class="govuk-label govuk-label--s" for="area">' in page
    assert 'aria-describedby="area-hint"' in select


def test_the_area_is_kept_when_another_answer_has_a_problem(client: TestClient) -> None:
    response = _post(client, step="person", person_name="Sam", area="psni")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert '<option value="psni" selected>Northern Ireland</option>' in response.text  # type: ignore[attr-defined]


def test_an_area_that_is_not_a_choice_is_a_clear_error_on_its_field(client: TestClient) -> None:
    response = _post(client, step="person", person_name="Sam", person_age="13-17", relationship="parent", area="mars")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert 'href="#area"' in response.text and "Select one of the options" in response.text  # type: ignore[attr-defined]
    assert 'aria-describedby="area-hint area-error"' in response.text  # type: ignore[attr-defined]


def test_the_check_page_shows_the_area_in_the_pages_language_with_change(client: TestClient) -> None:
    token = form_token(client.get("/cy/share-a-concern/questions"))
    data = {"token": token, "step": "check", "change": "", **CHECKED, "area": "north-wales"}
    response = client.post("/cy/share-a-concern", data={**data, "step": "heard"})
    assert "Gogledd Cymru" in response.text
    assert 'id="change-area"' in response.text


def test_a_call_back_request_asks_for_the_area_and_routes_by_it(app: Starlette, client: TestClient) -> None:
    page = client.get("/en/share-a-concern/callback").text
    assert 'name="area"' in page
    token = form_token(client.get("/en/share-a-concern/callback"))
    data = {"token": token, "callback_phone": "07700 900 982", "callback_times": "after 6pm", "voicemail_ok": "no"}
    response = client.post("/en/share-a-concern/callback", data={**data, "area": "outside-uk"}, follow_redirects=False)
    stored = get_concern(site_of_app(app).engine, sent_reference(response))
    assert stored is not None and stored.area == "outside-uk"
