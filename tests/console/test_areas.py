"""Routing by area in the console (issue 20, ADR 21): an officer sees, counts, opens and changes only the
concerns of their areas, by any route (the list and its filters and search, a reference typed or guessed, a
change posted); national triage sees every area and the unknown queue and transfers concerns, audited with a
reason; administrators set officers' areas. And triage at a glance: the page's concerns opened in memory."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from testing.console import add, csrf_of, sign_in, store_concerns
from web.console.state import Console, console_of_app
from web.sealing import seal
from web.storage import officers as store
from web.storage.queue import work_on


def made(console: TestClient) -> Console:
    return console_of_app(console.app)  # type: ignore[arg-type]


def stored(console: TestClient, count: int = 1, **columns: object) -> list[str]:
    return store_concerns(made(console).engine, made(console).keys.public_key, count, **columns)


def as_officer(console: TestClient, name: str, *areas: str) -> TestClient:
    sign_in(console, name, add(console, name, "officer", areas))
    return console


def post(console: TestClient, reference: str, csrf: str, **form: str) -> Any:
    return console.post(f"/concerns/{reference}", data={**form, "csrf": csrf}, follow_redirects=False)


def audit(console: TestClient) -> list[tuple[str, str, str | None, str | None]]:
    entries = store.audit_entries(made(console).engine, 1000)
    return [(entry.actor, entry.action, entry.reference, entry.detail) for entry in reversed(entries)]


@pytest.fixture
def kent_and_surrey(console: TestClient) -> tuple[list[str], list[str], list[str]]:
    """Concerns in Kent, in Surrey and of no known area."""
    return stored(console, 3, area="kent"), stored(console, 2, area="surrey"), stored(console, 1)


def test_an_officer_lists_and_counts_only_their_areas_concerns(
    console: TestClient, kent_and_surrey: tuple[list[str], list[str], list[str]]
) -> None:
    kent, surrey, unknown = kent_and_surrey
    page = as_officer(console, "kim", "kent").get("/concerns")
    assert sorted(c.reference for c in page.context["found"].concerns) == sorted(kent)
    assert "3 concerns match" in page.text
    for reference in surrey + unknown:
        assert reference not in page.text


@pytest.mark.parametrize(
    "query", ["?area=surrey", "?status=all&area=surrey", "?reference={ref}", "?reference={ref}&area=surrey&status=all"]
)
def test_no_filter_or_search_reaches_another_areas_concern(
    console: TestClient, kent_and_surrey: tuple[list[str], list[str], list[str]], query: str
) -> None:
    _, surrey, _ = kent_and_surrey
    page = as_officer(console, "kim", "kent").get("/concerns" + query.format(ref=surrey[0]))
    assert page.status_code == 200 and page.context["found"].total == 0
    assert f'href="/concerns/{surrey[0]}"' not in page.text and "No concerns match" in page.text


def test_an_area_that_is_no_area_is_a_400(console: TestClient) -> None:
    assert as_officer(console, "kim", "kent").get("/concerns?area=atlantis").status_code == 400


def test_another_areas_concern_cannot_be_opened_or_changed_and_answers_as_one_that_does_not_exist(
    console: TestClient, kent_and_surrey: tuple[list[str], list[str], list[str]]
) -> None:
    _, surrey, unknown = kent_and_surrey
    kim = as_officer(console, "kim", "kent")
    csrf = csrf_of(kim, "/concerns")
    for reference in (surrey[0], unknown[0]):
        opened = kim.get(f"/concerns/{reference}")
        assert opened.status_code == 404 and opened.text == kim.get("/concerns/CDFH-2345").text
        for form in (
            {"action": "status", "status": "closed", "outcome": "channel"},
            {"action": "assign", "officer": "me"},
            {"action": "handover", "handover-to": "x", "handover-on": "2026-03-02"},
            {"action": "transfer", "transfer-to": "kent", "transfer-reason": "lives-there"},
        ):
            assert post(kim, reference, csrf, **form).status_code == 404
        work = work_on(made(console).engine, reference)
        assert work is not None and work.assigned_to is None and work.handed_over_on is None
    assert work_on(made(console).engine, surrey[0]).area == "surrey"  # type: ignore[union-attr]
    denied = [entry for entry in audit(console) if entry[1] == "denied"]
    assert len(denied) == 10 and {entry[2] for entry in denied} == {surrey[0], unknown[0]}
    assert not any(entry[1] == "opened" for entry in audit(console))


def test_an_officer_in_no_area_sees_nothing_and_is_told_why(
    console: TestClient, kent_and_surrey: tuple[list[str], list[str], list[str]]
) -> None:
    page = as_officer(console, "nora").get("/concerns")
    assert page.context["found"].total == 0 and "You are not in any area yet" in page.text


def test_an_officer_of_two_areas_sees_both(
    console: TestClient, kent_and_surrey: tuple[list[str], list[str], list[str]]
) -> None:
    kent, surrey, _ = kent_and_surrey
    page = as_officer(console, "kai", "kent", "surrey").get("/concerns")
    assert sorted(c.reference for c in page.context["found"].concerns) == sorted(kent + surrey)


def test_national_triage_sees_every_area_and_the_unknown_queue(
    console: TestClient, kent_and_surrey: tuple[list[str], list[str], list[str]]
) -> None:
    _, _, unknown = kent_and_surrey
    tina = as_officer(console, "tina", store.NATIONAL)
    assert tina.get("/concerns").context["found"].total == 6
    assert [c.reference for c in tina.get("/concerns?area=unknown").context["found"].concerns] == unknown
    assert tina.get(f"/concerns/{unknown[0]}").status_code == 200


def test_a_concern_whose_area_is_no_longer_a_force_still_opens_for_national_triage(
    console: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Forces merge and slugs change: a row stored before must not make the queue or its page fail."""
    (reference,) = stored(console, 1, area="a-force-since-merged")
    tina = as_officer(console, "tina", store.NATIONAL)
    queue = tina.get("/concerns")
    assert queue.status_code == 200 and reference in queue.text
    assert tina.get(f"/concerns/{reference}").status_code == 200
    assert "a-force-since-merged" in caplog.text and "England and Wales" in caplog.text


def test_a_transfer_moves_the_concern_to_the_other_area_with_its_reason_audited(
    console: TestClient, kent_and_surrey: tuple[list[str], list[str], list[str]]
) -> None:
    _, surrey, _ = kent_and_surrey
    reference = surrey[0]
    tina = as_officer(console, "tina", store.NATIONAL)
    post(tina, reference, csrf_of(tina, "/concerns"), action="assign", officer="me")
    answer = post(
        tina,
        reference,
        csrf_of(tina, "/concerns"),
        action="transfer",
        **{"transfer-to": "kent", "transfer-reason": "moved"},
    )
    assert answer.status_code == 303
    work = work_on(made(console).engine, reference)
    assert work is not None and work.area == "kent" and work.assigned_to is None
    assert ("tina", "transferred", reference, "from surrey to kent: moved") in audit(console)
    history = tina.get(f"/concerns/{reference}").text  # in words, not the audit log's slugs
    assert "Transferred: from Surrey to Kent. The person has moved to that area" in history
    console.cookies.clear()
    kim = as_officer(console, "kim", "kent")
    assert kim.get(f"/concerns/{reference}").status_code == 200
    console.cookies.clear()
    sam = as_officer(console, "sam", "surrey")
    assert sam.get(f"/concerns/{reference}").status_code == 404
    assert reference not in sam.get("/concerns").text


def test_only_national_triage_may_transfer(
    console: TestClient, kent_and_surrey: tuple[list[str], list[str], list[str]]
) -> None:
    _, surrey, _ = kent_and_surrey
    sam = as_officer(console, "sam", "surrey")
    assert "Transfer to another area" not in sam.get(f"/concerns/{surrey[0]}").text
    form = {"action": "transfer", "transfer-to": "kent", "transfer-reason": "moved"}
    assert post(sam, surrey[0], csrf_of(sam, "/concerns"), **form).status_code == 403
    assert work_on(made(console).engine, surrey[0]).area == "surrey"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"transfer-reason": "moved"}, "transfer-to", "Choose the area to transfer the concern to"),
        ({"transfer-to": "atlantis", "transfer-reason": "moved"}, "transfer-to", "Choose the area to transfer"),
        ({"transfer-to": "kent"}, "transfer-reason", "Choose why you are transferring the concern"),
        ({"transfer-to": "surrey", "transfer-reason": "moved"}, "transfer-to", "The concern is in that area already"),
    ],
)
def test_a_transfer_without_an_area_or_a_reason_says_what_is_missing(
    console: TestClient,
    kent_and_surrey: tuple[list[str], list[str], list[str]],
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    _, surrey, _ = kent_and_surrey
    tina = as_officer(console, "tina", store.NATIONAL)
    answer = post(tina, surrey[0], csrf_of(tina, "/concerns"), action="transfer", **form)
    assert answer.status_code == 400 and message in answer.context["errors"][field]
    assert f'href="#{field}"' in answer.text
    assert work_on(made(console).engine, surrey[0]).area == "surrey"  # type: ignore[union-attr]


def test_a_concern_can_be_assigned_only_to_officers_who_see_its_area(
    console: TestClient, kent_and_surrey: tuple[list[str], list[str], list[str]]
) -> None:
    kent, _, _ = kent_and_surrey
    add(console, "sam", "officer", ("surrey",))
    kim = as_officer(console, "kim", "kent")
    page = kim.get(f"/concerns/{kent[0]}")
    assert [name for _, name in page.context["officers"]] == ["kim"]
    sam_id = store.officer_by_username(made(console).engine, "sam").id  # type: ignore[union-attr]
    assert post(kim, kent[0], csrf_of(kim, "/concerns"), action="assign", officer=str(sam_id)).status_code == 400


# Administrators set the areas ------------------------------------------------------------------------


def test_an_administrator_sets_an_officers_areas_audited(console: TestClient) -> None:
    add(console, "kim", "officer", ())
    kim = store.officer_by_username(made(console).engine, "kim")
    assert kim is not None
    sign_in(console, "ada", add(console, "ada", "admin"))
    page = console.get(f"/accounts?areas={kim.id}")
    assert "Areas of kim" in page.text and 'value="national"' in page.text and 'value="gwent"' in page.text
    csrf = csrf_of(console, "/accounts")
    answer = console.post(
        f"/accounts/{kim.id}", data={"csrf": csrf, "action": "areas", "area": ["kent", "gwent"]}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert store.areas_of(made(console).engine, kim.id) == {"kent", "gwent"}
    assert ("ada", "areas", None, "kim: gwent, kent") in audit(console)
    assert "Gwent, Kent" in console.get("/accounts").text
    assert store.officer_by_username(made(console).engine, "kim").active  # type: ignore[union-attr]


@pytest.mark.parametrize("areas", [["atlantis"], ["kent", "<script>"]])
def test_an_area_not_on_the_list_is_refused(console: TestClient, areas: list[str]) -> None:
    add(console, "kim", "officer", ("kent",))
    kim = store.officer_by_username(made(console).engine, "kim")
    assert kim is not None
    sign_in(console, "ada", add(console, "ada", "admin"))
    csrf = csrf_of(console, "/accounts")
    answer = console.post(f"/accounts/{kim.id}", data={"csrf": csrf, "action": "areas", "area": areas})
    assert answer.status_code == 400 and store.areas_of(made(console).engine, kim.id) == {"kent"}


@pytest.mark.parametrize("asked", ["x", "0", "99999999999", "2"])
def test_the_areas_form_for_no_such_officer_is_a_clear_error(console: TestClient, asked: str) -> None:
    sign_in(console, "ada", add(console, "ada", "admin"))
    add(console, "cora", "comms")  # id 2: not an officer, so no areas
    assert console.get(f"/accounts?areas={asked}").status_code in (400, 404)


# Triage at a glance ----------------------------------------------------------------------------------


def test_the_list_shows_at_a_glance_what_to_open_first_from_the_page_shown(console: TestClient) -> None:
    engine, key = made(console).engine, made(console).keys.public_key
    answers = {
        "person_age": "13-17",
        "since_when": "weeks",
        "contact_phone": "07700 900 982",
        "safe_to_contact": "yes",
        "safe_times": "weekdays after 6pm",
        "preferred_language": "Polish",
        "access_needs": ["bsl", "other"],
        "access_other": "large print",
        "worries": "MARKER-NOT-IN-THE-LIST",
    }
    (form,) = store_concerns(engine, key, 1, sealed=seal(key, {"answers": answers}))
    callback = {"callback_phone": "07700 900 983", "callback_times": "after 2pm", "callback_language": "Urdu"}
    (called,) = store_concerns(engine, key, 1, route="callback", sealed=seal(key, {"answers": callback}))
    (anonymous,) = store_concerns(engine, key, 1, sealed=seal(key, {"answers": {"person_age": "not-sure"}}))
    page = as_officer(console, "tina", store.NATIONAL).get("/concerns")
    rows = {row.reference: row.at_a_glance for row in page.context["rows"]}
    assert rows[form].age == "13 to 17" and rows[form].started == "In the last few weeks"
    assert rows[form].contact == "Safe to contact: weekdays after 6pm"
    assert rows[form].needs == "Language: Polish; A British Sign Language interpreter; large print"
    assert rows[called].contact == "Call back: after 2pm" and rows[called].needs == "Language: Urdu"
    assert rows[anonymous].contact == "Anonymous: no way to contact" and rows[anonymous].started == "Not given"
    assert "MARKER-NOT-IN-THE-LIST" not in page.text and "weekdays after 6pm" in page.text
    assert not any("weekdays" in (entry[3] or "") for entry in audit(console))  # never logged


def test_a_concern_no_key_opens_says_so_in_the_list_without_failing_the_page(console: TestClient) -> None:
    from nacl.public import PrivateKey

    other = PrivateKey.generate().public_key
    (reference,) = store_concerns(made(console).engine, other, 1)
    page = as_officer(console, "tina", store.NATIONAL).get("/concerns")
    assert page.status_code == 200
    assert {row.reference: row.at_a_glance.age for row in page.context["rows"]}[reference] == "Cannot be opened"


def test_the_list_opens_only_the_concerns_of_the_page_shown(
    console: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web.console import glance

    stored(console, 60)
    seen: list[int] = []
    real = glance.glances
    monkeypatch.setattr(glance, "glances", lambda keys, sealed: seen.append(len(sealed)) or real(keys, sealed))
    as_officer(console, "tina", store.NATIONAL).get("/concerns")
    assert seen == [50]


def test_the_queue_says_when_a_years_bank_holidays_are_missing(
    console: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    tina = as_officer(console, "tina", store.NATIONAL)
    assert "are not in content/bank-holidays.yaml" not in tina.get("/concerns").text
    monkeypatch.setattr("web.console.concern_pages.years_without_holidays", lambda today: [2028])
    assert "Bank holidays for 2028 are not in content/bank-holidays.yaml yet" in tina.get("/concerns").text
