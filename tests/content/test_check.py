from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from testing.content import FACTS, VALID_FRONT_MATTER, write_facts, write_page
from web.content.check import check_content
from web.content.library import load_library

ROOT = Path(__file__).resolve().parents[2]
HOME_BODY = "## Welcome\n\nThis is the home page. It is short.\n"


def _check(tmp_path: Path, body: str, *, slug: str = "page") -> list[str]:
    write_facts(tmp_path)
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER, HOME_BODY)
    write_page(tmp_path, "en", slug, VALID_FRONT_MATTER, body)
    return check_content(tmp_path).errors


def test_a_clean_page_passes(tmp_path: Path) -> None:
    assert _check(tmp_path, "## Start\n\nGo [home](/en/).\n\n### Detail\n\nMore words here.\n") == []


def test_a_skipped_heading_level_is_reported_with_the_file(tmp_path: Path) -> None:
    errors = _check(tmp_path, "## Start\n\nText.\n\n#### Too deep\n\nText.\n")
    assert errors == ["{}: heading 'Too deep' skips from level 2 to level 4".format(tmp_path / "en" / "page.md")]


def test_a_level_one_heading_in_the_body_is_reported(tmp_path: Path) -> None:
    assert "is a level 1 heading" in _check(tmp_path, "# Second title\n\nText.\n")[0]


def test_a_broken_internal_link_is_reported(tmp_path: Path) -> None:
    errors = _check(tmp_path, "## Start\n\nSee [nowhere](/en/missing-page).\n")
    assert errors == [f"{tmp_path / 'en' / 'page.md'}: link 'nowhere' goes to /en/missing-page, which is not a page"]


def test_a_link_to_a_missing_heading_is_reported(tmp_path: Path) -> None:
    errors = _check(tmp_path, "## Start\n\nSee [below](#no-such-heading).\n")
    assert "goes to #no-such-heading, which is not a heading" in errors[0]


def test_links_to_app_routes_and_phone_numbers_from_the_facts_are_fine(tmp_path: Path) -> None:
    body = "## Start\n\nCall {{emergency}}, [search](/en/search) or see [gov.uk](https://www.gov.uk/ACT).\n"
    assert _check(tmp_path, body) == []


@pytest.mark.parametrize(
    "written",
    ["Call [999](tel:999).", "Call 0800 011 3764 now.", "It went up by 27%.", "There were 8,778 of them.", "Open 9am."],
)
def test_a_phone_number_or_figure_written_into_a_page_is_reported(tmp_path: Path, written: str) -> None:
    """Facts live in content/facts.yaml, with their sources, so the next release is one edit."""
    errors = _check(tmp_path, f"## Start\n\n{written}\n")
    assert len(errors) == 1 and "written into the page: take it from content/facts.yaml" in errors[0], errors


def test_a_fact_the_facts_file_does_not_have_is_reported(tmp_path: Path) -> None:
    assert "{{no_such_fact}} is not a fact" in _check(tmp_path, "## Start\n\nCall {{no_such_fact}}.\n")[0]


def test_a_fact_without_a_source_is_reported(tmp_path: Path) -> None:
    write_facts(tmp_path, FACTS.replace("    source: actearly-contact\n", "    source: nowhere\n", 1))
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER, HOME_BODY)
    assert "emergency needs a source listed under sources" in check_content(tmp_path).errors[0]


def test_a_page_using_a_fact_lists_the_facts_source(tmp_path: Path) -> None:
    write_facts(tmp_path)
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER, "## Help\n\nCall {{emergency}}, {{support_line_hours}}.\n")
    page = load_library(tmp_path).get("en", "home")
    assert page is not None and "9am to 5pm, every day" in page.body_html and 'href="tel:999"' in page.body_html
    assert [source.url for source in page.sources] == ["https://actearly.uk/contact"]  # the same page, once


def test_a_page_past_its_review_date_is_reported(tmp_path: Path) -> None:
    write_facts(tmp_path)
    front_matter = VALID_FRONT_MATTER.replace("review_due: 2099-05-25", "review_due: 2026-12-01")
    write_page(tmp_path, "en", "home", front_matter, HOME_BODY)
    errors = check_content(tmp_path, today=dt.date(2026, 12, 6)).errors
    assert errors == [
        f"{tmp_path / 'en' / 'home.md'}: its review was due on 2026-12-01: check every fact against "
        "its sources, then move reviewed and review_due on"
    ]


def test_an_unreviewed_translation_needs_a_layout_that_says_so(tmp_path: Path) -> None:
    templates = tmp_path / "templates" / "advice"
    templates.mkdir(parents=True)
    (templates / "home.html").write_text("{% block content %}{% endblock %}")
    content = tmp_path / "content"
    write_facts(content)
    write_page(content, "en", "home", VALID_FRONT_MATTER + "layout: home\n", HOME_BODY)
    english = load_library(content).get("en", "home")
    assert english is not None
    welsh = (
        VALID_FRONT_MATTER.replace("lang: en", "lang: cy")
        + "layout: home\n"
        + (f'translation_of:\n  page: home\n  revision: "{english.revision}"\ntranslator_reviewed: false\n')
    )
    write_page(content, "cy", "home", welsh, HOME_BODY)
    assert (
        "does not include advice/_translation_notice.html" in check_content(content, tmp_path / "templates").errors[0]
    )
    (templates / "home.html").write_text('{% include "advice/_translation_notice.html" %}')
    assert check_content(content, tmp_path / "templates").errors == []


def test_a_redirect_without_evidence_is_reported(tmp_path: Path) -> None:
    (tmp_path / "redirects.yaml").write_text(
        'pages:\n  /one: [/en/, "the old home page"]\n  /two: /en/\nsections:\n  /news: [/en/, ""]\n'
    )
    errors = _check(tmp_path, "## Start\n\nText.\n")
    assert [error.split(" needs ")[0] for error in errors] == [
        f"{tmp_path / 'redirects.yaml'}: pages: /two",
        f"{tmp_path / 'redirects.yaml'}: sections: /news",
    ]


def test_plain_http_links_are_reported(tmp_path: Path) -> None:
    assert "must use https" in _check(tmp_path, "## Start\n\nSee [x](http://example.com).\n")[0]


def test_an_image_without_alt_text_is_reported(tmp_path: Path) -> None:
    assert "image /poster.png has no alt text" in _check(tmp_path, "## Start\n\n![](/poster.png)\n")[0]


def test_hard_reading_is_reported_with_its_grade(tmp_path: Path) -> None:
    body = (
        "## Start\n\n"
        + (
            "Notwithstanding considerable organisational interdependencies, multidisciplinary safeguarding "
            "arrangements necessitate comprehensive intergovernmental coordination and accountability. "
        )
        * 3
    )
    errors = _check(tmp_path, body)
    assert any("reading grade" in error and "is above 9" in error for error in errors)


def test_out_of_date_and_unreviewed_translations_are_listed(tmp_path: Path) -> None:
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER, HOME_BODY)
    english = load_library(tmp_path).get("en", "home")
    assert english is not None
    welsh = VALID_FRONT_MATTER.replace("lang: en", "lang: cy") + (
        'translation_of:\n  page: home\n  revision: "000000000000"\ntranslator_reviewed: false\n'
    )
    write_page(tmp_path, "cy", "home", welsh, HOME_BODY)
    report = check_content(tmp_path)
    assert report.errors == []
    assert report.out_of_date == [
        f"{tmp_path / 'cy' / 'home.md'}: translates revision 000000000000 of "
        f"{tmp_path / 'en' / 'home.md'}, which is now {english.revision}"
    ]
    assert report.awaiting_review == [str(tmp_path / "cy" / "home.md")]
    assert report.passed() and not report.passed(strict=True)


def test_a_translation_must_say_what_it_translates(tmp_path: Path) -> None:
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER, HOME_BODY)
    write_page(tmp_path, "cy", "home", VALID_FRONT_MATTER.replace("lang: en", "lang: cy"), HOME_BODY)
    assert "needs front matter fields 'translation_of'" in check_content(tmp_path).errors[0]


def test_every_bad_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER, HOME_BODY)
    write_page(tmp_path, "en", "one", "title: x")
    write_page(tmp_path, "en", "two", "title: y")
    assert len(check_content(tmp_path).errors) == 2


def test_the_shipped_content_passes_the_check() -> None:
    report = check_content(ROOT / "content")
    assert report.errors == []
    assert report.average_grade <= 7


def test_a_link_to_a_page_in_english_says_so_in_its_text(tmp_path: Path) -> None:
    """Issue 21 item 11: hreflang alone is said only to code; the link's own words say "(in English)"."""
    write_facts(tmp_path)
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER)
    write_page(tmp_path, "en", "other", VALID_FRONT_MATTER)
    urdu = VALID_FRONT_MATTER.replace("lang: en", "lang: ur")
    urdu += "translation_of: {page: home, revision: x}\ntranslator_reviewed: false\n"
    body = "## A\n\n[دوسرا صفحہ](/en/other) اور [دوسرا صفحہ (انگریزی میں)](/en/other).\n"
    write_page(tmp_path, "ur", "home", urdu, body)
    errors = [error for error in check_content(tmp_path).errors if "in English" in error]
    assert len(errors) == 1
    assert errors[0].endswith(
        "ur/home.md: link 'دوسرا صفحہ' goes to a page in English: end its text with '(انگریزی میں)', so the "
        "link's name says so"
    )
