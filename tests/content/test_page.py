from __future__ import annotations

from pathlib import Path

import pytest

from testing.content import VALID_FRONT_MATTER, write_page
from web.content.library import load_library
from web.content.page import ContentError


def _library_with(tmp_path: Path, front_matter: str, body: str = "## Heading\n\nText.\n") -> None:
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER)
    write_page(tmp_path, "en", "broken", front_matter, body)
    load_library(tmp_path)


def test_a_valid_page_loads_with_its_front_matter(tmp_path: Path) -> None:
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER)
    page = load_library(tmp_path).get("en", "home")
    assert page is not None
    assert (page.title, page.lang, page.reviewed.isoformat()) == ("A page", "en", "2026-11-25")
    assert page.sources[0].url == "https://actearly.uk/contact"
    assert len(page.revision) == 12


@pytest.mark.parametrize("field", ["title", "summary", "lang", "reviewed", "review_due", "sources"])
def test_missing_required_field_names_the_file_and_field(tmp_path: Path, field: str) -> None:
    lines = [line for line in VALID_FRONT_MATTER.strip().splitlines() if not line.startswith(field)]
    if field == "sources":
        lines = [line for line in lines if not line.startswith("  ")]
    with pytest.raises(ContentError) as error:
        _library_with(tmp_path, "\n".join(lines))
    assert "en/broken.md" in str(error.value)
    assert f"front matter field '{field}' is missing" in str(error.value)


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("lang: en", "lang: cy", "field 'lang' says 'cy' but the file is in the 'en' folder"),
        ("reviewed: 2026-11-25", "reviewed: last week", "field 'reviewed' must be a date"),
        ("url: https://actearly.uk/contact", "url: http://actearly.uk", "field 'sources' entry 1 url must start"),
        ("title: A page", "title: A page\ncolour: red", "field 'colour' is not a known field"),
        ("title: A page", "title: [unclosed", "front matter is not valid YAML"),
    ],
)
def test_wrong_front_matter_names_the_file_and_problem(tmp_path: Path, replace: str, by: str, message: str) -> None:
    with pytest.raises(ContentError, match=r"broken\.md") as error:
        _library_with(tmp_path, VALID_FRONT_MATTER.replace(replace, by))
    assert message in str(error.value)


def test_a_file_without_front_matter_is_rejected(tmp_path: Path) -> None:
    write_page(tmp_path, "en", "home", VALID_FRONT_MATTER)
    (tmp_path / "en" / "bare.md").write_text("## Just text\n")
    with pytest.raises(ContentError, match=r"bare.md: has no front matter"):
        load_library(tmp_path)


def test_the_english_home_page_is_required(tmp_path: Path) -> None:
    write_page(tmp_path, "en", "other", VALID_FRONT_MATTER)
    with pytest.raises(ContentError, match=r"home\.md: the English home page is missing"):
        load_library(tmp_path)


def test_the_shipped_content_loads() -> None:
    library = load_library(Path(__file__).resolve().parents[2] / "content")
    assert library.get("en", "home") is not None
    for slug in ("signs-to-spot", "what-happens-next", "get-help", "accessibility-statement", "privacy-notice"):
        assert library.get("en", slug) is not None, slug
