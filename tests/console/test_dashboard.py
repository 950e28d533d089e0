"""The campaign dashboard: after scripted visits, its figures and CSV are exactly what was sent, and
the database holds nothing that could identify a visitor."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpx2 import Response as ClientResponse
from starlette.testclient import TestClient

from testing.console import add, sign_in, store_concerns
from testing.forms import ARRIVE, BROWSER, STEP, form_token, submit_concern
from web.app import create_app
from web.clock import week_of
from web.console.app import create_console_app
from web.console.dashboard import CampaignRow, DateRange, FeedbackRow, parse_range, row_chart
from web.console.launch_tables import Table
from web.console.state import console_of_app
from web.settings import Settings
from web.shell.site import site_of_app
from web.storage.figures import add_counts
from web.storage.officers import record

ONE_DAY = dt.timedelta(days=1)
COOKIE_VALUE = "MARKER-COOKIE-VALUE"
GOOGLE = {**ARRIVE, "sec-fetch-site": "cross-site", "referer": "https://www.google.co.uk/"}
FACEBOOK = {**ARRIVE, "sec-fetch-site": "cross-site", "referer": "https://l.facebook.com/l.php?u=MARKER-REFERRER"}
BBC = {**ARRIVE, "sec-fetch-site": "cross-site", "referer": "https://www.bbc.co.uk/news/MARKER-REFERRER"}
VISITS = [  # (path, headers, times)
    ("/?utm_source=poster&utm_campaign=essex", ARRIVE, 3),
    ("/?utm_source=social&utm_campaign=gwent", ARRIVE, 2),
    ("/?utm_source=poster&utm_campaign=MARKER-JUNK-TAG", ARRIVE, 1),
    ("/en/signs-to-spot", GOOGLE, 2),
    ("/en/signs-to-spot", FACEBOOK, 1),
    ("/cy/signs-to-spot", BBC, 1),
    ("/en/get-help", STEP, 4),
    ("/en/search?q=MARKER-QUERY", STEP, 1),
    ("/en/no-such-page-MARKER-JUNK-PATH", ARRIVE, 2),
]
NEVER_STORED = [
    *("testclient", "MARKER-UA", BROWSER, COOKIE_VALUE, "MARKER-COOKIE-NAME", "MARKER-QUERY", "MARKER-REFERRER"),
    *("bbc.co.uk", "google", "facebook", "MARKER-JUNK", "MARKER@example.com", "MARKER-WORRY"),
]
FEEDBACK = [  # (lang, page, useful, comment)
    ("en", "signs-to-spot", "yes", ""),
    ("en", "signs-to-spot", "yes", "Helpful. Write to MARKER@example.com please"),
    ("en", "get-help", "no", "I wanted the phone number for my area"),
]


@pytest.fixture
def site(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        client.cookies.set("MARKER-COOKIE-NAME", COOKIE_VALUE)
        yield client


@pytest.fixture
def console(site: TestClient, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_console_app(settings), base_url="https://console.test") as client:
        yield client


def scripted_visits(site: TestClient) -> list[ClientResponse]:
    """The visits, feedback, saves and concerns the figures must show; every response a reader got."""
    responses = []
    for path, headers, times in VISITS:
        responses += [site.get(path, headers=headers) for _ in range(times)]
    for lang, page, useful, comment in FEEDBACK:
        token = form_token(site.get(f"/{lang}/{page}"))  # the test client's user agent: not counted
        data = {"token": token, "page": page, "useful": useful, "comment": comment}
        same_origin = {"user-agent": BROWSER, "sec-fetch-site": "same-origin"}
        responses.append(site.post(f"/{lang}/feedback", data=data, headers=same_origin, follow_redirects=False))
        responses.append(site.get(responses[-1].headers["location"], headers=STEP))
    for _ in range(2):
        responses.append(site.post("/en/offline/saved-count", headers={**STEP, "sec-fetch-dest": "empty"}))
    responses.append(submit_concern(site, "MARKER-WORRY-1"))
    responses.append(submit_concern(site, "MARKER-WORRY-2", heard_about="search"))
    token = form_token(site.get("/en/share-a-concern/callback"))
    callback = {"token": token, "callback_phone": "07700 900 982", "callback_times": "after 6pm", "voicemail_ok": "no"}
    callback["heard_about"] = "social-media"
    responses.append(site.post("/en/share-a-concern/callback", data=callback, follow_redirects=False))
    site_of_app(site.app).figure_counter.flush(site_of_app(site.app).engine)
    return responses


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def test_the_dashboard_shows_exactly_what_was_sent(site: TestClient, console: TestClient) -> None:
    scripted_visits(site)
    sign_in(console, "cora", add(console, "cora", "comms"))
    response = console.get("/dashboard")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.range == DateRange(today() - dt.timedelta(days=27), today())
    assert board.pages == [
        ("/en/", 6),
        ("/en/get-help", 4),
        ("/en/signs-to-spot", 3),
        ("/cy/signs-to-spot", 1),
        ("/en/search", 1),
    ]
    assert [count for _, count in board.sources] == [6, 2, 1, 1]
    assert [label.split(" ")[0] for label, _ in board.sources] == ["Campaign", "Search", "Another", "Social"]
    assert board.campaigns == [
        CampaignRow("Essex Police", poster=3),
        CampaignRow("Gwent Police", social=2),
        CampaignRow("Not a force tag", poster=1),
    ]
    assert board.feedback == [FeedbackRow("/en/signs-to-spot", 2, 0), FeedbackRow("/en/get-help", 0, 1)]
    assert [(c.page, c.useful, c.comment) for c in board.comments] == [
        ("/en/get-help", False, "I wanted the phone number for my area"),
        ("/en/signs-to-spot", True, "Helpful. Write to [removed] please"),
    ]
    assert board.concerns_by_route == [("Online form", 2), ("Call-back request", 1)]
    assert board.concerns_by_heard == [("A poster or leaflet", 1), ("A search engine", 1), ("Social media", 1)]
    (busy,) = [row for row in board.daily if row.views]
    assert (busy.day, busy.views, busy.form, busy.callback, busy.saves) == (today(), 15, 2, 1, 2)
    assert len(board.daily) == 28 and sum(row.views for row in board.daily) == 15
    assert "MARKER" not in response.text.replace("[removed]", "")


def test_the_csv_has_one_row_per_metric_key_and_day_matching_what_was_sent(
    site: TestClient, console: TestClient
) -> None:
    scripted_visits(site)
    sign_in(console, "cora", add(console, "cora", "comms"))
    day = today().isoformat()
    response = console.get(f"/figures.csv?from={day}&to={day}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="act-early-figures-{day}-to-{day}.csv"'
    expected = [
        ("campaign", "essex/poster", 3),
        ("campaign", "gwent/social", 2),
        ("campaign", "other/poster", 1),
        ("concern", "callback", 1),
        ("concern", "form", 2),
        ("concern-heard-about", "poster", 1),
        ("concern-heard-about", "search", 1),
        ("concern-heard-about", "social-media", 1),
        ("offline-save", "en", 2),
        ("source", "campaign", 6),
        ("source", "other-site", 1),
        ("source", "search", 2),
        ("source", "social", 1),
        ("useful-no", "/en/get-help", 1),
        ("useful-yes", "/en/signs-to-spot", 2),
        ("view", "/cy/signs-to-spot", 1),
        ("view", "/en/", 6),
        ("view", "/en/get-help", 4),
        ("view", "/en/search", 1),
        ("view", "/en/signs-to-spot", 3),
    ]
    lines = ["metric,key,day,count", *(f"{metric},{key},{day},{count}" for metric, key, count in expected)]
    assert response.text == "\r\n".join(lines) + "\r\n"


def test_the_database_holds_no_address_user_agent_cookie_or_query(
    site: TestClient, console: TestClient, settings: Settings
) -> None:
    responses = scripted_visits(site)
    assert all("set-cookie" not in response.headers for response in responses), "a reader was given a cookie"
    site_of_app(site.app).engine.dispose()
    console_of_app(console.app).engine.dispose()
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    stored = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
    assert b"useful-yes" in stored and b"essex/poster" in stored  # the file is the one the figures went to
    for secret in NEVER_STORED:
        assert secret.encode() not in stored, f"{secret!r} is in the database"


def test_only_comms_and_admin_see_the_dashboard(site: TestClient, console: TestClient) -> None:
    for path in ("/dashboard", "/figures.csv"):
        response = console.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/sign-in")
    sign_in(console, "olive", add(console, "olive", "officer"))
    assert console.get("/dashboard").status_code == 403
    assert console.get("/figures.csv").status_code == 403
    console.cookies.clear()
    sign_in(console, "ada", add(console, "ada", "admin"))
    assert console.get("/dashboard").status_code == 200


def test_the_old_figures_page_moved_to_the_dashboard(site: TestClient, console: TestClient) -> None:
    response = console.get("/figures", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/sign-in")
    sign_in(console, "cora", add(console, "cora", "comms"))
    response = console.get("/figures", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (301, "/dashboard")


def test_looking_at_the_dashboard_is_audited(site: TestClient, console: TestClient) -> None:
    from web.storage.officers import audit_entries

    sign_in(console, "cora", add(console, "cora", "comms"))
    console.get("/dashboard?from=2026-01-01&to=2026-01-31")
    console.get("/figures.csv?from=2026-01-01&to=2026-01-31")
    console.get("/figures.csv?from=2026-01-01&to=2026-01-31&table=ltai-sites")
    entries = [(e.actor, e.action, e.detail) for e in audit_entries(console_of_app(console.app).engine)]
    assert ("cora", "dashboard", "2026-01-01..2026-01-31") in entries
    assert ("cora", "figures-csv", "2026-01-01..2026-01-31") in entries
    assert ("cora", "figures-csv", "2026-01-01..2026-01-31 ltai-sites") in entries


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("from=2026-02-30&to=2026-03-01", ["from"]),
        ("from=yesterday&to=", ["from"]),
        ("from=2026-01-01&to=2026-13-01", ["to"]),
        ("from=2026-03-01&to=2026-02-01", ["from"]),
        ("from=2024-01-01&to=2026-01-01", ["from"]),
        ("from=20260101&to=2026-W01-1", ["from", "to"]),
    ],
)
def test_invalid_dates_get_an_error_message_not_a_failure(
    site: TestClient, console: TestClient, query: str, fields: list[str]
) -> None:
    sign_in(console, "cora", add(console, "cora", "comms"))
    for path in ("/dashboard", "/figures.csv"):
        response = console.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert sorted(response.context["errors"]) == sorted(fields)
        assert "There is a problem" in response.text and response.context["board"] is None
        for field in fields:
            assert f'href="#{field}"' in response.text


def test_the_charts_are_inline_svg_without_inline_style(site: TestClient, console: TestClient) -> None:
    scripted_visits(site)
    sign_in(console, "cora", add(console, "cora", "comms"))
    html = console.get("/dashboard").text
    charts = re.findall(r"<svg[^>]*>", html)
    assert len(charts) == 7
    assert all('role="img"' in chart and "aria-labelledby" in chart for chart in charts)
    assert html.count('<title id="chart-') == 7 and html.count('<desc id="chart-') == 7
    assert not re.search(r"\sstyle=|<style", html)


def test_the_default_range_is_the_last_28_days_and_a_blank_start_counts_back_from_the_end() -> None:
    day = dt.date(2026, 11, 25)
    assert parse_range({}, day) == (DateRange(dt.date(2026, 10, 29), day), {})
    assert parse_range({"to": "2026-02-28"}, day) == (DateRange(dt.date(2026, 2, 1), dt.date(2026, 2, 28)), {})


def test_a_row_chart_scales_its_bars_to_the_largest_value() -> None:
    chart = row_chart("chart-x", "X", [("a", 10), ("b", 5), ("c", 0)])
    assert [bar.width for bar in chart.bars] == [520, 260, 0]
    assert chart.height == 44 * 3 + 8


def test_every_source_the_site_counts_has_a_label_on_the_dashboard() -> None:
    from web.console.dashboard import SOURCE_LABELS
    from web.public.measurement import SOURCES

    assert set(SOURCE_LABELS) == set(SOURCES)


SAME_ORIGIN = {"user-agent": BROWSER, "sec-fetch-site": "same-origin"}
PARTNER_SITE = {**ARRIVE, "referer": "https://www.partner-council.gov.uk/safeguarding/MARKER-REFERRER?x=1"}


def post_form(site: TestClient, form_page: str, action: str, /, **data: str) -> None:
    """A public form filled in as a browser does: its token from the page, posted from the site itself."""
    body = {"token": form_token(site.get(form_page)), **data}
    assert site.post(action, data=body, headers=SAME_ORIGIN, follow_redirects=False).status_code == 303


def launch_visits(site: TestClient) -> None:
    """Old addresses followed, answers from the public and partners, and force campaign tags, all today."""
    for path, headers in [
        ("/ltai/what-is-prevent", PARTNER_SITE),
        ("/ltai/channel/", PARTNER_SITE),
        ("/ltai/MARKER-JUNK-PATH", ARRIVE),
        ("/ltai/what-is-prevent", {"user-agent": "Googlebot/2.1"}),  # a robot: not counted
    ]:
        assert site.get(path, headers=headers, follow_redirects=False).status_code == 301
    post_form(site, "/en/what-did-you-think", "/en/what-did-you-think", answer="satisfied", asked="footer")
    post_form(site, "/cy/what-did-you-think", "/cy/what-did-you-think", answer="dissatisfied", asked="footer")
    ask_after = "/en/what-did-you-think?asked=after-concern"
    post_form(site, ask_after, "/en/what-did-you-think", answer="very-satisfied", asked="after-concern")
    post_form(site, "/en/signs-to-spot", "/en/feedback", page="signs-to-spot", useful="yes", comment="")
    post_form(site, "/en/get-help", "/en/feedback", page="get-help", useful="no", comment="")
    post_form(site, "/en/partners/feedback", "/en/partners/feedback", organisation="council", works="Clear pages")
    post_form(site, "/en/partners/feedback", "/en/partners/feedback", organisation="faith", change="More languages")
    for path, times in [
        ("/?utm_source=poster&utm_campaign=essex", 2),
        ("/?utm_source=social&utm_campaign=essex", 1),
        ("/?utm_source=social&utm_campaign=gwent", 1),
        ("/?utm_source=MARKER&utm_campaign=MARKER-JUNK-TAG", 1),
    ]:
        for _ in range(times):
            site.get(path, headers=ARRIVE)
    site_of_app(site.app).figure_counter.flush(site_of_app(site.app).engine)


def tables_of(console: TestClient, query: str) -> dict[str, Table]:
    response = console.get(f"/dashboard?{query}")
    assert response.status_code == 200
    assert "MARKER" not in response.text
    return {table.id: table for group in response.context["board"].tables.values() for table in group}


def test_the_launch_tables_count_old_addresses_and_reception_from_the_requests(
    site: TestClient, console: TestClient
) -> None:
    launch_visits(site)
    sign_in(console, "cora", add(console, "cora", "comms"))
    day, week = today().isoformat(), week_of(today()).isoformat()
    tables = tables_of(console, f"from={day}&to={day}")
    assert tables["ltai-addresses"].rows == (
        ("/channel", 1),
        ("/what-is-prevent", 1),
        ("Any other old address (redirected to the home page)", 1),
    )
    assert tables["ltai-sites"].rows == (
        ("www.partner-council.gov.uk", 2),
        ("No referring site (typed in, bookmarked, or the site sent none)", 1),
    )
    assert tables["reception-satisfaction"].rows == ((week, 1, 1, 0, 1, 0, 3),)
    assert tables["reception-satisfaction-source"].rows == (
        ("Very satisfied", 0, 1, 0, 1),
        ("Satisfied", 1, 0, 0, 1),
        ("Neither satisfied nor dissatisfied", 0, 0, 0, 0),
        ("Dissatisfied", 1, 0, 0, 1),
        ("Very dissatisfied", 0, 0, 0, 0),
    )
    assert tables["reception-useful"].rows == ((week, 1, 1, 2),)
    assert tables["reception-partners"].rows == ((week, 0, 1, 0, 0, 1, 0, 0, 2),)
    assert tables["reception-forces"].rows == (
        (week, "Essex Police", 2, 1, 0, 3),
        (week, "Gwent Police", 0, 1, 0, 1),
        (week, "Not a force tag", 0, 0, 1, 1),
    )
    for table in tables.values():
        response = console.get(f"/figures.csv?from={day}&to={day}&table={table.id}")
        assert response.status_code == 200 and response.text == table.csv()
        assert f'filename="act-early-{table.id}-{day}-to-{day}.csv"' in response.headers["content-disposition"]
        assert next(csv.reader(io.StringIO(response.text))) == list(table.columns)
    csv_text = console.get(f"/figures.csv?from={day}&to={day}&table=ltai-sites").text
    assert csv_text == (
        "Referring site,Times followed\r\nwww.partner-council.gov.uk,2\r\n"
        '"No referring site (typed in, bookmarked, or the site sent none)",1\r\n'
    )


def test_the_outcome_tables_count_concerns_a_week_and_the_share_contacted_in_time(
    site: TestClient, console: TestClient, settings: Settings
) -> None:
    start = week_of(today()) - dt.timedelta(days=14)  # a Monday two weeks before this week's
    engine, key = console_of_app(console.app).engine, console_of_app(console.app).keys.public_key
    at = dt.datetime.combine(start, dt.time(10))
    # Monday: contacted on Tuesday (its day to be contacted by); Monday: still new; Friday: closed the Monday after.
    store_concerns(engine, key, 1, received_on=start, area="essex", status="contacted", status_changed_at=at + ONE_DAY)
    store_concerns(engine, key, 1, received_on=start, route="callback", status="new")
    friday, monday = start + 4 * ONE_DAY, start + 7 * ONE_DAY
    closed = {"status": "closed", "outcome": "channel", "closed_on": monday, "status_changed_at": at + 7 * ONE_DAY}
    store_concerns(engine, key, 1, received_on=friday, area="gwent", **closed)
    store_concerns(engine, key, 1, received_on=today(), area="essex")  # not yet due
    # Tuesday: contacted on Wednesday (in time), then closed a week later: the first change counts.
    (late,) = store_concerns(
        engine, key, 1, received_on=start + ONE_DAY, status="closed", status_changed_at=at + 8 * ONE_DAY
    )
    record(engine, "olive", "status", late, detail="contacted", now=at + 2 * ONE_DAY)
    record(engine, "olive", "status", late, detail="closed (channel)", now=at + 8 * ONE_DAY)
    sign_in(console, "cora", add(console, "cora", "comms"))
    weeks = [(start + n * 7 * ONE_DAY).isoformat() for n in range(3)]
    tables = tables_of(console, f"from={start}&to={today()}")
    assert tables["outcomes-route"].rows == ((weeks[0], 3, 1, 4), (weeks[1], 0, 0, 0), (weeks[2], 1, 0, 1))
    assert tables["outcomes-area"].rows == (
        (weeks[0], "Essex Police", 1),
        (weeks[0], "Gwent Police", 1),
        (weeks[0], "Not known", 2),
        (weeks[2], "Essex Police", 1),
    )
    assert tables["outcomes-contacted"].rows == (
        (weeks[0], 4, 4, 3, "75%"),
        (weeks[1], 0, 0, 0, "–"),
        (weeks[2], 1, 0, 0, "–"),
    )
    assert tables["outcomes-closed"].rows == (
        (weeks[0], 0, 0, 0, 0, 0, 0, 0),
        (weeks[1], 0, 0, 1, 0, 0, 0, 1),
        (weeks[2], 0, 0, 0, 0, 0, 0, 0),
    )
    html = console.get(f"/dashboard?from={start}&to={today()}").text
    assert "Contacted within a working day: of the concerns received in the week" in html
    assert 'govuk-table__header--numeric">Share in time</th>' in html  # figures align right, names do not
    assert '<th scope="col" class="govuk-table__header">Area</th>' in html
    response = console.get(f"/figures.csv?from={start}&to={today()}&table=outcomes-contacted")
    assert response.text.splitlines()[1:] == [f"{weeks[0]},4,4,3,75%", f"{weeks[1]},0,0,0,–", f"{weeks[2]},1,0,0,–"]


def test_an_unknown_table_is_not_found_and_the_launch_link_starts_on_the_first_day_with_data(
    site: TestClient, console: TestClient
) -> None:
    engine = console_of_app(console.app).engine
    add_counts(engine, {(today() - dt.timedelta(days=40), "view", "/en/"): 1})
    sign_in(console, "cora", add(console, "cora", "comms"))
    assert console.get("/figures.csv?table=MARKER").status_code == 404
    board = console.get("/dashboard").context["board"]
    assert board.launch_start == board.since_launch == today() - dt.timedelta(days=40)
    assert f'href="/dashboard?from={board.since_launch}&amp;to={today()}"' in console.get("/dashboard").text


def test_concerns_sent_through_the_site_are_counted_a_week_by_route_and_area(
    site: TestClient, console: TestClient
) -> None:
    assert submit_concern(site, "MARKER-WORRY-1").status_code == 200  # the sent page
    token = form_token(site.get("/en/share-a-concern/callback"))
    callback = {"token": token, "callback_phone": "07700 900 982", "callback_times": "after 6pm", "voicemail_ok": "no"}
    assert site.post("/en/share-a-concern/callback", data=callback, follow_redirects=False).status_code == 200
    sign_in(console, "cora", add(console, "cora", "comms"))
    day, week = today().isoformat(), week_of(today()).isoformat()
    tables = tables_of(console, f"from={day}&to={day}")
    assert tables["outcomes-route"].rows == ((week, 1, 1, 2),)
    assert sum(int(row[2]) for row in tables["outcomes-area"].rows) == 2
    assert tables["outcomes-contacted"].rows == ((week, 2, 0, 0, "–"),)  # neither is due yet
    lines = console.get(f"/figures.csv?from={day}&to={day}&table=outcomes-route").text.splitlines()
    assert lines == ["Week beginning,Online form,Call-back request,Total", f"{week},1,1,2"]
