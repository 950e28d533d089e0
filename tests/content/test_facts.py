"""The facts file (content/facts.yaml) and the `{{name}}` placeholders pages take from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.content import FACTS, VALID_FRONT_MATTER, write_facts, write_page
from web.content.facts import NOT_SET, Facts, FactsFileError, figures_written_out, load_facts
from web.content.library import load_library
from web.content.page import ContentError
from web.settings import ROOT

SOURCE_A = "sources:\n  a: {title: A, url: https://a.uk}\n"
WELSH_HOURS = FACTS.rstrip() + '\n    cy: "9yb i 5yh, bob dydd"\n'


def facts_from(tmp_path: Path, text: str = FACTS) -> Facts:
    load_facts.cache_clear()
    return load_facts(write_facts(tmp_path, text))


def test_a_phone_becomes_a_tel_link_and_words_come_in_the_page_language(tmp_path: Path) -> None:
    facts = facts_from(tmp_path, WELSH_HOURS)
    text, used = facts.expand("Call {{ emergency }}, {{support_line_hours}}.", "cy", tmp_path / "x.md")
    assert text == "Call [999](tel:999), 9yb i 5yh, bob dydd."
    assert used == ("emergency", "support_line_hours")
    assert facts.text("support_line_hours", "ur") == "9am to 5pm, every day"  # English where a language has none


def test_a_placeholder_that_is_not_a_fact_is_an_error_naming_it(tmp_path: Path) -> None:
    facts = facts_from(tmp_path)
    with pytest.raises(ContentError, match=r"\{\{helpline\}\} is not a fact"):
        facts.expand("Call {{helpline}}.", "en", tmp_path / "x.md")


def test_deployment_contacts_say_plainly_when_they_are_not_set(tmp_path: Path) -> None:
    facts = facts_from(tmp_path)
    text, used = facts.expand("Write to {{data_protection_email}}.", "cy", tmp_path / "x.md")
    assert text == f"Write to {NOT_SET['cy']}." and used == ()
    set_up = facts.with_deployment({"data_protection_email": "dpo@example.police.uk", "data_controller": "A Force"})
    text, _ = set_up.expand("{{data_protection_email}} / {{data_controller}}", "en", tmp_path / "x.md")
    assert text == "[dpo@example.police.uk](mailto:dpo@example.police.uk) / A Force"


def test_templates_read_a_phone_by_its_name(tmp_path: Path) -> None:
    facts = facts_from(tmp_path)
    assert (facts.emergency.number, facts.emergency.href) == ("999", "tel:999")
    assert facts.source_of("emergency").url == "https://actearly.uk/contact/"
    with pytest.raises(AttributeError):
        facts.nothing  # noqa: B018


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- just a list\n", "not a mapping"),
        ("sources: {}\nphones:\n  emergency: {number: '999', source: nowhere}\n", "emergency needs a source"),
        ("sources:\n  a: {title: A, url: http://a.uk}\n", "source a needs a title and an https address"),
        ("sources:\n  a: {url: https://a.uk}\n", "source a needs a title"),
        (SOURCE_A + "text:\n  hours: {source: a, cy: '9yb'}\n", "hours needs its English"),
        (SOURCE_A + "phones:\n  x: {number: '1', source: a}\ntext:\n  x: {source: a, en: y}\n", "x is both a"),
    ],
)  # fmt: skip
def test_a_facts_file_not_as_documented_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(FactsFileError, match=message):
        facts_from(tmp_path, text)


@pytest.mark.parametrize(
    ("markdown", "found"),
    [
        ("Call 0800 011 3764 now.", [("a phone number", "0800 011 3764")]),
        ("Call [0800 011 3764](tel:08000113764).", [("a phone number", "[0800 011 3764](tel:08000113764)")]),
        ("Dial 18001 first.", [("a phone number", "18001")]),
        ("Call 999.", [("a phone number", "999")]),
        ("Up 27% on last year.", [("a percentage", "27%")]),
        ("There were 8,778 referrals.", [("a figure", "8,778")]),
        ("Open 9am to 5pm.", [("an opening time", "9am"), ("an opening time", "5pm")]),
        ("Ar agor 9yb tan 5yh.", [("an opening time", "9yb"), ("an opening time", "5yh")]),
        ("Call {{support_line}}, {{support_line_hours}}.", []),
        ("[The 2024 statistics](https://www.gov.uk/statistics/2024-999-101).", []),
        ("In 2025, aged 11 to 15, reviewed after 6 and 12 months.", []),
    ],
)  # fmt: skip
def test_figures_a_page_writes_itself_are_found(markdown: str, found: list[tuple[str, str]]) -> None:
    assert figures_written_out(markdown) == found


def test_a_page_lists_the_sources_of_the_facts_it_uses_once(tmp_path: Path) -> None:
    write_facts(tmp_path)
    own_copy = VALID_FRONT_MATTER.replace("url: https://actearly.uk/contact", "url: https://www.actearly.uk/contact")
    write_page(tmp_path, "en", "home", own_copy, "## A\n\nCall {{emergency}}.\n")
    write_page(tmp_path, "en", "other", VALID_FRONT_MATTER.replace("actearly.uk/contact", "gov.uk/ACT"),
               "## A\n\nCall {{emergency}}.\n")  # fmt: skip
    library = load_library(tmp_path)
    home, other = library.get("en", "home"), library.get("en", "other")
    assert home is not None and other is not None
    # The page's own entry, under its own title, stands for the fact's (the same page, a slash apart).
    assert [(source.title, source.url) for source in home.sources] == [("ACT Early", "https://www.actearly.uk/contact")]
    assert [source.url for source in other.sources] == ["https://gov.uk/ACT", "https://actearly.uk/contact/"]
    assert home.facts_used == ("emergency",)


def test_the_shipped_facts_each_have_a_source_and_english_words() -> None:
    load_facts.cache_clear()
    facts = load_facts(ROOT / "content" / "facts.yaml")
    assert {"support_line", "support_line_relay", "emergency", "emergency_relay"} <= facts.phones.keys()
    assert facts.support_line_relay.number == "18001 " + facts.support_line.number
    for name in (*facts.phones, *facts.words):
        assert facts.source_of(name).url.startswith("https://"), name
