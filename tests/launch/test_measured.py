"""“How this site is measured”: the public figures, in a page and as CSV, with no comments and no 500s."""

from __future__ import annotations

import datetime as dt

import pytest
from starlette.testclient import TestClient

from testing.forms import ARRIVE
from web.shell.site import site_of_app
from web.storage.figures import add_counts, store_feedback

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
def counted(site: TestClient) -> TestClient:
    engine = site_of_app(site.app).engine
    add_counts(engine, {(TODAY, "view", "/en/signs-to-spot"): 12, (TODAY, "source", "search"): 5})
    add_counts(engine, {(TODAY, "campaign", "north-wales/poster"): 2, (TODAY, "offline-save", "en"): 1})
    store_feedback(engine, day=TODAY, language="en", page="/en/signs-to-spot", useful=True, comment="SECRET COMMENT")
    store_feedback(engine, day=TODAY, language="en", page="/en/what-did-you-think/satisfied", useful=True, comment=None)
    return site


@pytest.mark.parametrize("lang", ["en", "cy", "ur"])
def test_the_page_shows_the_days_figures_in_every_language(counted: TestClient, lang: str) -> None:
    response = counted.get(f"/{lang}/how-this-site-is-measured")
    assert response.status_code == 200 and response.template.name == "launch/measured.html"
    board = response.context["board"]
    assert board.daily[-1].views == 12 and board.daily[-1].saves == 1
    assert board.satisfaction == {"satisfied": 1}
    assert "SECRET COMMENT" not in response.text
    assert "/en/signs-to-spot" in response.text and "set-cookie" not in response.headers


def test_the_page_names_forces_and_sources_in_words(counted: TestClient) -> None:
    text = counted.get("/en/how-this-site-is-measured").text
    assert "North Wales" in text and "A search engine" in text


def test_the_csv_has_the_same_figures_and_no_comments(counted: TestClient) -> None:
    response = counted.get(f"/en/how-this-site-is-measured/figures.csv?from={TODAY}&to={TODAY}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="act-early-figures-{TODAY}-to-{TODAY}.csv"' in response.headers["content-disposition"]
    lines = response.text.splitlines()
    assert lines[0] == "metric,key,day,count"
    assert f"view,/en/signs-to-spot,{TODAY},12" in lines
    assert f"useful-yes,/en/what-did-you-think/satisfied,{TODAY},1" in lines
    assert "SECRET" not in response.text


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-13-01", "from"), ("to=not-a-date", "to"), ("from=2026-11-02&to=2026-11-01", "from"),
     ("from=2020-01-01&to=2026-01-01", "from"), ("from=" + "9" * 5000, "from")],
)  # fmt: skip
def test_bad_dates_get_an_error_summary_and_the_last_28_days(site: TestClient, query: str, field: str) -> None:
    for path in ("/en/how-this-site-is-measured", "/en/how-this-site-is-measured/figures.csv"):
        response = site.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert f'href="#{field}"' in response.text and "<title>Error:" in response.text
        assert len(response.context["board"].daily) == 28


def test_a_quiet_range_says_so(site: TestClient) -> None:
    response = site.get("/en/how-this-site-is-measured?from=2026-01-01&to=2026-01-02")
    assert response.status_code == 200 and "None in these dates." in response.text


def test_campaign_tags_that_name_no_force_are_said_in_words(site: TestClient) -> None:
    engine = site_of_app(site.app).engine
    add_counts(engine, {(TODAY, "campaign", "other/poster"): 1, (TODAY, "campaign", "none/social"): 1})
    text = site.get("/en/how-this-site-is-measured").text
    assert "Not a police force’s tag: Poster" in text and "No police force named: Social media" in text


def test_old_addresses_followed_are_public_and_the_sites_linking_to_them_are_not(site: TestClient) -> None:
    partner = {**ARRIVE, "referer": "https://www.partner-council.gov.uk/safeguarding"}
    for path in ("/ltai/channel", "/ltai/channel", "/ltai/MARKER-JUNK"):
        assert site.get(path, headers=partner, follow_redirects=False).status_code == 301
    counter = site_of_app(site.app).figure_counter
    assert counter is not None
    counter.flush(site_of_app(site.app).engine)
    response = site.get("/en/how-this-site-is-measured")
    assert response.context["board"].ltai == [("/channel", 2), ("other", 1)]
    assert "Any other old address (it goes to the home page)" in response.text
    assert "partner-council" not in response.text and "MARKER" not in response.text
    lines = site.get(f"/en/how-this-site-is-measured/figures.csv?from={TODAY}&to={TODAY}").text.splitlines()
    assert f"ltai-address,/channel,{TODAY},2" in lines and f"ltai-address,other,{TODAY},1" in lines
    assert not any(line.startswith("ltai-referrer") for line in lines)


def test_satisfaction_answers_count_together_wherever_they_were_asked(site: TestClient) -> None:
    engine = site_of_app(site.app).engine
    for key in ("/en/what-did-you-think/satisfied/footer", "/cy/what-did-you-think/satisfied/after-concern"):
        store_feedback(engine, day=TODAY, language="en", page=key, useful=True, comment=None)
    board = site.get("/en/how-this-site-is-measured").context["board"]
    assert board.satisfaction == {"satisfied": 2} and board.useful == []
