"""The advice pages' own words as sections (web/toolkit/advice.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from web.content.facts import load_facts
from web.settings import ROOT
from web.toolkit.advice import AdviceMissing, AdviceReader, parse_advice, plain_facts

CONTENT = ROOT / "content"
FACTS = load_facts(CONTENT / "facts.yaml")
PAGE = """---
title: A page
summary: What it says.
---

Before any heading.

## Steps

1. **First step.** Call {{support_line}}, {{support_line_hours}}.
2. **Second step.** Read [the page](/en/x) calmly.

### Under the steps

- One
- Two

## Next
"""


def test_a_page_is_cut_into_sections_of_paragraphs_and_items_with_facts_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "a-page.md"
    path.write_text(PAGE, encoding="utf-8")
    page = parse_advice(path, "a-page", "en", FACTS)
    assert [(section.level, section.heading) for section in page.sections] == [
        (1, "A page"),
        (2, "Steps"),
        (3, "Under the steps"),
        (2, "Next"),
    ]
    assert page.sections[0].paragraphs == ["Before any heading."]
    first, second = page.sections[1].items
    assert first.lead == "First step." and first.rest == f"Call {FACTS.support_line.number}, 9am to 5pm, every day."
    assert second.text == "Second step. Read the page calmly."
    assert [section.heading for section in page.below(1)] == ["Under the steps"]


def test_a_name_that_is_not_a_fact_is_an_error() -> None:
    with pytest.raises(AdviceMissing, match="no_such_fact"):
        plain_facts("Call {{no_such_fact}}", FACTS, "en")


def test_a_translation_is_read_at_the_same_place_as_its_english_heading() -> None:
    reader = AdviceReader(CONTENT, FACTS)
    page, index = reader.section("cy", "signs-to-spot", "What is not a sign")
    assert page.section_at(index).heading == "Beth nad yw'n arwydd"


def test_a_missing_page_or_heading_is_named() -> None:
    reader = AdviceReader(CONTENT, FACTS)
    with pytest.raises(AdviceMissing, match="no-such-page"):
        reader.page("en", "no-such-page")
    with pytest.raises(AdviceMissing, match="No such heading"):
        reader.index_of("faq", "No such heading")
