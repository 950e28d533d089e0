"""The campaign dashboard: after scripted visits, its figures and CSV are exactly what was sent, and
the database holds nothing that could identify a visitor."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from httpx2 import Response as ClientResponse
from starlette.testclient import TestClient

from testing.console import add, sign_in
from testing.forms import ARRIVE, BROWSER, STEP, form_token, submit_concern
from web.app import create_app
from web.console.app import create_console_app
from web.console.dashboard import CampaignRow, DateRange, FeedbackRow, parse_range, row_chart
from web.console.state import console_of_app
from web.settings import Settings
from web.shell.site import site_of_app

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
    entries = [(e.actor, e.action, e.detail) for e in audit_entries(console_of_app(console.app).engine)]
    assert ("cora", "dashboard", "2026-01-01..2026-01-31") in entries
    assert ("cora", "figures-csv", "2026-01-01..2026-01-31") in entries


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
