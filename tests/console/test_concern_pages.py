"""The officers' queue and a concern's work through the console: paging, filters and their errors, claiming and
assigning, status changes with their time and closing outcome, handovers, and every change audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select
from starlette.testclient import TestClient

from testing.console import add, csrf_of, sign_in, store_concerns
from web.console.state import Console, console_of_app
from web.sealing import unseal
from web.storage import officers as store
from web.storage.tables import concerns


def made(console: TestClient) -> Console:
    return console_of_app(console.app)  # type: ignore[arg-type]


@pytest.fixture
def olive(console: TestClient) -> TestClient:
    sign_in(console, "olive", add(console, "olive", "officer"))
    return console


def stored(console: TestClient, count: int = 1, **columns: object) -> list[str]:
    return store_concerns(made(console).engine, made(console).keys.public_key, count, **columns)


def row_of(console: TestClient, reference: str) -> dict[str, object]:
    with made(console).engine.connect() as connection:
        row = connection.execute(select(concerns).where(concerns.c.reference == reference)).one()
    return dict(row._mapping)


def audit(console: TestClient) -> list[tuple[str, str, str | None, str | None]]:
    entries = store.audit_entries(made(console).engine, 1000)
    return [(entry.actor, entry.action, entry.reference, entry.detail) for entry in reversed(entries)]


def post(console: TestClient, reference: str, **form: str) -> Any:
    """The form posted with the session's CSRF token; the answer as the test client gives it (with .context)."""
    csrf = csrf_of(console, f"/concerns/{reference}")
    return console.post(f"/concerns/{reference}", data={**form, "csrf": csrf}, follow_redirects=False)


# The queue --------------------------------------------------------------------------------------------


def test_the_list_shows_fifty_a_page_with_links_to_the_next_and_previous(olive: TestClient) -> None:
    references = stored(olive, 120)
    first = olive.get("/concerns")
    assert first.status_code == 200
    assert [c.reference for c in first.context["found"].concerns] == list(reversed(references))[:50]
    assert "120 concerns match" in first.text and 'href="/concerns?status=open&amp;page=2"' in first.text
    last = olive.get("/concerns?status=open&page=3")
    assert len(last.context["found"].concerns) == 20 and 'href="/concerns?status=open&amp;page=2"' in last.text
    assert olive.get("/concerns?page=9").context["found"].concerns == []


def test_the_list_reads_sealed_answers_only_for_the_page_shown_by_reference(olive: TestClient) -> None:
    """Before paging, the list read every open concern whole (select * from concerns), sealed answers too. Now
    the queue's query reads no sealed column; triage at a glance reads the sealed answers of the page's
    concerns alone, by their references (web/console/glance.py)."""
    stored(olive, 60)
    statements: list[tuple[str, object]] = []
    engine = made(olive).engine

    def seen(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert olive.get("/concerns?status=all&overdue=yes&route=form&language=en").status_code == 200
        assert olive.get("/concerns").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    read_concerns = [(statement, parameters) for statement, parameters in statements if "FROM concerns" in statement]
    sealed = [(statement, parameters) for statement, parameters in read_concerns if "sealed" in statement]
    assert read_concerns and len(sealed) == 2
    for statement, parameters in sealed:
        assert "WHERE concerns.reference IN" in statement and len(parameters) == 50  # type: ignore[arg-type]


def test_filters_by_status_route_language_dates_reference_and_overdue(olive: TestClient) -> None:
    today = dt.datetime.now(dt.UTC).date()
    late = stored(olive, 1, received_on=today - dt.timedelta(days=10))
    welsh = stored(olive, 1, language="cy", route="callback", received_on=today)
    closed = stored(olive, 1, status="closed", received_on=today)

    def listed(query: str) -> set[str]:
        response = olive.get(f"/concerns?{query}")
        assert response.status_code == 200, (query, response.text[:300])
        return {concern.reference for concern in response.context["found"].concerns}

    assert listed("") == {*late, *welsh}
    assert listed("status=all") == {*late, *welsh, *closed}
    assert listed("status=closed") == set(closed)
    assert listed("route=callback") == set(welsh)
    assert listed("language=cy") == set(welsh)
    assert listed(f"from={today.isoformat()}&to={today.isoformat()}&status=all") == {*welsh, *closed}
    assert listed("overdue=yes") == set(late)
    assert listed(f"reference={welsh[0].lower().replace('-', '')}") == set(welsh)  # typed loosely, found
    page = olive.get("/concerns?overdue=yes")
    assert "Overdue" in page.text and page.context["overdue"] == set(late)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-02-30", "from"),
        ("to=yesterday", "to"),
        ("from=2026-03-05&to=2026-03-01", "to"),
        ("reference=not-a-reference", "reference"),
    ],
)
def test_a_filter_typed_wrong_is_an_error_beside_its_field(olive: TestClient, query: str, field: str) -> None:
    response = olive.get(f"/concerns?{query}")
    assert response.status_code == 400 and list(response.context["errors"]) == [field]
    assert "There is a problem" in response.text and f'href="#{field}"' in response.text
    assert response.context["found"] is None
    assert f'id="{field}-error"' in response.text  # the message beside the field, tied to it (aria-describedby)


@pytest.mark.parametrize("query", ["status=lost", "route=fax", "language=fr", "overdue=maybe", "page=0", "page=x"])
def test_a_choice_no_form_offers_is_a_400_page(olive: TestClient, query: str) -> None:
    response = olive.get(f"/concerns?{query}")
    assert response.status_code == 400 and "That request was not right" in response.text


def test_each_listing_is_audited_with_its_filters(olive: TestClient) -> None:
    stored(olive, 2)
    olive.get("/concerns?language=en&page=1")
    listed = [entry for entry in audit(olive) if entry[1] == "listed"]
    assert listed[-1] == ("olive", "listed", None, "2 status=open language=en page 1")


# Claiming and assigning -------------------------------------------------------------------------------


def test_an_officer_claims_a_concern_and_the_list_shows_it(olive: TestClient) -> None:
    (reference,) = stored(olive)
    assert post(olive, reference, action="assign", officer="me").status_code == 303
    olive_id = store.officer_by_username(made(olive).engine, "olive").id  # type: ignore[union-attr]
    assert row_of(olive, reference)["assigned_to"] == olive_id
    assert ("olive", "assigned", reference, "olive") in audit(olive)
    assert {c.assigned_to for c in olive.get("/concerns?mine=yes").context["found"].concerns} == {"olive"}
    assert "Assigned to olive" in olive.get(f"/concerns/{reference}").text


def test_an_officer_assigns_to_another_officer_or_to_nobody_but_never_to_another_role(olive: TestClient) -> None:
    (reference,) = stored(olive)
    add(olive, "owen", "officer")
    add(olive, "cora", "comms")
    engine = made(olive).engine
    owen, cora = (store.officer_by_username(engine, name).id for name in ("owen", "cora"))  # type: ignore[union-attr]
    assert post(olive, reference, action="assign", officer=str(owen)).status_code == 303
    assert row_of(olive, reference)["assigned_to"] == owen
    for wrong in (str(cora), "999999", "99999999999999999999", "x"):
        assert post(olive, reference, action="assign", officer=wrong).status_code == 400, wrong
    assert row_of(olive, reference)["assigned_to"] == owen
    assert post(olive, reference, action="assign", officer="").status_code == 303
    assert row_of(olive, reference)["assigned_to"] is None
    assert [entry[1:] for entry in audit(olive) if entry[1] in ("assigned", "unassigned")] == [
        ("assigned", reference, "owen"),
        ("unassigned", reference, None),
    ]


# Status, outcome, handover ----------------------------------------------------------------------------


def test_closing_without_an_outcome_is_refused_with_an_error_and_changes_nothing(olive: TestClient) -> None:
    (reference,) = stored(olive)
    response = post(olive, reference, status="closed", note="kept")
    assert response.status_code == 400
    assert response.context["errors"] == {"outcome": "Choose the outcome to close the concern"}
    assert 'href="#outcome"' in response.text and 'id="outcome"' in response.text
    assert ">kept</textarea>" in response.text  # what was typed, shown again
    row = row_of(olive, reference)
    assert (row["status"], row["outcome"], row["status_changed_at"], row["note_sealed"]) == ("new", None, None, None)
    assert not [entry for entry in audit(olive) if entry[1] == "status"]


def test_a_status_change_is_time_stamped_audited_and_closing_keeps_its_outcome(olive: TestClient) -> None:
    (reference,) = stored(olive)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert post(olive, reference, status="contacted").status_code == 303
    contacted = row_of(olive, reference)
    assert contacted["status"] == "contacted" and before <= contacted["status_changed_at"]  # type: ignore[operator]
    assert post(olive, reference, status="closed", outcome="channel").status_code == 303
    closed = row_of(olive, reference)
    assert (closed["status"], closed["outcome"]) == ("closed", "channel")
    assert closed["status_changed_at"] >= contacted["status_changed_at"]  # type: ignore[operator]
    statuses = [(entry[2], entry[3]) for entry in audit(olive) if entry[1] == "status"]
    assert statuses == [(reference, "contacted"), (reference, "closed (channel)")]
    page = olive.get(f"/concerns/{reference}")
    assert "referred to channel" in page.text and "Status: closed (channel)" in page.text  # outcome, history


def test_an_unknown_outcome_or_action_is_a_400(olive: TestClient) -> None:
    (reference,) = stored(olive)
    assert post(olive, reference, status="closed", outcome="vanished").status_code == 400
    assert post(olive, reference, action="delete").status_code == 400
    assert row_of(olive, reference)["status"] == "new"


def test_a_handover_is_recorded_sealed_and_audited(olive: TestClient) -> None:
    (reference,) = stored(olive)
    sent = {"handover-to": "MARKER-TEAM Leeds Prevent", "handover-on": "2026-03-02", "handover-reference": "LPT-77"}
    assert post(olive, reference, action="handover", **sent).status_code == 303
    row = row_of(olive, reference)
    assert row["handed_over_on"] == dt.date(2026, 3, 2)
    assert b"MARKER-TEAM" not in row["handover_sealed"]  # type: ignore[operator]
    opened = unseal(made(olive).keys.private_keys, row["handover_sealed"])  # type: ignore[arg-type]
    assert opened == {"to": "MARKER-TEAM Leeds Prevent", "their_reference": "LPT-77"}
    assert ("olive", "handover", reference, "on 2026-03-02") in audit(olive)
    assert "MARKER-TEAM" not in str(audit(olive))
    page = olive.get(f"/concerns/{reference}").text
    assert "MARKER-TEAM Leeds Prevent" in page and "LPT-77" in page


def test_a_handover_typed_wrong_shows_each_error_and_records_nothing(olive: TestClient) -> None:
    (reference,) = stored(olive)
    response = post(olive, reference, action="handover", **{"handover-to": "", "handover-on": "2999-01-01"})
    assert response.status_code == 400
    assert set(response.context["errors"]) == {"handover-to", "handover-on"}
    assert 'value="2999-01-01"' in response.text
    assert row_of(olive, reference)["handed_over_on"] is None


def test_a_concern_waiting_past_a_working_day_says_it_is_overdue(olive: TestClient) -> None:
    (reference,) = stored(olive, received_on=dt.date(2026, 3, 2))  # long past
    page = olive.get(f"/concerns/{reference}")
    assert page.context["overdue"] is True and "Overdue" in page.text
    post(olive, reference, status="contacted")
    assert olive.get(f"/concerns/{reference}").context["overdue"] is False


def test_a_change_to_a_concern_that_does_not_exist_is_a_404(olive: TestClient) -> None:
    csrf = csrf_of(olive, "/concerns")
    for form in ({"status": "contacted"}, {"action": "assign", "officer": "me"}):
        assert olive.post("/concerns/ZZZZ-ZZZZ", data={**form, "csrf": csrf}).status_code == 404


def test_the_overdue_filter_counts_each_area_in_its_own_bank_holidays(
    olive: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New Year's Day 2026 is a Thursday: a concern received that day was due on Friday 2 January in England
    and Wales, overdue on Monday; in Scotland the 2nd is a bank holiday too, so it is due on Monday itself."""
    from web.console import workflow

    monkeypatch.setattr(workflow, "console_today", lambda now=None: dt.date(2026, 1, 5))
    new_years_day = dt.date(2026, 1, 1)
    kent = stored(olive, 1, received_on=new_years_day, area="kent")
    scotland = stored(olive, 1, received_on=new_years_day, area="police-scotland")
    response = olive.get("/concerns?overdue=yes")
    assert {concern.reference for concern in response.context["found"].concerns} == set(kent)
    assert response.context["overdue"] == set(kent)
    assert olive.get(f"/concerns/{scotland[0]}").context["overdue"] is False
    assert olive.get(f"/concerns/{kent[0]}").context["overdue"] is True
